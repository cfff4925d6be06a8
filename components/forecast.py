"""KFP components of the forecasting pipeline: thin wrappers around :mod:`mail2ticket.ops.forecasting`.

Parameters have no defaults here (KFP ships each function's source to its pod on its own, so
a default written here would be a second copy of the configuration's): the pipeline passes
every one, and its own defaults derive from :class:`~mail2ticket.ops.forecasting.ForecastSettings`
and :class:`~mail2ticket.ops.llm_forecaster.ForecasterConfig`.
"""

# No `from __future__ import annotations` here: KFP reads the real annotation objects.

from kfp import dsl
from kfp.dsl import Artifact, Dataset, Input, Model, Output

from components.images import RUNTIME_IMAGE


@dsl.component(base_image=RUNTIME_IMAGE, install_kfp_package=False)
def prepare_series(
    input_uri: str, horizon: int, history: Output[Dataset], holdout: Output[Dataset], summary: Output[Artifact]
):
    """Read a `timestamp, series, value` CSV (or Parquet), fill its calendar, hold out the last `horizon` days."""
    import json
    import os
    import tempfile

    from mail2ticket.ops.forecasting import prepare_series_step

    with tempfile.TemporaryDirectory() as folder:
        result = prepare_series_step(input_uri, folder, horizon)
        os.replace(os.path.join(folder, "history.csv"), history.path)
        os.replace(os.path.join(folder, "holdout.csv"), holdout.path)
    with open(summary.path, "w", encoding="utf-8") as handle:
        json.dump(result, handle, indent=2)
    summary.metadata.update({"series": len(result["series"]), "days": result["days"]})


@dsl.component(base_image=RUNTIME_IMAGE, install_kfp_package=False)
def forecast_baselines(history: Input[Dataset], forecasts: Output[Dataset], horizon: int, season: int, level: float):
    """Seasonal naive and exponential smoothing (statsmodels ETS) forecasts of every series, with intervals."""
    from mail2ticket.ops.forecasting import ForecastSettings, baselines_step

    baselines_step(history.path, forecasts.path, ForecastSettings(horizon=horizon, season=season, level=level))


@dsl.component(base_image=RUNTIME_IMAGE, install_kfp_package=False)
def train_forecaster(
    history: Input[Dataset],
    adapter: Output[Model],
    base_model: str,
    horizon: int,
    context_days: int,
    window_stride: int,
    max_windows_per_series: int,
    lora_r: int,
    lora_alpha: int,
    learning_rate: float,
    max_steps: int,
    seed: int,
    mlflow_experiment: str,
    mlflow_tracking_uri: str = "",
    kfp_run_id: str = "",
) -> str:
    """Fine-tune the LLM forecaster (LoRA on serialised history windows); returns the candidate's MLflow run id.

    max_windows_per_series: most recent training windows per series (0: all).
    """
    import os

    if kfp_run_id:
        os.environ["KFP_RUN_ID"] = kfp_run_id

    from mail2ticket.ops.forecasting import ForecastSettings, train_forecaster_step
    from mail2ticket.ops.llm_forecaster import ForecasterConfig

    defaults = ForecasterConfig()
    config = ForecasterConfig(
        context_days=context_days, window_stride=window_stride, max_windows_per_series=max_windows_per_series or None,
        training=defaults.training.model_copy(update={"lora_r": lora_r, "lora_alpha": lora_alpha,
                                                       "learning_rate": learning_rate, "max_steps": max_steps,
                                                       "seed": seed}),
    )  # fmt: skip
    result = train_forecaster_step(
        history.path, adapter.path, base_model, ForecastSettings(horizon=horizon), config,
        mlflow_tracking_uri or None, mlflow_experiment,
    )  # fmt: skip
    adapter.metadata.update({"steps": result["steps"], "train_windows": result["train_windows"]})
    return result["run_id"]


@dsl.component(base_image=RUNTIME_IMAGE, install_kfp_package=False)
def forecast_llm(
    history: Input[Dataset],
    adapter: Input[Model],
    forecasts: Output[Dataset],
    summary: Output[Artifact],
    base_model: str,
    horizon: int,
    level: float,
    context_days: int,
):
    """The LLM forecaster's forecasts through the serving engine, decoding constrained to the horizon's dates."""
    import json

    from mail2ticket.ops.forecasting import ForecastSettings, llm_forecast_step
    from mail2ticket.ops.llm_forecaster import ForecasterConfig

    result = llm_forecast_step(
        history.path, forecasts.path, base_model, adapter.path, ForecastSettings(horizon=horizon, level=level),
        ForecasterConfig(context_days=context_days),
    )  # fmt: skip
    with open(summary.path, "w", encoding="utf-8") as handle:
        json.dump(result, handle, indent=2)
    summary.metadata.update(result)


@dsl.component(base_image=RUNTIME_IMAGE, install_kfp_package=False)
def evaluate_forecasts(
    history: Input[Dataset],
    holdout: Input[Dataset],
    baseline_forecasts: Input[Dataset],
    llm_forecasts: Input[Dataset],
    llm_summary: Input[Artifact],
    report: Output[Artifact],
    anomalies: Output[Dataset],
    plots: Output[Artifact],
    mlflow_run_id: str,
    horizon: int,
    season: int,
    level: float,
    anomalies_uri: str,
    mlflow_tracking_uri: str = "",
):
    """Score every model on the held-out period (MASE, sMAPE, MAE, the study's figures), flag anomalies, plot.

    anomalies_uri: optional ground truth of anomalies (`timestamp, series` CSV) for precision and recall.
    """
    import json
    import os
    import shutil
    import tempfile

    from mail2ticket.ops.forecasting import ForecastSettings, evaluate_step

    with open(llm_summary.path, encoding="utf-8") as handle:
        summary = json.load(handle)
    with tempfile.TemporaryDirectory() as folder:
        result = evaluate_step(
            history.path, holdout.path, [baseline_forecasts.path, llm_forecasts.path], folder,
            ForecastSettings(horizon=horizon, season=season, level=level), anomalies_uri or None, summary,
            mlflow_run_id, mlflow_tracking_uri or None,
        )  # fmt: skip
        shutil.copyfile(os.path.join(folder, "report.json"), report.path)
        shutil.copyfile(os.path.join(folder, "anomalies.csv"), anomalies.path)
        shutil.copytree(os.path.join(folder, "plots"), plots.path, dirs_exist_ok=True)
    report.metadata.update({model: figures["mean"].get("mase") for model, figures in result["models"].items()})
    anomalies.metadata.update({"flagged": result["anomalies"]["flagged"]})


@dsl.component(base_image=RUNTIME_IMAGE, install_kfp_package=False)
def promote_forecaster(
    report: Input[Artifact],
    decision: Output[Artifact],
    mlflow_run_id: str,
    min_mase_gain: float,
    registered_model: str,
    mlflow_tracking_uri: str = "",
) -> str:
    """Register the candidate as champion only when it beats the best baseline's MASE; returns the alias ('' if not)."""
    import json

    from mail2ticket.ops.forecasting import ForecastSettings, promote_step

    with open(report.path, encoding="utf-8") as handle:
        figures = json.load(handle)
    result = promote_step(
        figures, mlflow_run_id, ForecastSettings(min_mase_gain=min_mase_gain), registered_model,
        mlflow_tracking_uri or None,
    )  # fmt: skip
    with open(decision.path, "w", encoding="utf-8") as handle:
        json.dump(result, handle, indent=2)
    decision.metadata.update({"promoted": result["promoted"], "reason": result["reason"]})
    return result.get("alias", "")
