"""The pipeline's evaluation step: a candidate (or the zero-shot base) on the test set, logged to MLflow.

The KFP components in ``components/`` are thin wrappers around this function, so the step is
tested without a cluster and behaves the same under ``kfp.local`` and on Kubernetes.
"""

from __future__ import annotations

import shutil
import time
from pathlib import Path
from typing import Any

from mail2ticket.data.records import read_labelled_jsonl
from mail2ticket.evaluation.candidate import Candidate
from mail2ticket.evaluation.classification import evaluate, write_outputs
from mail2ticket.registry import tracking
from mail2ticket.taxonomy import load_taxonomy


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
    taxonomy = load_taxonomy()
    records = read_labelled_jsonl(test_path)[:max_examples]
    candidate = Candidate.resolve(base_model, adapter_dir, prompt_style, taxonomy)  # type: ignore[arg-type]
    engine = candidate.engine()
    result = evaluate(engine, records, taxonomy, candidate.adapter, mode, candidate.prompt_style)  # type: ignore[arg-type]
    paths = write_outputs(result, out_dir, title=f"{base_model}{' + adapter' if adapter_dir else ' zero-shot'}")
    summary = result.summary()
    if run_id:
        from mlflow.entities import Metric

        client = tracking.client(tracking_uri)
        now = int(time.time() * 1000)
        # One request for the ~40 metrics (per-class ones included), not one each.
        client.log_batch(run_id, metrics=[Metric(metric_prefix + key, value, now, 0)
                                          for key, value in result.report.as_metrics().items()])  # fmt: skip
        for path in paths.values():
            client.log_artifact(run_id, str(path), f"evaluation/{metric_prefix.rstrip('_') or 'candidate'}")
    for name, destination in (copy_to or {}).items():
        shutil.copyfile(paths[name], destination)
    return {**summary, "paths": {k: str(v) for k, v in paths.items()}}


__all__ = ["evaluation_step"]
