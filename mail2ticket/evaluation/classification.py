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
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Literal

from mail2ticket.evaluation.matching import match_label
from mail2ticket.evaluation.metrics import ClassificationReport, classification_report, plot_confusion_matrix
from mail2ticket.progress import Progress
from mail2ticket.prompts import PromptStyle, classification_prompt
from mail2ticket.taxonomy import Taxonomy, load_taxonomy

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
) -> EvaluationResult:
    """Classify every record and compute the paper's metrics."""
    taxonomy = taxonomy or load_taxonomy()
    labels = taxonomy.labels_with_unknown
    predictions: list[dict[str, Any]] = []
    latencies: list[float] = []
    with Progress(f"evaluating ({mode})", total=len(records)) as progress:
        for start in range(0, len(records), batch_size):
            chunk = records[start : start + batch_size]
            prompts = [classification_prompt(engine.tokenizer, r["email"], taxonomy, prompt_style) for r in chunk]
            began = time.perf_counter()
            if mode == "constrained":
                outputs: list[Any] = engine.classify(prompts, labels, adapter=adapter)
            else:
                outputs = engine.generate(
                    prompts, adapter=adapter, max_new_tokens=max_new_tokens, temperature=temperature
                )
            per_email = (time.perf_counter() - began) / len(chunk)
            for record, output in zip(chunk, outputs, strict=True):
                if mode == "constrained":
                    predicted = max(output, key=output.get)
                    row = {"predicted": predicted, "confidence": round(output[predicted], 6), "raw": ""}
                else:
                    row = {"predicted": match_label(output, labels), "confidence": None, "raw": output}
                predictions.append(
                    {"ticket_id": record.get("ticket_id", ""), "category": record["category"], **row,
                     "latency_ms": round(1000 * per_email, 1)}
                )  # fmt: skip
                latencies.append(per_email)
            progress.advance(len(chunk))
    report = classification_report(
        [p["category"] for p in predictions], [p["predicted"] for p in predictions], labels, latencies
    )
    return EvaluationResult(report, predictions, mode, prompt_style)


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


__all__ = ["EvaluationResult", "Mode", "evaluate", "write_outputs"]
