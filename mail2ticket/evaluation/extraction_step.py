"""The pipeline's extraction evaluation step: who fills the tickets, scored on the test and dev sets, logged to MLflow.

The extraction agents are evaluated as serving runs them (``combined``: the alert parsers, then
the model) with the candidate adapter, and the same way without it (the prompts-only agents, the
baseline) and with the parsers alone. Each lands in a run of its own beside the classifier
candidate's, under the same metric names (:meth:`ExtractionResult.as_metrics`: test figures bare,
the hand-written dev set's prefixed ``dev_``), so MLflow's compare view sets them side by side.

The KFP components in ``components/`` are thin wrappers around this function, so the step is
tested without a cluster and behaves the same under ``kfp.local`` and on Kubernetes.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mail2ticket.evaluation.candidate import Candidate
from mail2ticket.evaluation.extraction import (
    ExtractionResult,
    evaluate_extraction,
    read_extraction_jsonl,
    write_extraction_outputs,
)
from mail2ticket.evaluation.step import DEV_PREFIX
from mail2ticket.extraction import ExtractorMode
from mail2ticket.registry import tracking
from mail2ticket.taxonomy import load_taxonomy

#: Tokens an extraction may write: enough for every field of the longest schema.
EXTRACTION_BUDGET = 256


def spread(records: Sequence[dict[str, Any]], limit: int | None) -> list[dict[str, Any]]:
    """At most ``limit`` records taken evenly across ``records`` (all when ``limit`` is None or larger).

    A capped evaluation then still sees every part of a file written category by category,
    where its first rows would be one category only.
    """
    if not limit or limit >= len(records):
        return list(records)
    return [records[i * len(records) // limit] for i in range(limit)]


def extraction_evaluation_step(
    test_path: str | Path,
    out_dir: str | Path,
    base_model: str,
    adapter_dir: str | Path | None = None,
    extractor: ExtractorMode = "combined",
    tracking_uri: str | None = None,
    sibling_run_id: str | None = None,
    run_name: str | None = None,
    max_examples: int | None = None,
    dev_path: str | Path | None = None,
    copy_to: dict[str, str] | None = None,
    max_new_tokens: int = EXTRACTION_BUDGET,
) -> dict[str, Any]:
    """Score the extraction agents on the test set's ground-truth fields and the optional dev set.

    ``adapter_dir``: the extractor adapter (None: the prompts-only agents). ``extractor``: who
    fills the fields (``combined`` as served, ``model``, ``parsers``). Only test rows with
    ground truth count (preparation writes ``{}`` for a ticket the ground-truth file does not
    cover). ``max_examples`` caps both sets, taken evenly across each (:func:`spread`).
    With ``sibling_run_id`` the figures go to a new run ``run_name`` beside it, or into
    ``sibling_run_id`` itself when ``run_name`` is None. ``copy_to`` maps ``metrics`` (the
    flat metrics JSON promotion reads) and ``predictions`` to paths where a copy is wanted.
    """
    taxonomy = load_taxonomy()
    sets = {"test": spread([r for r in read_extraction_jsonl(test_path, taxonomy) if r["fields"]], max_examples)}
    if dev_path:
        sets["dev"] = spread(read_extraction_jsonl(dev_path, taxonomy), max_examples)
    kind = "extractor"
    candidate = Candidate.resolve(base_model, adapter_dir, None, taxonomy, kind) if extractor != "parsers" else None
    engine = candidate.engine() if candidate else None
    adapter = candidate.adapter if candidate else None
    budget = {"max_new_tokens": max_new_tokens, "extractor": extractor}
    results = {name: evaluate_extraction(engine, rows, taxonomy, adapter, **budget) for name, rows in sets.items()}
    out = Path(out_dir)
    paths: dict[str, Path] = {}
    for name, result in results.items():
        prefix = "" if name == "test" else DEV_PREFIX
        paths.update({prefix + k: v for k, v in write_extraction_outputs(result, out / name).items()})
    metrics = flat_metrics(results)
    paths["flat_metrics"] = out / "metrics.json"
    paths["flat_metrics"].write_text(json.dumps(metrics, indent=2), encoding="utf-8")
    summary: dict[str, Any] = dict(metrics)
    if sibling_run_id:
        summary["run_id"] = _log(tracking_uri, sibling_run_id, run_name, metrics, paths, sets, test_path, dev_path)
    for name, destination in (copy_to or {}).items():
        shutil.copyfile(paths["flat_metrics" if name == "metrics" else name], destination)
    return {**summary, "paths": {k: str(v) for k, v in paths.items()}}


def flat_metrics(results: dict[str, ExtractionResult]) -> dict[str, float]:
    """The test set's metrics as they are, every other set's prefixed ``dev_``."""
    metrics = dict(results["test"].as_metrics())
    if "dev" in results:
        metrics.update({DEV_PREFIX + k: v for k, v in results["dev"].as_metrics().items()})
    return metrics


def _log(
    tracking_uri: str | None,
    sibling_run_id: str,
    run_name: str | None,
    metrics: dict[str, float],
    paths: dict[str, Path],
    sets: dict[str, list[dict[str, Any]]],
    test_path: str | Path,
    dev_path: str | Path | None,
) -> str:
    """Metrics, dataset inputs and outputs into ``sibling_run_id`` or a new run ``run_name`` beside it."""
    import mlflow
    from mlflow.entities import Metric

    client = tracking.client(tracking_uri)
    tags = {"mail2ticket.step": "evaluate", "mail2ticket.model": "extractor"}
    target = tracking.child_run(client, sibling_run_id, run_name, tags) if run_name else sibling_run_id
    now = int(time.time() * 1000)
    items = [Metric(key, value, now, 0) for key, value in metrics.items()]
    for start in range(0, len(items), 1000):  # MLflow takes at most 1,000 metrics per batch
        client.log_batch(target, metrics=items[start : start + 1000])
    with mlflow.start_run(run_id=target):
        for name, records in sets.items():
            tracking.log_dataset(records, name, "evaluation", str(test_path if name == "test" else dev_path))
    for name, path in paths.items():
        folder = "extraction/dev" if name.startswith(DEV_PREFIX) else "extraction"
        client.log_artifact(target, str(path), folder)
    return target


__all__ = ["EXTRACTION_BUDGET", "extraction_evaluation_step", "flat_metrics", "spread"]
