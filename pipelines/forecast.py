"""The forecasting pipeline: prepare series → baselines → LLM forecaster → evaluation → promotion.

The second model family the platform hosts (the study of seed 002): daily series (ticket volumes
per category, or any ``timestamp, series, value`` CSV such as an industrial meter) forecast by
seasonal naive and exponential smoothing, and by the base LLM fine-tuned with LoRA on serialised
history windows through the same training and engine code as the classifier. Users upload
``pipelines/compiled/forecast.yaml`` in the KFP UI; MLflow holds one run per model under a
parent run, in an experiment of kind ``forecasting``; the candidate is registered only when it
beats the best baseline.
"""

# No `from __future__ import annotations` here: KFP reads the real annotation objects.

from pathlib import Path

from kfp import compiler, dsl

from components.forecast import (
    evaluate_forecasts,
    forecast_baselines,
    forecast_llm,
    prepare_series,
    promote_forecaster,
    train_forecaster,
)
from mail2ticket.ops.forecasting import FORECAST_EXPERIMENT, FORECASTER_MODEL, ForecastSettings
from mail2ticket.ops.llm_forecaster import ForecasterConfig
from pipelines.cluster import ClusterSettings, on_cluster

#: The defaults of every parameter, from their one home (the configuration classes).
SETTINGS = ForecastSettings()
FORECASTER = ForecasterConfig()

PIPELINE_NAME = "mail2ticket-forecast"
COMPILED_PATH = Path(__file__).parent / "compiled" / "forecast.yaml"


def build_pipeline(settings: "ClusterSettings | None" = None, cluster: bool = True):
    """The pipeline function; ``cluster=False`` leaves out Kubernetes settings (kfp.local)."""
    settings = settings or ClusterSettings()

    @dsl.pipeline(name=PIPELINE_NAME, description="Forecast daily series with baselines and a LoRA-tuned LLM.")
    def forecast(
        series_uri: str,
        anomalies_uri: str = "",
        horizon: int = SETTINGS.horizon,
        season: int = SETTINGS.season,
        level: float = SETTINGS.level,
        base_model: str = "embedded:smollm2-135m",
        context_days: int = FORECASTER.context_days,
        window_stride: int = FORECASTER.window_stride,
        max_windows_per_series: int = FORECASTER.max_windows_per_series or 0,
        lora_r: int = FORECASTER.training.lora_r,
        lora_alpha: int = FORECASTER.training.lora_alpha,
        learning_rate: float = FORECASTER.training.learning_rate,
        max_steps: int = FORECASTER.training.max_steps,
        training_seed: int = FORECASTER.training.seed,
        min_mase_gain: float = SETTINGS.min_mase_gain,
        mlflow_experiment: str = FORECAST_EXPERIMENT,
        registered_model: str = FORECASTER_MODEL,
    ):
        """Forecast every series' final period, compare the LLM with the baselines, flag anomalies.

        Args:
            series_uri: CSV or Parquet of `timestamp, series, value` (a path or s3://): daily tickets per category...
            anomalies_uri: Optional ground truth of anomalies (`timestamp, series`) for detection precision and recall.
            horizon: Days held out at the end of every series, and forecast.
            season: Season length in days (7: weekly) for seasonal naive, exponential smoothing and MASE.
            level: Coverage of the prediction intervals (anomalies are days outside them).
            base_model: embedded:smollm2-135m, a model folder, or an s3:// prefix.
            context_days: Days of history the LLM sees per forecast.
            window_stride: Days between two training windows of a series.
            max_windows_per_series: Most recent training windows per series (0: all).
            lora_r: LoRA rank.
            lora_alpha: LoRA alpha (rsLoRA).
            learning_rate: Learning rate of the forecaster's LoRA.
            max_steps: Optimiser steps of the forecaster's training.
            training_seed: Seed of the training run.
            min_mase_gain: How much lower than the best baseline's MASE the candidate must be to be registered.
            mlflow_experiment: MLflow experiment of the runs (of kind forecasting).
            registered_model: Registered model the candidate joins when it beats the baselines.
        """
        prepared = prepare_series(input_uri=series_uri, horizon=horizon)
        baselines = forecast_baselines(history=prepared.outputs["history"], horizon=horizon, season=season, level=level)
        trained = train_forecaster(
            history=prepared.outputs["history"], base_model=base_model, horizon=horizon, context_days=context_days,
            window_stride=window_stride, max_windows_per_series=max_windows_per_series, lora_r=lora_r,
            lora_alpha=lora_alpha, learning_rate=learning_rate, max_steps=max_steps, seed=training_seed,
            mlflow_experiment=mlflow_experiment, kfp_run_id=dsl.PIPELINE_JOB_ID_PLACEHOLDER,
        )  # fmt: skip
        llm = forecast_llm(
            history=prepared.outputs["history"], adapter=trained.outputs["adapter"], base_model=base_model,
            horizon=horizon, level=level, context_days=context_days,
        )  # fmt: skip
        evaluated = evaluate_forecasts(
            history=prepared.outputs["history"], holdout=prepared.outputs["holdout"],
            baseline_forecasts=baselines.outputs["forecasts"], llm_forecasts=llm.outputs["forecasts"],
            llm_summary=llm.outputs["summary"], mlflow_run_id=trained.outputs["Output"], horizon=horizon,
            season=season, level=level, anomalies_uri=anomalies_uri,
        )  # fmt: skip
        promoted = promote_forecaster(
            report=evaluated.outputs["report"], mlflow_run_id=trained.outputs["Output"],
            min_mase_gain=min_mase_gain, registered_model=registered_model,
        )  # fmt: skip
        for task in (prepared, baselines, trained, llm, evaluated, promoted):
            task.set_caching_options(False)
        if cluster:
            on_cluster(prepared, settings, gpu=False, mlflow=False)
            on_cluster(baselines, settings, gpu=False, mlflow=False)
            on_cluster(trained, settings, gpu=True)
            on_cluster(llm, settings, gpu=True, mlflow=False)
            on_cluster(evaluated, settings, gpu=False)
            on_cluster(promoted, settings, gpu=False)

    return forecast


def compile_pipeline(path: str | Path = COMPILED_PATH, settings: ClusterSettings | None = None) -> Path:
    """Write the YAML the KFP UI takes."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    compiler.Compiler().compile(build_pipeline(settings), str(target))
    return target
