"""What each training-pipeline step does, with its MLflow logging, free of Kubeflow imports.

The KFP components in ``components/`` are thin wrappers around these functions, so the steps
are tested without a cluster and behave the same under ``kfp.local`` and on Kubernetes.
The tracking server comes from the argument or ``MLFLOW_TRACKING_URI`` (a Secret in the cluster).
"""

from __future__ import annotations

import json
import shutil
import time
from pathlib import Path
from typing import Any

from mail2ticket import tracking
from mail2ticket.evaluation import (
    EvaluationError,
    adapter_metadata,
    check_adapter,
    evaluate,
    read_labelled_jsonl,
    write_outputs,
)
from mail2ticket.promotion import PromotionDecision, PromotionPolicy, promote
from mail2ticket.storage import is_s3, upload
from mail2ticket.taxonomy import load_taxonomy
from mail2ticket.training import TrainingConfig, train_adapter


def _tracking(uri: str | None) -> Any:
    return tracking.client(uri or None)


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

    from mail2ticket.models import resolve_model

    _tracking(tracking_uri)  # fail before hours of training if MLflow is unreachable
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
    return {"run_id": run.info.run_id, "steps": result.steps, "final_loss": result.losses[-1], "adapter_uri": copy_uri}


def _copy_adapter(adapter_dir: Path, destination: str) -> str:
    for file in sorted(p for p in adapter_dir.rglob("*") if p.is_file()):
        target = f"{destination}/{file.relative_to(adapter_dir).as_posix()}"
        upload(file, target if is_s3(destination) else Path(target))
    return destination


def evaluation_step(
    test_path: str | Path,
    out_dir: str | Path,
    base_model: str,
    adapter_dir: str | Path | None = None,
    mode: str = "constrained",
    prompt_style: str | None = None,
    tracking_uri: str | None = None,
    run_id: str | None = None,
    metric_prefix: str = "",
    max_examples: int | None = None,
    copy_to: dict[str, str] | None = None,
) -> dict[str, Any]:
    """Evaluate base model (+ adapter) on the test set; metrics go to run ``run_id`` if given.

    ``copy_to`` maps output names (``metrics``, ``predictions``, ``confusion_matrix``) to
    paths where a copy is wanted (the KFP output artifacts).
    """
    from mail2ticket.engines.transformers_engine import TransformersEngine
    from mail2ticket.models import resolve_model

    taxonomy = load_taxonomy()
    records = read_labelled_jsonl(test_path)[:max_examples]
    model_dir = resolve_model(base_model)
    style = prompt_style or "full"
    if adapter_dir:
        metadata = adapter_metadata(adapter_dir)
        check_adapter(metadata, base_model, model_dir, taxonomy)
        style = prompt_style or metadata.get("prompt_style", "full")
    engine = TransformersEngine(model_dir)
    result = evaluate(engine, records, taxonomy, str(adapter_dir) if adapter_dir else None, mode, style)  # type: ignore[arg-type]
    paths = write_outputs(result, out_dir, title=f"{base_model}{' + adapter' if adapter_dir else ' zero-shot'}")
    summary = result.summary()
    if run_id:
        from mlflow.entities import Metric

        client = _tracking(tracking_uri)
        now = int(time.time() * 1000)
        # One request for the ~40 metrics (per-class ones included), not one each.
        client.log_batch(run_id, metrics=[Metric(metric_prefix + key, value, now, 0)
                                          for key, value in result.report.as_metrics().items()])  # fmt: skip
        for path in paths.values():
            client.log_artifact(run_id, str(path), f"evaluation/{metric_prefix.rstrip('_') or 'candidate'}")
    for name, destination in (copy_to or {}).items():
        shutil.copyfile(paths[name], destination)
    return {**summary, "paths": {k: str(v) for k, v in paths.items()}}


def promotion_step(
    metrics_path: str | Path,
    run_id: str,
    policy: PromotionPolicy,
    tracking_uri: str | None = None,
    registered_model: str = tracking.REGISTERED_MODEL,
) -> PromotionDecision:
    """Register the run's adapter and move the champion/challenger aliases per ``policy``."""
    try:
        metrics = json.loads(Path(metrics_path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise EvaluationError(f"{metrics_path}: no evaluation metrics ({exc}); nothing promoted") from None
    candidate = {k: float(metrics[k]) for k in ("macro_f1", "accuracy", "match_rate") if k in metrics}
    client = _tracking(tracking_uri)
    run = client.get_run(run_id)
    tags = {k: run.data.tags[k] for k in ("taxonomy_version", "prompt_version") if k in run.data.tags}
    if tracking.KFP_RUN_ID_TAG in run.data.tags:
        tags[tracking.KFP_RUN_ID_TAG] = run.data.tags[tracking.KFP_RUN_ID_TAG]
    return promote(client, run_id, candidate, policy, registered_model, tags)
