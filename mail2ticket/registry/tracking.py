"""MLflow helpers: where runs go, what they are tagged with, and whether the server answers.

Every pipeline step logs to the tracking server named by ``MLFLOW_TRACKING_URI`` (a Secret in
the cluster, a local ``http://127.0.0.1`` server in the demo). Runs are tagged with the KFP run
id so a user going from the KFP UI to MLflow finds the runs of a pipeline run. Telemetry is off
(:mod:`mail2ticket.environment`).
"""

from __future__ import annotations

import os
import urllib.error
import urllib.request
from typing import Any

#: The registered model of the classifier adapters; serving loads its ``champion``.
REGISTERED_MODEL = "mail2ticket-classifier"
#: The registered model of the extraction agents' adapters (one adapter for every category).
EXTRACTOR_REGISTERED_MODEL = "mail2ticket-extractor"
#: The alias serving loads.
CHAMPION = "champion"
#: The alias of the latest candidate that did not beat the champion.
CHALLENGER = "challenger"
#: The MLflow experiment of the pipeline's runs.
DEFAULT_EXPERIMENT = "mail2ticket-classifier"
#: The run tag that names the KFP run a run belongs to.
KFP_RUN_ID_TAG = "kfp.run_id"
#: The experiment tag MLflow's UI reads to open an experiment on model training (not on GenAI traces).
EXPERIMENT_KIND_TAG = "mlflow.experimentKind"
EXPERIMENT_KIND = "finetuning"
#: The kind of the forecasting pipeline's experiment (MLflow's UI opens it on model training too).
FORECASTING_KIND = "forecasting"
#: The run tag that makes a run the child of another in MLflow's UI.
PARENT_RUN_TAG = "mlflow.parentRunId"


class TrackingError(RuntimeError):
    """The tracking server cannot be used; the message names it and the cause."""


def tracking_uri(uri: str | None = None) -> str:
    """``uri``, else ``MLFLOW_TRACKING_URI``; neither is an error that says how to fix it."""
    resolved = uri or os.environ.get("MLFLOW_TRACKING_URI")
    if not resolved:
        raise TrackingError("no MLflow tracking URI: set MLFLOW_TRACKING_URI or pass one")
    return resolved


def check_reachable(uri: str, timeout: float = 5.0) -> None:
    """Fail fast with a readable error when an HTTP tracking server does not answer."""
    if not uri.startswith(("http://", "https://")):
        return
    try:
        with urllib.request.urlopen(uri.rstrip("/") + "/health", timeout=timeout) as response:
            if response.status != 200:
                raise TrackingError(f"MLflow at {uri} answered HTTP {response.status} on /health")
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        raise TrackingError(f"MLflow unreachable at {uri}: {reason}") from None


def client(uri: str | None = None) -> Any:
    """An ``MlflowClient`` on a reachable server."""
    import mlflow
    from mlflow import MlflowClient

    resolved = tracking_uri(uri)
    check_reachable(resolved)
    mlflow.set_tracking_uri(resolved)
    return MlflowClient(tracking_uri=resolved)


def use_experiment(name: str, uri: str | None = None, kind: str = EXPERIMENT_KIND) -> str:
    """Make ``name`` the active experiment (created when absent), of ``kind``; returns its id."""
    import mlflow

    experiment = mlflow.set_experiment(name)
    if experiment.tags.get(EXPERIMENT_KIND_TAG) != kind:
        client(uri).set_experiment_tag(experiment.experiment_id, EXPERIMENT_KIND_TAG, kind)
    return experiment.experiment_id


def child_run(mlflow_client: Any, sibling_run_id: str, name: str, tags: dict[str, str] | None = None) -> str:
    """A new run beside ``sibling_run_id``: the same experiment and parent run, named ``name``.

    The baselines of a pipeline run are children of the same parent as the candidate, so MLflow's
    compare view sets them side by side under the same metric names.
    """
    sibling = mlflow_client.get_run(sibling_run_id)
    parent = sibling.data.tags.get(PARENT_RUN_TAG)
    run_tags_ = {**run_tags(tags), **({PARENT_RUN_TAG: parent} if parent else {})}
    run = mlflow_client.create_run(sibling.info.experiment_id, run_name=name, tags=run_tags_)
    return run.info.run_id


def log_dataset(records: list[dict[str, Any]], name: str, context: str, source: str) -> None:
    """Log ``records`` as a dataset input of the active run (name, digest, schema, source, context)."""
    import mlflow
    import pandas as pd

    columns = ["email", "category"]
    frame = pd.DataFrame([{k: r.get(k) for k in columns} for r in records], columns=columns)
    mlflow.log_input(mlflow.data.from_pandas(frame, source=source, name=name), context=context)


def run_tags(extra: dict[str, str] | None = None) -> dict[str, str]:
    """Tags every run gets: the KFP run id when running inside a pipeline."""
    tags = dict(extra or {})
    kfp_run = os.environ.get("KFP_RUN_ID") or os.environ.get("MAIL2TICKET_KFP_RUN_ID")
    if kfp_run:
        tags[KFP_RUN_ID_TAG] = kfp_run
    return tags


__all__ = [
    "CHALLENGER",
    "CHAMPION",
    "DEFAULT_EXPERIMENT",
    "EXPERIMENT_KIND",
    "EXPERIMENT_KIND_TAG",
    "EXTRACTOR_REGISTERED_MODEL",
    "FORECASTING_KIND",
    "KFP_RUN_ID_TAG",
    "PARENT_RUN_TAG",
    "REGISTERED_MODEL",
    "TrackingError",
    "check_reachable",
    "child_run",
    "client",
    "log_dataset",
    "run_tags",
    "tracking_uri",
    "use_experiment",
]
