"""The forecasting pipeline's steps: prepare series, baselines, LLM forecaster, evaluation, promotion.

Each KFP component in ``components/forecast.py`` is a thin wrapper around one function here, and
``mail2ticket forecast run`` calls them in a row, so the pipeline behaves the same under
``kfp.local``, on Kubernetes and on a laptop. Forecasts travel between steps as a long CSV
(:func:`write_forecasts`): one row per model, series and day, with the interval.

MLflow gets one parent run per pipeline run in an experiment of kind ``forecasting`` and, under
it, one run per model (the baselines and the LLM candidate) with the same metric names, so the
compare view sets them side by side. The candidate becomes a version of the registered model
only when its mean MASE beats the best baseline's (the study's LLMs did not).
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from pydantic import BaseModel, ConfigDict, Field

from mail2ticket.ops.anomalies import (
    detection_scores,
    in_sample_residuals,
    interval_anomalies,
    isolation_forest_anomalies,
)
from mail2ticket.ops.baselines import BASELINES, Forecast
from mail2ticket.ops.llm_forecaster import ForecasterConfig, LLMForecaster, train_forecaster
from mail2ticket.ops.plots import plot_forecast
from mail2ticket.ops.scores import forecast_scores
from mail2ticket.ops.series import read_series, regularize, split_holdout, write_series
from mail2ticket.ops.synthetic import french_holidays
from mail2ticket.registry import tracking

#: The registered model of the forecasting adapters.
FORECASTER_MODEL = "mail2ticket-forecaster"
#: The MLflow experiment of the forecasting pipeline's runs.
FORECAST_EXPERIMENT = "mail2ticket-forecasting"
#: The metric promotion compares (lower is better).
PROMOTION_METRIC = "mase"
FORECAST_COLUMNS = ("model", "series", "timestamp", "mean", "lower", "upper", "level")


class ForecastSettings(BaseModel):
    """What is forecast and how it is judged."""

    model_config = ConfigDict(extra="forbid")

    horizon: int = Field(28, ge=1, description="Days held out at the end of every series, and forecast.")
    season: int = Field(7, ge=1, description="Season length in days (weekly) for the baselines and MASE.")
    level: float = Field(0.9, gt=0, lt=1, description="Coverage of every model's prediction interval.")
    contamination: float = Field(
        0.02, gt=0, le=0.5, description="Share of days the isolation forest flags (scikit-learn's 'auto' flags ~14 %)."
    )
    min_mase_gain: float = Field(
        0.0, ge=0, description="How much lower than the best baseline's mean MASE the candidate must be to register."
    )


# ------------------------------------------------------------------------------------- forecasts


def forecasts_frame(forecasts: Mapping[str, Forecast]) -> pd.DataFrame:
    """Forecasts by series as one long frame (:data:`FORECAST_COLUMNS`)."""
    parts = []
    for name, f in forecasts.items():
        columns = {"model": f.model, "series": name, "timestamp": f.dates, "mean": f.mean}
        parts.append(pd.DataFrame({**columns, "lower": f.lower, "upper": f.upper, "level": f.level}))
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=list(FORECAST_COLUMNS))


def write_forecasts(forecasts: Mapping[str, Forecast], path: str | Path) -> Path:
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    forecasts_frame(forecasts).to_csv(target, index=False)
    return target


def read_forecasts(path: str | Path) -> dict[str, dict[str, Forecast]]:
    """``{model: {series: Forecast}}`` from the CSV of :func:`write_forecasts`."""
    frame = pd.read_csv(path, parse_dates=["timestamp"])
    out: dict[str, dict[str, Forecast]] = {}
    for (model, series), rows in frame.groupby(["model", "series"], sort=True):
        rows = rows.sort_values("timestamp")
        out.setdefault(str(model), {})[str(series)] = Forecast(
            model=str(model),
            dates=pd.DatetimeIndex(rows["timestamp"]),
            mean=rows["mean"].to_numpy(float),
            lower=rows["lower"].to_numpy(float),
            upper=rows["upper"].to_numpy(float),
            level=float(rows["level"].iloc[0]),
        )
    return out


def read_anomalies(uri: str | Path) -> pd.DataFrame:
    """A ground truth of anomalies: a CSV with at least ``timestamp`` and ``series`` (days)."""
    from io import BytesIO

    from mail2ticket.storage import read_bytes

    truth = pd.read_csv(BytesIO(read_bytes(str(uri))))
    missing = {"timestamp", "series"} - set(truth.columns)
    if missing:
        raise ValueError(f"{uri}: an anomalies file needs the columns timestamp and series (missing {sorted(missing)})")
    truth["timestamp"] = pd.to_datetime(truth["timestamp"]).dt.normalize()
    return truth


def histories(frame: pd.DataFrame) -> dict[str, pd.Series]:
    """Each series of a long frame as a daily-indexed Series."""
    return {str(name): rows.set_index("timestamp")["value"].sort_index() for name, rows in frame.groupby("series")}


# ----------------------------------------------------------------------------------------- steps


def training_history(history_csv: str | Path, horizon: int) -> pd.DataFrame:
    """The history the forecaster trains on: all but its last ``horizon`` days, the validation period
    :meth:`~mail2ticket.ops.llm_forecaster.LLMForecaster.calibrate` forecasts to size the interval."""
    frame = read_series(history_csv)
    cutoff = frame["timestamp"].max() - pd.Timedelta(days=horizon)
    return frame[frame["timestamp"] <= cutoff]


def prepare_series_step(input_uri: str, out_dir: str | Path, horizon: int) -> dict[str, Any]:
    """Read and regularise the series; hold out the last ``horizon`` days (``history.csv``, ``holdout.csv``)."""
    out = Path(out_dir)
    frame = regularize(read_series(input_uri))
    history, holdout = split_holdout(frame, horizon)
    write_series(history, out / "history.csv")
    write_series(holdout, out / "holdout.csv")
    summary = {
        "input": str(input_uri),
        "series": sorted(frame["series"].unique().tolist()),
        "days": int(frame["timestamp"].nunique()),
        "first_day": frame["timestamp"].min().date().isoformat(),
        "last_day": frame["timestamp"].max().date().isoformat(),
        "horizon": horizon,
        "history_rows": len(history),
        "holdout_rows": len(holdout),
    }
    (out / "summary.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    return summary


def baselines_step(history_csv: str | Path, out_path: str | Path, settings: ForecastSettings) -> Path:
    """Every baseline's forecast of every series (:data:`~mail2ticket.ops.baselines.BASELINES`)."""
    series = histories(read_series(history_csv))
    frames = []
    for fit in BASELINES.values():
        forecasts = {
            name: fit(values, settings.horizon, settings.season, settings.level) for name, values in series.items()
        }
        frames.append(forecasts_frame(forecasts))
    target = Path(out_path)
    target.parent.mkdir(parents=True, exist_ok=True)
    pd.concat(frames, ignore_index=True).to_csv(target, index=False)
    return target


def train_forecaster_step(
    history_csv: str | Path,
    adapter_dir: str | Path,
    base_model: str,
    settings: ForecastSettings,
    config: ForecasterConfig,
    tracking_uri: str | None = None,
    experiment: str = FORECAST_EXPERIMENT,
) -> dict[str, Any]:
    """Train the LLM forecaster on the history; log it under a new parent run. Returns the candidate's run id.

    The training windows end before the validation period (:func:`training_history`), which
    :func:`llm_forecast_step` forecasts to calibrate the interval.
    """
    import mlflow

    from mail2ticket.registry.models import resolve_model

    tracking.client(tracking_uri)  # fail before training if MLflow is unreachable
    training = training_history(history_csv, settings.horizon)
    model_dir = resolve_model(base_model)
    tracking.use_experiment(experiment, tracking_uri, kind=tracking.FORECASTING_KIND)
    kfp_run = tracking.run_tags().get(tracking.KFP_RUN_ID_TAG)
    parent_name = f"forecast {kfp_run}" if kfp_run else f"forecast {time.strftime('%Y-%m-%d %H:%M:%S')}"
    with mlflow.start_run(run_name=parent_name, tags=tracking.run_tags({"mail2ticket.step": "pipeline"})):
        mlflow.log_params({"base_model": base_model, **settings.model_dump()})
        with mlflow.start_run(
            run_name=f"llm_lora: {base_model} + LoRA", nested=True,
            tags=tracking.run_tags({"mail2ticket.step": "train", "mail2ticket.model": "llm_lora"}),
        ) as run:  # fmt: skip
            mlflow.log_params({"base_model": base_model, **config.model_dump(exclude={"training"}),
                               **config.training.model_dump()})  # fmt: skip
            result = train_forecaster(
                model_dir, training, settings.horizon, adapter_dir, config, base_model,
                on_step=lambda step, loss, lr: mlflow.log_metrics({"train_loss": loss, "learning_rate": lr},
                                                                  step=step, synchronous=False),
            )  # fmt: skip
            mlflow.log_metrics({"train_seconds": result.seconds, "train_windows": float(result.train_examples),
                                "train_tokens_per_second": result.tokens_per_second})  # fmt: skip
            mlflow.set_tag("prompt_version", result.metadata["prompt_version"])
            mlflow.log_artifacts(str(adapter_dir), "adapter")
    return {"run_id": run.info.run_id, "steps": result.steps, "train_windows": result.train_examples}


def llm_forecast_step(
    history_csv: str | Path,
    out_path: str | Path,
    base_model: str,
    adapter: str | None,
    settings: ForecastSettings,
    config: ForecasterConfig,
    engine: Any = None,
) -> dict[str, Any]:
    """The LLM's forecasts (through the serving engine), intervals calibrated on the validation period."""
    from mail2ticket.engines.factory import make_engine

    engine = engine or make_engine("transformers", base_model)
    series = histories(read_series(history_csv))
    forecaster = LLMForecaster(engine, adapter, config.model_copy(update={"interval_level": settings.level}))
    started = time.perf_counter()
    forecaster.calibrate(series, settings.horizon)
    batch = forecaster.forecast(series, settings.horizon)
    write_forecasts(batch.forecasts, out_path)
    return {
        "valid_forecasts": batch.valid,
        "requested_forecasts": batch.requested,
        "valid_rate": batch.valid / batch.requested if batch.requested else 0.0,
        "seconds": time.perf_counter() - started,
    }


def evaluate_step(
    history_csv: str | Path,
    holdout_csv: str | Path,
    forecast_csvs: list[str | Path],
    out_dir: str | Path,
    settings: ForecastSettings,
    anomalies_uri: str | None = None,
    llm_summary: Mapping[str, Any] | None = None,
    candidate_run_id: str | None = None,
    tracking_uri: str | None = None,
) -> dict[str, Any]:
    """Score every model on the held-out period, flag anomalies, plot; log each model to its MLflow run.

    Returns (and writes as ``report.json``) per model: the mean of every score over the series
    and the scores of each series; ``best_baseline`` and ``best_model`` (whose interval flags
    anomalies); the anomaly detection figures; the flagged days are written to ``anomalies.csv``.
    """
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    history = histories(read_series(history_csv))
    holdout = histories(read_series(holdout_csv))
    models: dict[str, dict[str, Forecast]] = {}
    for path in forecast_csvs:
        models.update(read_forecasts(path))
    report: dict[str, Any] = {"horizon": settings.horizon, "season": settings.season, "models": {}}
    for model, forecasts in models.items():
        per_series = {
            name: forecast_scores(holdout[name].to_numpy(), forecast, history[name].to_numpy(), settings.season)
            for name, forecast in forecasts.items()
            if name in holdout
        }
        keys = sorted({k for scores in per_series.values() for k in scores})
        means = {k: float(np.nanmean([s[k] for s in per_series.values() if k in s])) for k in keys}
        report["models"][model] = {"mean": means, "series": per_series}
    baselines = [m for m in report["models"] if m in BASELINES]
    report["best_baseline"] = (
        min(baselines, key=lambda m: report["models"][m]["mean"][PROMOTION_METRIC]) if baselines else None
    )
    if llm_summary:
        report["models"].get("llm_lora", {}).setdefault("mean", {}).update({"valid_rate": llm_summary["valid_rate"]})
    scored = [m for m in report["models"] if np.isfinite(report["models"][m]["mean"].get(PROMOTION_METRIC, np.nan))]
    report["best_model"] = min(scored, key=lambda m: report["models"][m]["mean"][PROMOTION_METRIC]) if scored else None
    # Monitoring watches the intervals of the model that forecasts best.
    flagged = _anomalies(history, holdout, models, report["best_model"], settings)
    flagged.to_csv(out / "anomalies.csv", index=False)
    report["anomalies"] = {
        "flagged": len(flagged),
        "by_method": flagged["method"].value_counts().to_dict() if len(flagged) else {},
    }
    if anomalies_uri:
        truth = read_anomalies(anomalies_uri)
        report["anomalies"].update(_detection(flagged, truth[truth["series"].isin(list(holdout))], holdout))
    plots = _plots(history, holdout, models, flagged, out)
    (out / "report.json").write_text(json.dumps(report, indent=2, default=float), encoding="utf-8")
    if candidate_run_id:
        _log_evaluation(report, plots, out, candidate_run_id, tracking_uri)
    return report


def _anomalies(
    history: Mapping[str, pd.Series],
    holdout: Mapping[str, pd.Series],
    models: Mapping[str, Mapping[str, Forecast]],
    reference: str | None,
    settings: ForecastSettings,
) -> pd.DataFrame:
    """Flagged days, two ways: ``interval`` (held-out days outside the reference model's interval)
    and ``isolation_forest`` (outliers of the residuals of a robust decomposition of each whole
    series, history and held-out period together). Public holidays are never flagged.
    """
    parts = []
    for name, actual in holdout.items():
        whole = pd.concat([history[name], actual]) if name in history else actual
        days = pd.DatetimeIndex(whole.index)
        holidays = list(french_holidays(range(days[0].year, days[-1].year + 1)))
        forecast = models[reference].get(name) if reference else None
        if forecast is not None:
            outside = interval_anomalies(actual.rename(name), forecast, holidays=holidays)
            parts.append(outside.assign(method="interval"))
        residuals = in_sample_residuals(whole.rename(name), settings.season, holidays=holidays)
        forest = isolation_forest_anomalies(residuals, settings.contamination, holidays=holidays)
        parts.append(forest.assign(method="isolation_forest"))
    parts = [p for p in parts if len(p)]
    return pd.concat(parts, ignore_index=True) if parts else pd.DataFrame(columns=["series", "timestamp", "method"])


def _detection(flagged: pd.DataFrame, truth: pd.DataFrame, holdout: Mapping[str, pd.Series]) -> dict[str, Any]:
    """Each method's precision and recall over the days it looks at (the held-out period, or everything)."""
    first_held_out = min(v.index[0] for v in holdout.values())
    scores: dict[str, Any] = {}
    for method in ("interval", "isolation_forest"):
        rows = flagged[flagged["method"] == method] if len(flagged) else flagged
        scope = truth[truth["timestamp"] >= first_held_out] if method == "interval" else truth
        scores[method] = {**detection_scores(rows, scope), "scope": "held-out" if method == "interval" else "whole"}
    return scores


def _plots(
    history: Mapping[str, pd.Series],
    holdout: Mapping[str, pd.Series],
    models: Mapping[str, Mapping[str, Forecast]],
    flagged: pd.DataFrame,
    out: Path,
) -> list[Path]:
    paths = []
    for name, actual in holdout.items():
        forecasts = [by_series[name] for by_series in models.values() if name in by_series]
        marks = flagged[flagged["series"] == name] if len(flagged) else None
        path = out / "plots" / f"{_slug(name)}.png"
        path.parent.mkdir(parents=True, exist_ok=True)
        plot_forecast(history[name], actual, forecasts, path, title=name, anomalies=marks)
        paths.append(path)
    return paths


def _slug(name: str) -> str:
    return "".join(c if c.isalnum() else "_" for c in name).strip("_")[:80] or "series"


def _log_evaluation(
    report: Mapping[str, Any], plots: list[Path], out: Path, candidate_run_id: str, tracking_uri: str | None
) -> None:
    """Each model's figures on its own run beside the candidate (same names, compared in MLflow's UI)."""
    mlflow_client = tracking.client(tracking_uri)
    for model, figures in report["models"].items():
        run_id = candidate_run_id if model == "llm_lora" else tracking.child_run(
            mlflow_client, candidate_run_id, model, {"mail2ticket.step": "baseline", "mail2ticket.model": model}
        )  # fmt: skip
        metrics = {k: v for k, v in figures["mean"].items() if np.isfinite(v)}
        for name, scores in figures["series"].items():
            metrics |= {
                f"{k}.{_slug(name)}": v for k, v in scores.items() if k in ("mase", "smape", "mae") and np.isfinite(v)
            }
        metrics["anomalies_flagged"] = float(report["anomalies"]["flagged"])
        for key, value in report["anomalies"].items():
            if isinstance(value, dict) and "precision" in value:
                metrics |= {f"anomaly_{key}_{k}": float(v) for k, v in value.items() if isinstance(v, int | float)}
        mlflow_client.log_batch(run_id, metrics=[_metric(k, v) for k, v in metrics.items()])
        if model == "llm_lora" or model == report["best_baseline"]:
            for path in plots:
                mlflow_client.log_artifact(run_id, str(path), "plots")
        mlflow_client.log_artifact(run_id, str(out / "report.json"), "evaluation")
        mlflow_client.log_artifact(run_id, str(out / "anomalies.csv"), "evaluation")
        if run_id != candidate_run_id:
            mlflow_client.set_terminated(run_id)


def _metric(key: str, value: float) -> Any:
    from mlflow.entities import Metric

    return Metric(key, float(value), int(time.time() * 1000), 0)


def promote_step(
    report: Mapping[str, Any],
    candidate_run_id: str,
    settings: ForecastSettings,
    registered_model: str = FORECASTER_MODEL,
    tracking_uri: str | None = None,
) -> dict[str, Any]:
    """Register the candidate as ``champion`` only when its mean MASE beats the best baseline's.

    A candidate that loses is not registered (no version points at a model worse than a
    formula); the decision and its reason are tags of the candidate's run either way.
    """
    mlflow_client = tracking.client(tracking_uri)
    candidate = report["models"].get("llm_lora", {}).get("mean", {}).get(PROMOTION_METRIC)
    best = report.get("best_baseline")
    baseline = report["models"][best]["mean"][PROMOTION_METRIC] if best else None
    if candidate is None or not np.isfinite(candidate):
        decision = {"promoted": False, "reason": "the candidate has no MASE (no valid forecast)"}
    elif baseline is not None and not candidate < baseline - settings.min_mase_gain:
        decision = {
            "promoted": False,
            "reason": f"MASE {candidate:.3f} does not beat {best} ({baseline:.3f}) by {settings.min_mase_gain}",
        }
    else:
        _ensure_registered(mlflow_client, registered_model)
        version = mlflow_client.create_model_version(
            registered_model, f"runs:/{candidate_run_id}/adapter", run_id=candidate_run_id
        )
        mlflow_client.set_registered_model_alias(registered_model, tracking.CHAMPION, version.version)
        decision = {
            "promoted": True, "version": version.version, "alias": tracking.CHAMPION,
            "reason": f"MASE {candidate:.3f} beats {best} ({baseline:.3f})" if best else "no baseline to beat",
        }  # fmt: skip
    decision |= {"candidate_mase": candidate, "best_baseline": best, "best_baseline_mase": baseline}
    mlflow_client.set_tag(candidate_run_id, "promotion", "promoted" if decision["promoted"] else "not promoted")
    mlflow_client.set_tag(candidate_run_id, "promotion_reason", decision["reason"])
    return decision


def run_forecast(
    series_uri: str,
    out_dir: str | Path,
    settings: ForecastSettings,
    config: ForecasterConfig,
    base_model: str = "embedded:smollm2-135m",
    anomalies_uri: str | None = None,
    llm: bool = True,
    adapter: str | None = None,
    tracking_uri: str | None = None,
) -> dict[str, Any]:
    """Every step in a row on this machine (``mail2ticket forecast run``); the report, with the promotion.

    With a tracking URI the runs go to MLflow and the candidate may be registered, as in the
    pipeline; without one nothing leaves ``out_dir``. ``adapter`` forecasts with an adapter
    trained before instead of training one; ``llm=False`` runs the baselines only.
    """
    out = Path(out_dir)
    prepare_series_step(series_uri, out, settings.horizon)
    forecast_csvs: list[str | Path] = [baselines_step(out / "history.csv", out / "baselines.csv", settings)]
    run_id = None
    summary = None
    if llm:
        if adapter is None:
            adapter = str(out / "adapter")
            if tracking_uri:
                run_id = train_forecaster_step(
                    out / "history.csv", adapter, base_model, settings, config, tracking_uri
                )["run_id"]
            else:
                from mail2ticket.registry.models import resolve_model

                training = training_history(out / "history.csv", settings.horizon)
                train_forecaster(resolve_model(base_model), training, settings.horizon, adapter, config, base_model)
        summary = llm_forecast_step(out / "history.csv", out / "llm.csv", base_model, adapter, settings, config)
        forecast_csvs.append(out / "llm.csv")
    report = evaluate_step(
        out / "history.csv", out / "holdout.csv", forecast_csvs, out, settings, anomalies_uri, summary, run_id,
        tracking_uri,
    )  # fmt: skip
    if run_id:
        report["promotion"] = promote_step(report, run_id, settings, tracking_uri=tracking_uri)
    return report


def _ensure_registered(mlflow_client: Any, name: str) -> None:
    from mlflow.exceptions import MlflowException

    try:
        mlflow_client.get_registered_model(name)
    except MlflowException:
        mlflow_client.create_registered_model(name, description="LoRA adapters that forecast daily series.")


__all__ = [
    "FORECASTER_MODEL",
    "FORECAST_EXPERIMENT",
    "ForecastSettings",
    "baselines_step",
    "evaluate_step",
    "forecasts_frame",
    "histories",
    "llm_forecast_step",
    "prepare_series_step",
    "promote_step",
    "read_forecasts",
    "run_forecast",
    "train_forecaster_step",
    "write_forecasts",
]
