"""The drift report in MLflow: one run per check, the figures as metrics, the JSON and the PNG as artifacts."""

from __future__ import annotations

import tempfile
import time
from pathlib import Path
from typing import Any

from mail2ticket.ops.drift.errors import DriftError
from mail2ticket.ops.drift.plots import plot_drift
from mail2ticket.ops.drift.report import DriftReport

#: The MLflow experiment drift reports go to.
DEFAULT_EXPERIMENT = "mail2ticket-drift"


def log_report(
    report: DriftReport,
    tracking_uri: str | None = None,
    experiment: str = DEFAULT_EXPERIMENT,
    png: str | Path | None = None,
    run_name: str | None = None,
) -> str:
    """A new MLflow run in ``experiment``: the figures as metrics, thresholds as params, the JSON and PNG; its id.

    Tags: ``mail2ticket.step`` = ``drift``, ``drifted``, the reference model version, and the
    KFP run id inside a pipeline (:func:`mail2ticket.registry.tracking.run_tags`).
    """
    from mlflow.exceptions import MlflowException

    from mail2ticket.registry import tracking

    try:
        mlflow_client = tracking.client(tracking_uri)
    except tracking.TrackingError as exc:
        raise DriftError(f"cannot log the drift report: {exc}") from None
    try:
        return _log(mlflow_client, report, experiment, png, run_name)
    except MlflowException as exc:
        raise DriftError(f"cannot log the drift report to {mlflow_client.tracking_uri}: {exc.message}") from None


def _log(mlflow_client: Any, report: DriftReport, experiment: str, png: str | Path | None, run_name: str | None) -> str:
    from mlflow.entities import Metric, Param
    from mlflow.exceptions import MlflowException

    from mail2ticket.registry import tracking

    found = mlflow_client.get_experiment_by_name(experiment)
    if found is not None:
        experiment_id = found.experiment_id
    else:
        try:
            experiment_id = mlflow_client.create_experiment(experiment)
        except MlflowException:  # created meanwhile by a concurrent run
            experiment_id = mlflow_client.get_experiment_by_name(experiment).experiment_id
    model = report.reference.get("model") or {}
    tags = {"mail2ticket.step": "drift", "drifted": str(report.drifted).lower(), "window.since": report.since,
            "window.until": report.until,
            **{f"reference.{k}": str(v) for k, v in model.items() if v is not None}}  # fmt: skip
    run = mlflow_client.create_run(
        experiment_id, run_name=run_name or f"drift {report.since} to {report.until}", tags=tracking.run_tags(tags)
    )
    run_id = run.info.run_id
    try:
        now = int(time.time() * 1000)
        params = {k: "" if v is None else str(v) for k, v in report.thresholds.items()}
        mlflow_client.log_batch(
            run_id,
            metrics=[Metric(k, v, now, 0) for k, v in report.metrics().items()],
            params=[Param(k, v) for k, v in params.items()],
        )
        mlflow_client.log_dict(run_id, report.to_dict(), "drift/drift_report.json")
        with tempfile.TemporaryDirectory(prefix="mail2ticket-drift-") as scratch:
            picture = Path(png) if png else plot_drift(report, Path(scratch) / "drift.png")
            mlflow_client.log_artifact(run_id, str(picture), "drift")
    except Exception:
        mlflow_client.set_terminated(run_id, "FAILED")
        raise
    mlflow_client.set_terminated(run_id, "FINISHED")
    return run_id


__all__ = [
    "DEFAULT_EXPERIMENT",
    "log_report",
]
