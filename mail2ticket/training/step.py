"""The pipeline's training step: train an adapter and log everything to a new MLflow run.

The KFP component in ``components/train_adapter.py`` is a thin wrapper around this function,
so the step is tested without a cluster and behaves the same under ``kfp.local`` and on
Kubernetes. The tracking server comes from the argument or ``MLFLOW_TRACKING_URI`` (a Secret in
the cluster).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mail2ticket.data.records import read_labelled_jsonl
from mail2ticket.registry import tracking
from mail2ticket.registry.models import resolve_model
from mail2ticket.storage import is_s3, upload
from mail2ticket.taxonomy import load_taxonomy
from mail2ticket.training.config import TrainingConfig
from mail2ticket.training.trainer import train_adapter


def training_step(
    train_path: str | Path,
    adapter_dir: str | Path,
    base_model: str,
    config: TrainingConfig,
    tracking_uri: str | None = None,
    experiment: str = tracking.DEFAULT_EXPERIMENT,
    dataset_card_path: str | Path | None = None,
    artifact_store_uri: str | None = None,
    max_examples: int | None = None,
) -> dict[str, Any]:
    """Train an adapter, log everything to a new MLflow run; returns run id and figures."""
    import mlflow

    tracking.client(tracking_uri)  # fail before hours of training if MLflow is unreachable
    records = read_labelled_jsonl(train_path)[:max_examples]
    taxonomy = load_taxonomy()
    model_dir = resolve_model(base_model)
    mlflow.set_experiment(experiment)
    with mlflow.start_run(tags=tracking.run_tags({"mail2ticket.step": "train"})) as run:
        mlflow.log_params({"base_model": base_model, "train_examples": len(records), **config.model_dump()})
        if dataset_card_path:
            mlflow.log_artifact(str(dataset_card_path), "dataset")
        result = train_adapter(
            model_dir, records, adapter_dir, config, taxonomy, base_model,
            # Queued (MLflow's async logging, flushed when the run ends): no HTTP round trip per step.
            on_step=lambda step, loss, lr: mlflow.log_metrics({"train_loss": loss, "learning_rate": lr}, step=step,
                                                              synchronous=False),
        )  # fmt: skip
        mlflow.log_metrics(
            {"train_tokens_per_second": result.tokens_per_second, "train_seconds": result.seconds,
             "skipped_too_long": float(result.skipped_too_long)}
        )  # fmt: skip
        mlflow.set_tags(
            {"taxonomy_version": taxonomy.version, "taxonomy_digest": taxonomy.digest,
             "prompt_version": result.metadata["prompt_version"]}
        )  # fmt: skip
        mlflow.log_artifacts(str(adapter_dir), "adapter")
        copy_uri = None
        if artifact_store_uri:
            copy_uri = _copy_adapter(Path(adapter_dir), artifact_store_uri.rstrip("/") + f"/{run.info.run_id}")
            mlflow.set_tag("adapter_uri", copy_uri)
    return {
        "run_id": run.info.run_id,
        "steps": result.steps,
        "final_loss": result.losses[-1],
        "adapter_uri": copy_uri,
        "metadata": result.metadata,
    }


def _copy_adapter(adapter_dir: Path, destination: str) -> str:
    for file in sorted(p for p in adapter_dir.rglob("*") if p.is_file()):
        target = f"{destination}/{file.relative_to(adapter_dir).as_posix()}"
        upload(file, target if is_s3(destination) else Path(target))
    return destination


__all__ = ["training_step"]
