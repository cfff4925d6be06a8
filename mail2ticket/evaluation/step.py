"""The pipeline's evaluation step: one classifier on the test set (and the dev and reviewed sets), logged to MLflow.

The classifier is the candidate (base model + adapter, calibrated), the zero-shot base model,
the classical model shipped in the adapter folder, or the cascade of the two. Each is logged
under the same metric names (test figures bare, the hand-written dev set's prefixed ``dev_``,
the reviewed set's ``reviewed_``), the candidate into its own run and every other one into a
run of its own beside it, so MLflow's compare view sets them side by side. The reviewed set is
the slice of the review queue's decisions that preparation held out of training: production
mail a person labelled, the closest measure of what serving will meet.

The KFP components in ``components/`` are thin wrappers around this function, so the step is
tested without a cluster and behaves the same under ``kfp.local`` and on Kubernetes.
"""

from __future__ import annotations

import json
import shutil
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any, Literal

from mail2ticket.classical import ADAPTER_SUBDIR, ClassicalClassifier, Routing
from mail2ticket.data.records import read_labelled_jsonl
from mail2ticket.evaluation.candidate import Candidate
from mail2ticket.evaluation.classification import EvaluationResult, evaluate, evaluate_scorer, write_outputs
from mail2ticket.evaluation.scorers import CascadeScorer, ClassicalScorer, LLMScorer
from mail2ticket.registry import tracking
from mail2ticket.registry.adapters import read_metadata, resolve_adapter
from mail2ticket.taxonomy import load_taxonomy

EvaluatedModel = Literal["llm", "classical", "cascade"]
#: Prefix of the hand-written dev set's metrics.
DEV_PREFIX = "dev_"
#: Prefix of the reviewed set's metrics (review-queue decisions held out of training).
REVIEWED_PREFIX = "reviewed_"
#: The sets evaluated beside the test set, when given: metric prefix and how reports title them.
EXTRA_SETS: dict[str, tuple[str, str]] = {
    "dev": (DEV_PREFIX, "hand-written dev set"),
    "reviewed": (REVIEWED_PREFIX, "reviewed set"),
}


def evaluation_step(
    test_path: str | Path,
    out_dir: str | Path,
    base_model: str,
    adapter_dir: str | Path | None = None,
    mode: str = "constrained",
    prompt_style: str | None = None,
    tracking_uri: str | None = None,
    run_id: str | None = None,
    max_examples: int | None = None,
    copy_to: dict[str, str] | None = None,
    model: EvaluatedModel = "llm",
    dev_path: str | Path | None = None,
    run_name: str | None = None,
    reviewed_path: str | Path | None = None,
) -> dict[str, Any]:
    """Evaluate one classifier on the test set and the optional dev and reviewed sets; log to MLflow given ``run_id``.

    ``model``: ``llm`` (the base model, with ``adapter_dir`` or zero-shot), ``classical`` or
    ``cascade`` (both need the adapter folder, which holds the classical model and the
    calibration). ``run_name``: log into a new run of that name beside ``run_id`` instead of
    into ``run_id``. ``copy_to`` maps output names (``metrics``, ``predictions``,
    ``confusion_matrix``) to paths where a copy is wanted (the KFP output artifacts).
    ``dev_path`` and ``reviewed_path`` are evaluated whole (``max_examples`` caps the test set only).
    """
    taxonomy = load_taxonomy()
    sets = {"test": read_labelled_jsonl(test_path)[:max_examples]}
    sources = {"test": test_path, "dev": dev_path, "reviewed": reviewed_path}
    for name in EXTRA_SETS:
        if path := sources[name]:
            sets[name] = read_labelled_jsonl(path)
    score = evaluator_for(base_model, adapter_dir, mode, prompt_style, model, taxonomy)
    results = {name: score(records) for name, records in sets.items()}
    title = {"llm": f"{base_model}{' + adapter' if adapter_dir else ' zero-shot'}"}.get(model, model)
    out = Path(out_dir)
    paths = write_outputs(results["test"], out, title=title)
    summary = results["test"].summary()
    extra = [name for name in EXTRA_SETS if name in results]
    for name in extra:
        prefix, label = EXTRA_SETS[name]
        extra_paths = write_outputs(results[name], out / name, title=f"{title} ({label})")
        paths.update({prefix + output: path for output, path in extra_paths.items()})
        summary.update({prefix + k: v for k, v in results[name].report.as_metrics().items()})
    if extra:
        paths["metrics"].write_text(json.dumps({**json.loads(paths["metrics"].read_text()), **summary},
                                               ensure_ascii=False, indent=2), encoding="utf-8")  # fmt: skip
    if run_id:
        logged_to = _log(tracking_uri, run_id, run_name, results, paths, sets, sources)
        summary["run_id"] = logged_to
    for name, destination in (copy_to or {}).items():
        shutil.copyfile(paths[name], destination)
    return {**summary, "paths": {k: str(v) for k, v in paths.items()}}


def evaluator_for(
    base_model: str,
    adapter_dir: str | Path | None,
    mode: str,
    prompt_style: str | None,
    model: str,
    taxonomy: Any,
) -> Callable[[list[dict[str, Any]]], EvaluationResult]:
    """A function from records to an :class:`EvaluationResult` for the classifier asked for.

    ``model``: ``llm`` (base model, with the adapter when given, calibrated when the adapter
    carries a calibration), ``classical`` or ``cascade`` (both ship in the adapter folder).
    """
    if model not in ("llm", "classical", "cascade"):
        raise ValueError(f"unknown model {model!r}; expected llm, classical or cascade")
    if model != "llm" and adapter_dir is None:
        raise ValueError(f"the {model} model ships in an adapter folder: give one")
    if model == "classical":
        folder = resolve_adapter(adapter_dir)  # type: ignore[arg-type]
        routing = Routing.from_metadata(read_metadata(folder), "classical")
        scorer = ClassicalScorer(ClassicalClassifier.load(folder / ADAPTER_SUBDIR, taxonomy), routing.classical)
        return lambda records: evaluate_scorer(scorer, records, taxonomy)
    candidate = Candidate.resolve(base_model, adapter_dir, prompt_style, taxonomy)  # type: ignore[arg-type]
    engine = candidate.engine()
    routing = Routing.from_metadata(candidate.metadata, "cascade" if model == "cascade" else "llm")
    if model == "cascade":
        classical = ClassicalScorer(
            ClassicalClassifier.load(candidate.adapter_dir / ADAPTER_SUBDIR, taxonomy),  # type: ignore[operator]
            routing.classical,
        )
        llm = LLMScorer(engine, taxonomy, candidate.adapter, candidate.prompt_style, routing.llm)
        scorer = CascadeScorer(classical, llm, routing)
        return lambda records: evaluate_scorer(scorer, records, taxonomy, prompt_style=candidate.prompt_style)
    return lambda records: evaluate(engine, records, taxonomy, candidate.adapter, mode, candidate.prompt_style,  # type: ignore[arg-type]
                                    calibration=routing.llm)  # fmt: skip


def _log(
    tracking_uri: str | None,
    run_id: str,
    run_name: str | None,
    results: dict[str, EvaluationResult],
    paths: dict[str, Path],
    sets: dict[str, list[dict[str, Any]]],
    sources: dict[str, Any],
) -> str:
    """Metrics, dataset inputs and outputs into ``run_id``, or a new run ``run_name`` beside it."""
    import mlflow
    from mlflow.entities import Metric

    client = tracking.client(tracking_uri)
    target = tracking.child_run(client, run_id, run_name) if run_name else run_id
    now = int(time.time() * 1000)
    metrics = [Metric(key, value, now, 0) for key, value in results["test"].report.as_metrics().items()]
    for name, (prefix, _) in EXTRA_SETS.items():
        if name in results:
            metrics += [Metric(prefix + k, v, now, 0) for k, v in results[name].report.as_metrics().items()]
    client.log_batch(target, metrics=metrics)  # one request for the ~80 metrics, not one each
    with mlflow.start_run(run_id=target):
        for name, records in sets.items():
            tracking.log_dataset(records, name, "evaluation", str(sources[name]))
    for name, path in paths.items():
        folder = next((f"evaluation/{s}" for s, (p, _) in EXTRA_SETS.items() if name.startswith(p)), "evaluation")
        client.log_artifact(target, str(path), folder)
    return target


__all__ = ["DEV_PREFIX", "EXTRA_SETS", "REVIEWED_PREFIX", "EvaluatedModel", "evaluation_step", "evaluator_for"]
