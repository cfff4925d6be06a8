"""Evaluate a classifier (base model, optionally with an adapter) on a labelled JSONL file.

Through the engine interface, the same code that serves (the paper lost accuracy moving from
training to another runtime: no train/serve skew here). Two modes:

* ``constrained`` (default): every label is scored, the answer is always a label or
  ``unknown``, with a probability (match rate 1.0 by construction);
* ``generate`` (paper-faithful): free text, normalised and fuzzy-matched with the paper's
  rules; what matches nothing is *unmatched* and counts as wrong.

An adapter carries the base model, taxonomy and prompt it was trained with; evaluating it on
another base model or another taxonomy is refused (:class:`~mail2ticket.evaluation.candidate.Candidate`).
"""

from __future__ import annotations

import csv
import json
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from mail2ticket.calibration import Calibration, review_threshold
from mail2ticket.evaluation.matching import match_label
from mail2ticket.evaluation.metrics import ClassificationReport, classification_report, plot_confusion_matrix
from mail2ticket.evaluation.scorers import LLMScorer, Scorer
from mail2ticket.progress import Progress
from mail2ticket.prompts import PromptStyle, classification_prompt
from mail2ticket.taxonomy import UNKNOWN, Taxonomy, load_taxonomy

Mode = Literal["constrained", "generate"]


@dataclass
class EvaluationResult:
    """The metrics of one evaluation and the prediction behind each of them."""

    report: ClassificationReport
    predictions: list[dict[str, Any]]
    mode: Mode
    prompt_style: PromptStyle

    def summary(self) -> dict[str, Any]:
        return {"mode": self.mode, "prompt_style": self.prompt_style, **self.report.as_metrics()}


def evaluate(
    engine: Any,
    records: Sequence[dict[str, Any]],
    taxonomy: Taxonomy | None = None,
    adapter: str | None = None,
    mode: Mode = "constrained",
    prompt_style: PromptStyle = "full",
    batch_size: int = 16,
    temperature: float = 0.0,
    max_new_tokens: int = 48,
    calibration: Calibration | None = None,
) -> EvaluationResult:
    """Classify every record with the base model (+ adapter) and compute the paper's metrics."""
    taxonomy = taxonomy or load_taxonomy()
    if mode == "constrained":
        scorer = LLMScorer(engine, taxonomy, adapter, prompt_style, calibration)
        return evaluate_scorer(scorer, records, taxonomy, batch_size, prompt_style=prompt_style)
    labels = taxonomy.labels_with_unknown

    def answer(chunk: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        prompts = [classification_prompt(engine.tokenizer, r["email"], taxonomy, prompt_style) for r in chunk]
        outputs = engine.generate(prompts, adapter=adapter, max_new_tokens=max_new_tokens, temperature=temperature)
        return [{"predicted": match_label(o, labels), "confidence": None, "raw": o} for o in outputs]

    predictions, latencies = _in_batches(records, batch_size, f"evaluating ({mode})", answer)
    report = classification_report(
        [p["category"] for p in predictions], [p["predicted"] for p in predictions], labels, latencies
    )
    return EvaluationResult(report, predictions, mode, prompt_style)


def evaluate_scorer(
    scorer: Scorer,
    records: Sequence[dict[str, Any]],
    taxonomy: Taxonomy | None = None,
    batch_size: int = 16,
    prompt_style: PromptStyle = "full",
) -> EvaluationResult:
    """Classify every record with ``scorer``; metrics, and the automation under its review thresholds.

    A ticket is accepted without review when its answer is not ``unknown`` and its confidence
    clears the threshold of the model that answered: the calibrated one when that model has a
    calibration, else the taxonomy's.
    """
    taxonomy = taxonomy or load_taxonomy()
    labels = taxonomy.labels_with_unknown

    def answer(chunk: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
        rows = []
        for scored in scorer([r["email"] for r in chunk]):
            predicted = max(scored.probabilities, key=scored.probabilities.__getitem__)
            confidence = scored.probabilities[predicted]
            threshold = review_threshold(taxonomy, scorer.calibration_of(scored.model), predicted)
            review = predicted == UNKNOWN or confidence < threshold
            rows.append({"predicted": predicted, "confidence": round(confidence, 6), "raw": "",
                         "answered_by": scored.model, "needs_review": review})  # fmt: skip
        return rows

    predictions, latencies = _in_batches(records, batch_size, f"evaluating ({scorer.name})", answer)
    report = classification_report(
        [p["category"] for p in predictions], [p["predicted"] for p in predictions], labels, latencies
    )
    accepted = [p["predicted"] == p["category"] for p in predictions if not p["needs_review"]]
    report.automation = {
        "automation_rate": len(accepted) / len(predictions),
        "accepted_precision": sum(accepted) / len(accepted) if accepted else 0.0,
        "answered_by_llm": sum(p["answered_by"] == "llm" for p in predictions) / len(predictions),
    }
    return EvaluationResult(report, predictions, "constrained", prompt_style)


def _in_batches(
    records: Sequence[dict[str, Any]],
    batch_size: int,
    title: str,
    answer: Callable[[Sequence[dict[str, Any]]], list[dict[str, Any]]],
) -> tuple[list[dict[str, Any]], list[float]]:
    """Every record's prediction row (``answer`` of its batch) with its id, truth and latency per e-mail."""
    predictions: list[dict[str, Any]] = []
    latencies: list[float] = []
    with Progress(title, total=len(records)) as progress:
        for start in range(0, len(records), batch_size):
            chunk = records[start : start + batch_size]
            began = time.perf_counter()
            rows = answer(chunk)
            per_email = (time.perf_counter() - began) / len(chunk)
            for record, row in zip(chunk, rows, strict=True):
                predictions.append({"ticket_id": _record_id(record), "category": record["category"], **row,
                                    "latency_ms": round(1000 * per_email, 1)})  # fmt: skip
                latencies.append(per_email)
            progress.advance(len(chunk))
    return predictions, latencies


def _record_id(record: dict[str, Any]) -> str:
    return str(record.get("ticket_id") or record.get("id") or "")


def write_outputs(result: EvaluationResult, out_dir: str | Path, title: str = "") -> dict[str, Path]:
    """metrics.json, predictions.csv and confusion_matrix.png in ``out_dir``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    metrics_path = out / "metrics.json"
    metrics_path.write_text(
        json.dumps({**result.summary(), "report": result.report.to_dict()}, ensure_ascii=False, indent=2),
        encoding="utf-8",
    )
    predictions_path = out / "predictions.csv"
    with open(predictions_path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(result.predictions[0]))
        writer.writeheader()
        writer.writerows(result.predictions)
    confusion_path = plot_confusion_matrix(result.report, out / "confusion_matrix.png", title)
    return {"metrics": metrics_path, "predictions": predictions_path, "confusion_matrix": confusion_path}


__all__ = ["EvaluationResult", "Mode", "evaluate", "evaluate_scorer", "write_outputs"]
