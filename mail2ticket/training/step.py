"""The pipeline's training steps: train an adapter and log everything to a new MLflow run.

:func:`training_step` trains the classifier's adapter in a new pipeline run (the parent run);
:func:`extractor_training_step` trains the extraction agents' adapter in a run beside it.

The KFP component in ``components/train_adapter.py`` is a thin wrapper around this function,
so the step is tested without a cluster and behaves the same under ``kfp.local`` and on
Kubernetes. The tracking server comes from the argument or ``MLFLOW_TRACKING_URI`` (a Secret in
the cluster).
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from mail2ticket.data.records import read_labelled_jsonl
from mail2ticket.registry import tracking
from mail2ticket.registry.adapters import read_metadata
from mail2ticket.registry.models import resolve_model
from mail2ticket.registry.promotion import ADAPTER_MODEL_TAG
from mail2ticket.storage import is_s3, upload
from mail2ticket.taxonomy import load_taxonomy
from mail2ticket.training.config import TrainingConfig
from mail2ticket.training.extractor import train_extractor
from mail2ticket.training.routing import fit_routing
from mail2ticket.training.sampling import evenly_across
from mail2ticket.training.trainer import TrainingResult, train_adapter


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
    validation_path: str | Path | None = None,
    target_precision: float = 0.95,
) -> dict[str, Any]:
    """Train an adapter and what ships with it; log it all to MLflow. Returns the candidate's run id.

    MLflow gets one parent run per pipeline run and, under it, the candidate's run: parameters,
    loss curve, the train and validation sets as dataset inputs, the adapter (as artifacts and as
    a logged model the registry version links to), the classical model and the calibration.
    The evaluation steps add the baselines' runs beside it.
    """
    import mlflow

    mlflow_client = tracking.client(tracking_uri)  # fail before hours of training if MLflow is unreachable
    split = read_labelled_jsonl(train_path)
    records = split[:max_examples]
    validation = read_labelled_jsonl(validation_path) if validation_path else []
    taxonomy = load_taxonomy()
    model_dir = resolve_model(base_model)
    tracking.use_experiment(experiment, tracking_uri)
    kfp_run = tracking.run_tags().get(tracking.KFP_RUN_ID_TAG)
    parent_name = f"pipeline {kfp_run}" if kfp_run else f"pipeline {time.strftime('%Y-%m-%d %H:%M:%S')}"
    with mlflow.start_run(run_name=parent_name, tags=tracking.run_tags({"mail2ticket.step": "pipeline"})):
        mlflow.log_params({"base_model": base_model, "target_precision": target_precision})
        if dataset_card_path:
            mlflow.log_artifact(str(dataset_card_path), "dataset")
        with mlflow.start_run(
            run_name=f"candidate: {base_model} + LoRA", nested=True,
            tags=tracking.run_tags({"mail2ticket.step": "train", "mail2ticket.model": "llm"}),
        ) as run:  # fmt: skip
            mlflow.log_params({"base_model": base_model, "train_examples": len(records), **config.model_dump()})
            tracking.log_dataset(records, "train", "training", str(train_path))
            if validation:
                tracking.log_dataset(validation, "validation", "validation", str(validation_path))
            result = train_adapter(model_dir, records, adapter_dir, config, taxonomy, base_model, _log_step)
            # The classical model trains on the whole training split, whatever the LLM's budget.
            routing = fit_routing(
                adapter_dir, model_dir, split, validation, taxonomy, config.prompt_style, target_precision
            )
            mlflow.log_metrics({**_speed(result), **routing})
            mlflow.set_tags(
                {"taxonomy_version": taxonomy.version, "taxonomy_digest": taxonomy.digest,
                 "prompt_version": result.metadata["prompt_version"]}
            )  # fmt: skip
            mlflow.log_artifacts(str(adapter_dir), "adapter")
            model_id = _log_adapter_model(mlflow_client, run.info.run_id, Path(adapter_dir), base_model)
            copy_uri = None
            if artifact_store_uri:
                copy_uri = _copy_adapter(Path(adapter_dir), artifact_store_uri.rstrip("/") + f"/{run.info.run_id}")
                mlflow.set_tag("adapter_uri", copy_uri)
    return {
        "run_id": run.info.run_id,
        "model_id": model_id,
        "steps": result.steps,
        "final_loss": result.losses[-1],
        "adapter_uri": copy_uri,
        "metadata": read_metadata(adapter_dir),
        "routing": routing,
    }


def extractor_training_step(
    train_path: str | Path,
    adapter_dir: str | Path,
    base_model: str,
    config: TrainingConfig,
    sibling_run_id: str,
    tracking_uri: str | None = None,
    max_examples: int | None = None,
    artifact_store_uri: str | None = None,
    max_tagger_examples: int | None = None,
) -> dict[str, Any]:
    """Train the extraction agents' adapter; log it into a new run beside ``sibling_run_id``.

    The sibling is the classifier candidate's run, so both adapters of one pipeline run sit
    under the same parent in MLflow. Only records with ground-truth fields train (preparation
    writes ``{}`` for a ticket the ground-truth file does not cover); ``max_examples`` caps the
    adapter's and ``max_tagger_examples`` the taggers' (:mod:`mail2ticket.extraction.taggers`), drawn
    evenly across categories so that a small category's fields are learnt from more than a handful.
    The run holds the parameters, the loss curve, the training set as a dataset input and the
    adapter, as artifacts and as the logged model the registry version links to.
    """
    import mlflow

    mlflow_client = tracking.client(tracking_uri)
    with_truth = [r for r in read_labelled_jsonl(train_path) if r.get("fields")]
    records = with_truth[:max_examples]
    categories = [str(record["category"]) for record in with_truth]
    tagger_records = [with_truth[i] for i in evenly_across(categories, max_tagger_examples)]
    taxonomy = load_taxonomy()
    model_dir = resolve_model(base_model)
    run_id = tracking.child_run(
        mlflow_client, sibling_run_id, f"extractor candidate: {base_model} + LoRA",
        {"mail2ticket.step": "train", "mail2ticket.model": "extractor"},
    )  # fmt: skip
    with mlflow.start_run(run_id=run_id):
        mlflow.log_params(
            {"base_model": base_model, "train_examples": len(records), "tagger_train_examples": len(tagger_records),
             **config.model_dump()}
        )  # fmt: skip
        tracking.log_dataset(records, "train", "training", str(train_path))
        result = train_extractor(
            model_dir, records, adapter_dir, config, taxonomy, base_model, _log_step, tagger_records
        )
        mlflow.log_metrics(_speed(result))
        mlflow.set_tags({"taxonomy_version": taxonomy.version, "taxonomy_digest": taxonomy.digest})
        mlflow.log_artifacts(str(adapter_dir), "adapter")
        model_id = _log_adapter_model(mlflow_client, run_id, Path(adapter_dir), base_model)
        copy_uri = None
        if artifact_store_uri:
            copy_uri = _copy_adapter(Path(adapter_dir), artifact_store_uri.rstrip("/") + f"/{run_id}")
            mlflow.set_tag("adapter_uri", copy_uri)
    return {
        "run_id": run_id,
        "model_id": model_id,
        "steps": result.steps,
        "final_loss": result.losses[-1],
        "adapter_uri": copy_uri,
        "metadata": read_metadata(adapter_dir),
    }


def _log_step(step: int, loss: float, learning_rate: float) -> None:
    """One optimiser step's loss and learning rate into the active run, queued (MLflow's async
    logging, flushed when the run ends): no HTTP round trip per step."""
    import mlflow

    mlflow.log_metrics({"train_loss": loss, "learning_rate": learning_rate}, step=step, synchronous=False)


def _speed(result: TrainingResult) -> dict[str, float]:
    """How fast a training ran and what it had to leave out, as run metrics."""
    return {
        "train_tokens_per_second": result.tokens_per_second,
        "train_seconds": result.seconds,
        "skipped_too_long": float(result.skipped_too_long),
    }


def _log_adapter_model(mlflow_client: Any, run_id: str, adapter_dir: Path, base_model: str) -> str:
    """The adapter as an MLflow logged model of the run (the registry version links to it)."""
    import mlflow

    model = mlflow.initialize_logged_model(
        name="adapter", source_run_id=run_id, model_type="peft-lora", params={"base_model": base_model}
    )
    mlflow_client.log_model_artifacts(model.model_id, str(adapter_dir))
    mlflow.finalize_logged_model(model.model_id, "READY")
    mlflow.set_tag(ADAPTER_MODEL_TAG, model.model_id)
    return model.model_id


def _copy_adapter(adapter_dir: Path, destination: str) -> str:
    for file in sorted(p for p in adapter_dir.rglob("*") if p.is_file()):
        target = f"{destination}/{file.relative_to(adapter_dir).as_posix()}"
        upload(file, target if is_s3(destination) else Path(target))
    return destination


__all__ = ["extractor_training_step", "training_step"]
