"""Classification metrics as the paper reports them, plus what it left out.

The paper's tables give matched / unmatched predictions, match rate and accuracy, where an
unmatched prediction (``None``: the model's answer maps to no label) counts as wrong. We add
macro-F1 (the promotion metric: the classes are very unbalanced, Supervision is 66 % of the
test set), per-class precision/recall/F1 and a confusion matrix with an ``UNMAPPED`` column,
as in the paper's figures. Computed with scikit-learn rather than by hand.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from statistics import mean, median
from typing import Any

from sklearn.metrics import accuracy_score, confusion_matrix, f1_score, precision_recall_fscore_support

UNMAPPED = "UNMAPPED"


@dataclass(frozen=True)
class ClassMetrics:
    label: str
    precision: float
    recall: float
    f1: float
    support: int


@dataclass
class ClassificationReport:
    """Everything the evaluate step logs; ``as_metrics`` flattens it for MLflow."""

    n: int
    matched: int
    unmatched: int
    match_rate: float
    accuracy: float
    macro_f1: float
    per_class: list[ClassMetrics]
    labels: list[str]
    confusion: list[list[int]]
    """Rows: true labels (in ``labels`` order); columns: ``labels`` then ``UNMAPPED``."""
    latency_ms: dict[str, float] = field(default_factory=dict)
    automation: dict[str, float] = field(default_factory=dict)
    """``automation_rate`` (share accepted without review) and ``accepted_precision``, when thresholds are known."""

    def as_metrics(self) -> dict[str, float]:
        """Flat metrics: the headline figures, then ``precision_KEY``, ``recall_KEY``, ``f1_KEY`` per class.

        Classes are named by their taxonomy key (MLflow metric names cannot hold every label
        character), so ``recall_unknown`` is the share of out-of-scope e-mails recognised.
        """
        metrics = {
            "matched": float(self.matched),
            "unmatched": float(self.unmatched),
            "match_rate": self.match_rate,
            "accuracy": self.accuracy,
            "macro_f1": self.macro_f1,
            "examples": float(self.n),
        }
        for name, value in self.latency_ms.items():
            metrics[f"latency_ms_{name}"] = value
        metrics.update(self.automation)
        for row in self.per_class:
            key = metric_key(row.label)
            metrics.update({f"precision_{key}": row.precision, f"recall_{key}": row.recall, f"f1_{key}": row.f1})
        return metrics

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def metric_key(label: str) -> str:
    """The taxonomy key of ``label``, else the label with every character MLflow refuses replaced."""
    from mail2ticket.taxonomy import load_taxonomy

    key = load_taxonomy().key_of(label)
    return key or re.sub(r"[^0-9A-Za-z_.-]+", "_", label).strip("_").lower()


def classification_report(
    y_true: Sequence[str],
    y_pred: Sequence[str | None],
    labels: Sequence[str],
    latencies_s: Sequence[float] | None = None,
) -> ClassificationReport:
    """Metrics over ``labels``; a ``None`` prediction is unmatched and counts as wrong.

    ``labels`` should hold every class of the test set (``unknown`` included when the model
    may answer it); a predicted label outside them is treated as unmatched.
    """
    if len(y_true) != len(y_pred):
        raise ValueError(f"{len(y_true)} true labels but {len(y_pred)} predictions")
    if not y_true:
        raise ValueError("no examples to evaluate")
    labels = list(dict.fromkeys(labels))
    known = set(labels)
    predicted = [p if p in known else UNMAPPED for p in y_pred]
    matched = sum(1 for p in predicted if p != UNMAPPED)
    columns = [*labels, UNMAPPED]
    matrix = confusion_matrix(list(y_true), predicted, labels=columns)
    present = [label for label in labels if label in set(y_true)]
    precision, recall, f1, support = precision_recall_fscore_support(
        list(y_true), predicted, labels=present, zero_division=0
    )
    report = ClassificationReport(
        n=len(y_true),
        matched=matched,
        unmatched=len(y_true) - matched,
        match_rate=matched / len(y_true),
        accuracy=float(accuracy_score(list(y_true), predicted)),
        macro_f1=float(f1_score(list(y_true), predicted, labels=present, average="macro", zero_division=0)),
        per_class=[
            ClassMetrics(label, float(p), float(r), float(f), int(s))
            for label, p, r, f, s in zip(present, precision, recall, f1, support, strict=True)
        ],
        labels=labels,
        confusion=[row[: len(columns)].tolist() for row in matrix[: len(labels)]],
    )
    if latencies_s:
        ms = sorted(1000.0 * t for t in latencies_s)
        report.latency_ms = {
            "mean": mean(ms),
            "p50": median(ms),
            "p95": ms[min(len(ms) - 1, round(0.95 * (len(ms) - 1)))],
        }
    return report


def plot_confusion_matrix(report: ClassificationReport, path: str | Path, title: str = "") -> Path:
    """Confusion matrix PNG with an UNMAPPED column, as in the paper's figures."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = [label for label, row in zip(report.labels, report.confusion, strict=True) if sum(row)]
    matrix = [row for row in report.confusion if sum(row)]
    columns = [*report.labels, UNMAPPED]
    short = [_short(c) for c in columns]
    size = max(6.0, 0.75 * len(columns) + 3)
    fig, ax = plt.subplots(figsize=(size, max(4.0, 0.6 * len(rows) + 2.5)))
    ax.imshow(matrix, cmap="Blues", aspect="auto")
    ax.set_xticks(range(len(columns)), short, rotation=60, ha="right", fontsize=8)
    ax.set_yticks(range(len(rows)), [_short(r) for r in rows], fontsize=8)
    ceiling = max((max(r) for r in matrix), default=0)
    for i, row in enumerate(matrix):
        for j, value in enumerate(row):
            if value:
                colour = "white" if value > ceiling / 2 else "black"
                ax.text(j, i, str(value), ha="center", va="center", fontsize=7, color=colour)
    ax.set_xlabel("predicted")
    ax.set_ylabel("true")
    ax.set_title(title or f"accuracy {report.accuracy:.3f} — macro-F1 {report.macro_f1:.3f}")
    fig.tight_layout()
    target = Path(path)
    fig.savefig(target, dpi=110)
    plt.close(fig)
    return target


def _short(label: str) -> str:
    """The last two path parts of a label: the distinctive ones."""
    parts = label.split("/")
    return "/".join(parts[-2:]) if len(parts) > 2 else label


__all__ = [
    "UNMAPPED",
    "ClassMetrics",
    "ClassificationReport",
    "classification_report",
    "metric_key",
    "plot_confusion_matrix",
]
