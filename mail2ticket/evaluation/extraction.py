"""Field-level precision, recall and F1 of the extraction agents against ground truth.

Each example is extracted by the agent of its *true* category (the extractor is measured on
its own, not through the classifier's mistakes) through the same code serving runs:
prompt, schema-constrained ``engine.extract``, ``finalize`` with the e-mail. Every field of the
category is a slot per e-mail, and a slot is right when prediction and truth agree after
normalisation — an absent field the e-mail does not give counts as right, an invented one as
wrong. How a field is compared is the taxonomy's ``match`` (:attr:`FieldSpec.comparison`):

* ``exact`` (enums, dates, copied values, lists, booleans): strings and enum values with case,
  accents, spacing and edge punctuation ignored; dates as ISO dates; date-times to the minute,
  on the wall-clock time (the ground truth and the e-mails carry no offset); lists as sets;
* ``fuzzy`` (free text: summary, question, requested change, schedule, retention, service,
  error message): equal after folding, or the same numbers and a
  :func:`rapidfuzz.fuzz.token_set_ratio` of at least :data:`FUZZY_THRESHOLD` on the folded
  texts (lower case, no accents, punctuation as spaces). **Why 85**: token_set_ratio is 100
  when the words of one text are all in the other, so a longer or shorter span of the same
  words (``quotidienne 22h`` / ``sauvegarde quotidienne à 22h``, an error message with or
  without its ``Error:`` prefix) matches, and 85 further tolerates a changed word form or article
  in a sentence (``Ajouter M. Durand à la liste…`` / ``Ajout de M. Durand à la liste…``: 92),
  while two different short values stay apart (``Disk C:`` / ``Disk D:``: 83); it is also the
  similarity the paper's label matching requires (:data:`mail2ticket.evaluation.matching.MIN_SIMILARITY`).
  Numbers must be equal on both sides because the ratio cannot tell ``30 jours`` from
  ``60 jours`` (87.5) and they are what a schedule, a retention or an error code is about.

Per field: accuracy over all slots, precision over the slots the agent filled, recall over
the slots the truth fills, and their F1. Overall: the same, micro-averaged over every slot, the
same again over groups of fields (:data:`FIELD_GROUPS`: ``hostname`` — the ``hostname`` and
``hostnames`` fields —, ``dates`` — date and date-time fields —, ``copied`` and ``free_text``),
the share of fully correct tickets (every field right) and the latency per e-mail.
"""

from __future__ import annotations

import json
import re
import statistics
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mail2ticket.data.records import DatasetError, jsonl_objects
from mail2ticket.extraction import ExtractionAgent, ExtractorMode, agents_for, extract
from mail2ticket.extraction.dates import DATE_FORMATS, iso_value, parse_moment
from mail2ticket.extraction.schema import fold
from mail2ticket.progress import Progress
from mail2ticket.taxonomy import UNKNOWN, FieldSpec, Taxonomy, load_taxonomy

_EDGE_PUNCTUATION = " .,;:!?\"'«»`()[]"
_NUMBER = re.compile(r"\d+")

#: Least :func:`rapidfuzz.fuzz.token_set_ratio` (0-100) for two free-text values to match; the
#: module docstring says why 85.
FUZZY_THRESHOLD = 85.0


def _is_hostname(score: FieldScore) -> bool:
    return score.field in ("hostname", "hostnames")


#: Groups of fields reported together (micro-averaged): the targets the issue sets.
FIELD_GROUPS: dict[str, Callable[[FieldScore], bool]] = {
    "hostname": _is_hostname,
    "dates": lambda score: score.type in ("date", "datetime"),
    "copied": lambda score: score.copied,
    "free_text": lambda score: score.comparison == "fuzzy",
}


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
    if spec.get("format") in DATE_FORMATS and isinstance(value, str):
        moment = parse_moment(value)
        if moment is None:
            return fold(value)
        return iso_value(moment, timed=spec["format"] != "date")
    if isinstance(value, str):
        return fold(value).strip(_EDGE_PUNCTUATION) or None
    return value


def fuzzy_match(expected: str, got: str, threshold: float = FUZZY_THRESHOLD) -> bool:
    """Whether two free-text values (already :func:`comparable`) say the same thing (module docstring)."""
    from rapidfuzz import fuzz, utils

    if expected == got:
        return True
    if _NUMBER.findall(expected) != _NUMBER.findall(got):
        return False
    return fuzz.token_set_ratio(expected, got, processor=utils.default_process) >= threshold


def values_match(spec: dict[str, Any], field_spec: FieldSpec | None, expected: Any, got: Any) -> bool:
    """Whether a predicted value agrees with the true one, by the field's ``comparison`` rule.

    Both sides are compared in their :func:`comparable` form; absent on both sides agrees.
    """
    left, right = comparable(spec, expected), comparable(spec, got)
    if left is None or right is None:
        return left is None and right is None
    if field_spec is not None and field_spec.comparison == "fuzzy" and isinstance(left, str) and isinstance(right, str):
        return fuzzy_match(left, right)
    return left == right


def _f1(precision: float, recall: float) -> float:
    return 2 * precision * recall / (precision + recall) if precision + recall else 0.0


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
    type: str = ""  # the taxonomy field type (string, date, datetime, string_list...)
    comparison: str = "exact"  # exact or fuzzy (FieldSpec.comparison)
    copied: bool = False  # copied from the e-mail (FieldSpec.copied)

    @classmethod
    def of(cls, agent: ExtractionAgent, name: str) -> FieldScore:
        """An empty score for field ``name`` of ``agent``'s category, with the field's kind."""
        spec = agent.category.fields.get(name)
        if spec is None:
            return cls(agent.name, agent.key, name)
        return cls(agent.name, agent.key, name, type=spec.type, comparison=spec.comparison, copied=spec.copied)

    @property
    def accuracy(self) -> float:
        return self.correct / self.support if self.support else 0.0

    @property
    def precision(self) -> float:
        return self.correct_present / self.predicted if self.predicted else 0.0

    @property
    def recall(self) -> float:
        return self.correct_present / self.present if self.present else 0.0

    @property
    def f1(self) -> float:
        return _f1(self.precision, self.recall)

    def to_dict(self) -> dict[str, Any]:
        return {
            "category": self.category, "key": self.key, "field": self.field, "type": self.type,
            "comparison": self.comparison, "copied": self.copied, "support": self.support,
            "present": self.present, "predicted": self.predicted, "correct": self.correct,
            "accuracy": round(self.accuracy, 6), "precision": round(self.precision, 6), "recall": round(self.recall, 6),
            "f1": round(self.f1, 6),
        }  # fmt: skip


def aggregate(scores: Sequence[FieldScore]) -> dict[str, float | int]:
    """Micro-averaged slots, accuracy, precision, recall and F1 of ``scores``."""
    slots = sum(s.support for s in scores)
    predicted = sum(s.predicted for s in scores)
    present = sum(s.present for s in scores)
    hits = sum(s.correct_present for s in scores)
    precision = hits / predicted if predicted else 0.0
    recall = hits / present if present else 0.0
    return {
        "slots": slots,
        "accuracy": sum(s.correct for s in scores) / slots if slots else 0.0,
        "precision": precision,
        "recall": recall,
        "f1": _f1(precision, recall),
    }


@dataclass
class ExtractionResult:
    scores: list[FieldScore]
    predictions: list[dict[str, Any]]
    latencies: list[float] = field(default_factory=list)
    skipped: int = 0  # rows of categories without an agent (unknown)

    def groups(self) -> dict[str, dict[str, float | int]]:
        """:func:`aggregate` of each of :data:`FIELD_GROUPS` (a group with no slot has zeros)."""
        return {name: aggregate([s for s in self.scores if belongs(s)]) for name, belongs in FIELD_GROUPS.items()}

    def summary(self) -> dict[str, Any]:
        """Overall figures, micro-averaged over every (e-mail, field) slot, then per group of fields.

        ``f1`` is the F1 over all slots; ``<group>_f1`` (``hostname_f1``, ``dates_f1``...) the
        same over a group; ``exact_match`` the share of fully correct tickets.
        """
        overall = aggregate(self.scores)
        exact = sum(1 for p in self.predictions if p["all_correct"])
        latencies_ms = sorted(1000 * t for t in self.latencies)
        summary: dict[str, Any] = {
            "task": "extraction",
            "examples": len(self.predictions),
            "skipped": self.skipped,
            **overall,
            "fully_correct": exact,
            "exact_match": exact / len(self.predictions) if self.predictions else 0.0,
            "latency_ms_p50": statistics.median(latencies_ms) if latencies_ms else 0.0,
            "latency_ms_mean": statistics.fmean(latencies_ms) if latencies_ms else 0.0,
            # Who filled the tickets: an alert parser, the model, or nobody (parsers alone).
            "answered_by_parser": sum(1 for p in self.predictions if p.get("answered_by", "").startswith("parser:")),
            "answered_by_model": sum(1 for p in self.predictions if p.get("answered_by") == "model"),
        }
        for group, figures in self.groups().items():
            for name in ("slots", "precision", "recall", "f1"):
                summary[f"{group}_{name}"] = figures[name]
        return summary

    def as_metrics(self) -> dict[str, float]:
        """Flat numeric metrics (MLflow): the summary, then per field ``field_<figure>.<category key>.<field>``.

        Figures: accuracy, precision, recall and f1.
        """
        metrics = {f"extraction_{k}": float(v) for k, v in self.summary().items() if isinstance(v, int | float)}
        for score in self.scores:
            for figure in ("accuracy", "precision", "recall", "f1"):
                metrics[f"field_{figure}.{score.key}.{score.field}"] = float(getattr(score, figure))
        return metrics


def evaluate_extraction(
    engine: Any,
    records: Sequence[dict[str, Any]],
    taxonomy: Taxonomy | None = None,
    adapter: str | None = None,
    batch_size: int = 8,
    max_new_tokens: int = 256,
    extractor: ExtractorMode = "combined",
) -> ExtractionResult:
    """Extract every record with its true category's agent and score each field.

    ``extractor`` picks who fills the fields (:data:`~mail2ticket.extraction.ExtractorMode`):
    ``combined`` is what serving runs; ``model`` and ``parsers`` measure each alone (``parsers``
    needs no engine).
    """
    taxonomy = taxonomy or load_taxonomy()
    agents = agents_for(taxonomy)
    scores = {(agent.name, name): FieldScore.of(agent, name) for agent in agents.values() for name in agent.fields}
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
                outputs = extract(
                    engine, getattr(engine, "tokenizer", None), agent, [r["email"] for r in chunk],
                    [r.get("received_at") for r in chunk], adapter, max_new_tokens, extractor,
                    [r.get("subject") for r in chunk],
                )  # fmt: skip
                per_email = (time.perf_counter() - began) / len(chunk)
                for record, output in zip(chunk, outputs, strict=True):
                    row = score_example(agent, record, output.fields, scores, per_email)
                    predictions.append({**row, "answered_by": output.answered_by})
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
        score = scores.setdefault((agent.name, name), FieldScore.of(agent, name))
        expected, got = comparable(spec, truth.get(name)), comparable(spec, predicted.get(name))
        score.support += 1
        score.present += expected is not None
        score.predicted += got is not None
        if values_match(spec, agent.category.fields.get(name), truth.get(name), predicted.get(name)):
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
    """Per-field figures as an aligned text table, then the overall line and one line per group of fields."""
    header = ("category", "field", "match", "n", "present", "accuracy", "precision", "recall", "f1")
    rows = [
        (s.key, s.field, s.comparison, str(s.support), str(s.present), f"{s.accuracy:.3f}", f"{s.precision:.3f}",
         f"{s.recall:.3f}", f"{s.f1:.3f}")
        for s in result.scores
    ]  # fmt: skip
    widths = [max(len(r[i]) for r in [header, *rows]) for i in range(len(header))]
    lines = [
        "  ".join(cell.ljust(widths[i]) if i < 3 else cell.rjust(widths[i]) for i, cell in enumerate(r))
        for r in [header, *rows]
    ]
    lines.insert(1, "  ".join("-" * w for w in widths))
    s = result.summary()
    lines.append(
        f"overall: {s['examples']} e-mails, {s['slots']} field slots, accuracy {s['accuracy']:.4f}, "
        f"precision {s['precision']:.4f}, recall {s['recall']:.4f}, F1 {s['f1']:.4f}, "
        f"exact match {s['exact_match']:.4f}, latency p50 {s['latency_ms_p50']:.0f} ms; "
        f"answered by a parser {s['answered_by_parser']}, by the model {s['answered_by_model']}"
    )
    for group, figures in result.groups().items():
        if figures["slots"]:
            lines.append(
                f"  {group}: {figures['slots']} slots, precision {figures['precision']:.4f}, "
                f"recall {figures['recall']:.4f}, F1 {figures['f1']:.4f}"
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
    "FIELD_GROUPS",
    "FUZZY_THRESHOLD",
    "ExtractionResult",
    "FieldScore",
    "aggregate",
    "comparable",
    "evaluate_extraction",
    "fuzzy_match",
    "read_extraction_jsonl",
    "render_table",
    "score_example",
    "values_match",
    "write_extraction_outputs",
]
