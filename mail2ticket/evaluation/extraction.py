"""Field-level accuracy of the extraction agents against ground truth.

Each example is extracted by the agent of its *true* category (the extractor is measured on
its own, not through the classifier's mistakes) through the same code serving runs:
prompt, schema-constrained ``engine.extract``, ``finalize``. Every field of the category is a
slot per e-mail, and a slot is right when prediction and truth agree after normalisation —
an absent field the e-mail does not give counts as right, an invented one as wrong:

* strings and enum values: case, accents, spacing and edge punctuation ignored;
* dates: compared as ISO dates; date-times to the minute, on the wall-clock time (the ground
  truth and the e-mails carry no offset);
* lists: as sets.

Per field: accuracy over all slots, precision over the slots the agent filled, recall over
the slots the truth fills. Overall: the same, micro-averaged, plus the share of e-mails whose
every field is right.
"""

from __future__ import annotations

import json
import statistics
import time
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mail2ticket.data.records import DatasetError, jsonl_objects
from mail2ticket.extraction import ExtractionAgent, agents_for, extract_fields
from mail2ticket.extraction.schema import fold, parse_moment
from mail2ticket.progress import Progress
from mail2ticket.taxonomy import UNKNOWN, Taxonomy, load_taxonomy

_EDGE_PUNCTUATION = " .,;:!?\"'«»`()[]"


def read_extraction_jsonl(uri: str | Path, taxonomy: Taxonomy | None = None) -> list[dict[str, Any]]:
    """Rows with an e-mail, a taxonomy category and ground-truth ``fields``.

    Accepts the prepared ``test.jsonl`` (``email``) and the corpus ground truth itself
    (``first_email``). A file whose rows all have empty fields was prepared without
    ``--ground-truth``: that is an error, not a perfect score on nothing.
    """
    taxonomy = taxonomy or load_taxonomy()
    records: list[dict[str, Any]] = []
    for number, row in jsonl_objects(uri):
        email = row.get("email", row.get("first_email"))
        if not isinstance(email, str) or not email.strip():
            raise DatasetError(f"{uri}: line {number} has no 'email'")
        category = row.get("category")
        if not isinstance(category, str) or category not in taxonomy.labels_with_unknown:
            raise DatasetError(f"{uri}: line {number}: category {category!r} is not in the taxonomy")
        if not isinstance(row.get("fields"), dict):
            raise DatasetError(f"{uri}: line {number} has no ground-truth 'fields' object")
        records.append({**row, "email": email})
    if not records:
        raise DatasetError(f"{uri}: no examples")
    if not any(r["fields"] for r in records):
        raise DatasetError(
            f"{uri}: no row has ground-truth fields (prepare the data with --ground-truth <export>.truth.jsonl)"
        )
    return records


def comparable(spec: dict[str, Any], value: Any) -> Any:
    """The form in which a predicted and a true value are compared (None: absent)."""
    if value is None:
        return None
    if spec.get("type") == "array":
        items = value if isinstance(value, list) else [value]
        folded = frozenset(fold(str(item)).strip(_EDGE_PUNCTUATION) for item in items) - {""}
        return folded or None
    if spec.get("format") in ("date", "date-time") and isinstance(value, str):
        moment = parse_moment(value)
        if moment is None:
            return fold(value)
        return moment.date().isoformat() if spec["format"] == "date" else moment.strftime("%Y-%m-%dT%H:%M")
    if isinstance(value, str):
        return fold(value).strip(_EDGE_PUNCTUATION) or None
    return value


@dataclass
class FieldScore:
    """Counts for one field of one category."""

    category: str
    key: str
    field: str
    support: int = 0  # e-mails of the category
    present: int = 0  # ... whose truth fills the field
    predicted: int = 0  # ... where the agent filled it
    correct: int = 0  # ... where both agree (absent on both sides included)
    correct_present: int = 0  # ... where both agree on a value

    @property
    def accuracy(self) -> float:
        return self.correct / self.support if self.support else 0.0

    @property
    def precision(self) -> float:
        return self.correct_present / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.correct_present / self.present if self.present else 0.0

    def to_dict(self) -> dict[str, Any]:
        return {
            "category": self.category, "key": self.key, "field": self.field, "support": self.support,
            "present": self.present, "predicted": self.predicted, "correct": self.correct,
            "accuracy": round(self.accuracy, 6), "precision": round(self.precision, 6), "recall": round(self.recall, 6),
        }  # fmt: skip


@dataclass
class ExtractionResult:
    scores: list[FieldScore]
    predictions: list[dict[str, Any]]
    latencies: list[float] = field(default_factory=list)
    skipped: int = 0  # rows of categories without an agent (unknown)

    def summary(self) -> dict[str, Any]:
        """Overall figures, micro-averaged over every (e-mail, field) slot."""
        slots = sum(s.support for s in self.scores)
        correct = sum(s.correct for s in self.scores)
        predicted = sum(s.predicted for s in self.scores)
        present = sum(s.present for s in self.scores)
        hits = sum(s.correct_present for s in self.scores)
        precision = hits / predicted if predicted else 0.0
        recall = hits / present if present else 0.0
        exact = sum(1 for p in self.predictions if p["all_correct"])
        latencies_ms = sorted(1000 * t for t in self.latencies)
        return {
            "task": "extraction",
            "examples": len(self.predictions),
            "skipped": self.skipped,
            "slots": slots,
            "accuracy": correct / slots if slots else 0.0,
            "precision": precision,
            "recall": recall,
            "f1": 2 * precision * recall / (precision + recall) if precision + recall else 0.0,
            "exact_match": exact / len(self.predictions) if self.predictions else 0.0,
            "latency_ms_p50": statistics.median(latencies_ms) if latencies_ms else 0.0,
            "latency_ms_mean": statistics.fmean(latencies_ms) if latencies_ms else 0.0,
        }

    def as_metrics(self) -> dict[str, float]:
        """Flat numeric metrics (MLflow): the summary plus ``field_accuracy.<category key>.<field>``."""
        metrics = {f"extraction_{k}": float(v) for k, v in self.summary().items() if isinstance(v, int | float)}
        for score in self.scores:
            metrics[f"field_accuracy.{score.key}.{score.field}"] = score.accuracy
        return metrics


def evaluate_extraction(
    engine: Any,
    records: Sequence[dict[str, Any]],
    taxonomy: Taxonomy | None = None,
    adapter: str | None = None,
    batch_size: int = 8,
    max_new_tokens: int = 256,
) -> ExtractionResult:
    """Extract every record with its true category's agent and score each field."""
    taxonomy = taxonomy or load_taxonomy()
    agents = agents_for(taxonomy)
    scores = {
        (agent.name, name): FieldScore(agent.name, agent.key, name)
        for agent in agents.values()
        for name in agent.fields
    }
    by_category: dict[str, list[dict[str, Any]]] = {}
    skipped = 0
    for record in records:
        if record["category"] == UNKNOWN or record["category"] not in agents:
            skipped += 1
        else:
            by_category.setdefault(record["category"], []).append(record)
    predictions: list[dict[str, Any]] = []
    latencies: list[float] = []
    with Progress("extracting", total=sum(len(rows) for rows in by_category.values())) as progress:
        for name, rows in by_category.items():
            agent = agents[name]
            for start in range(0, len(rows), batch_size):
                chunk = rows[start : start + batch_size]
                began = time.perf_counter()
                outputs = extract_fields(
                    engine, engine.tokenizer, agent, [r["email"] for r in chunk],
                    [r.get("received_at") for r in chunk], adapter, max_new_tokens,
                )  # fmt: skip
                per_email = (time.perf_counter() - began) / len(chunk)
                for record, predicted in zip(chunk, outputs, strict=True):
                    predictions.append(score_example(agent, record, predicted, scores, per_email))
                    latencies.append(per_email)
                progress.advance(len(chunk))
    used = [s for s in scores.values() if s.support]
    return ExtractionResult(used, predictions, latencies, skipped)


def score_example(
    agent: ExtractionAgent,
    record: dict[str, Any],
    predicted: dict[str, Any],
    scores: dict[tuple[str, str], FieldScore],
    latency: float = 0.0,
) -> dict[str, Any]:
    """Add one e-mail's slots to ``scores`` (keyed by category name and field); its prediction row."""
    properties = agent.schema["properties"]
    truth = record["fields"]
    wrong: list[str] = []
    for name, spec in properties.items():
        score = scores.setdefault((agent.name, name), FieldScore(agent.name, agent.key, name))
        expected, got = comparable(spec, truth.get(name)), comparable(spec, predicted.get(name))
        score.support += 1
        score.present += expected is not None
        score.predicted += got is not None
        if expected == got:
            score.correct += 1
            score.correct_present += expected is not None
        else:
            wrong.append(name)
    return {
        "ticket_id": record.get("ticket_id", ""),
        "category": agent.name,
        "truth": truth,
        "predicted": predicted,
        "wrong_fields": wrong,
        "all_correct": not wrong,
        "latency_ms": round(1000 * latency, 1),
    }


def render_table(result: ExtractionResult) -> str:
    """Per-field figures as an aligned text table, then the overall line."""
    header = ("category", "field", "n", "present", "accuracy", "precision", "recall")
    rows = [
        (s.key, s.field, str(s.support), str(s.present), f"{s.accuracy:.3f}", f"{s.precision:.3f}", f"{s.recall:.3f}")
        for s in result.scores
    ]
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(widths[i]) if i < 2 else cell.rjust(widths[i]) for i, cell in enumerate(r))
        for r in [header, *rows]
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    s = result.summary()
    lines.append(
        f"overall: {s['examples']} e-mails, {s['slots']} field slots, accuracy {s['accuracy']:.4f}, "
        f"precision {s['precision']:.4f}, recall {s['recall']:.4f}, F1 {s['f1']:.4f}, "
        f"exact match {s['exact_match']:.4f}, latency p50 {s['latency_ms_p50']:.0f} ms"
    )
    return "\n".join(lines)


def write_extraction_outputs(result: ExtractionResult, out_dir: str | Path) -> dict[str, Path]:
    """``extraction_metrics.json`` (summary + per field) and ``extraction_predictions.jsonl`` in ``out_dir``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    metrics_path = out / "extraction_metrics.json"
    metrics_path.write_text(
        json.dumps({**result.summary(), "fields": [s.to_dict() for s in result.scores]}, ensure_ascii=False, indent=2),
        encoding="utf-8",
    )
    predictions_path = out / "extraction_predictions.jsonl"
    with open(predictions_path, "w", encoding="utf-8") as handle:
        for prediction in result.predictions:
            handle.write(json.dumps(prediction, ensure_ascii=False) + "\n")
    return {"metrics": metrics_path, "predictions": predictions_path}


__all__ = [
    "ExtractionResult",
    "FieldScore",
    "comparable",
    "evaluate_extraction",
    "read_extraction_jsonl",
    "render_table",
    "score_example",
    "write_extraction_outputs",
]
