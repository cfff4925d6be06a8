"""The drift report: every figure of one check, each check's status, the verdict, as JSON and MLflow metrics."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any, Literal

#: Exit codes of the command and the component.
EXIT_OK, EXIT_DRIFT, EXIT_ERROR = 0, 1, 2

CheckStatus = Literal["pass", "drift", "skipped"]


@dataclass
class CategoryRow:
    category: str
    train: int
    train_share: float
    served: int
    served_share: float
    psi_term: float


@dataclass
class ConfidenceFigures:
    served_n: int
    served_mean: float | None
    served_median: float | None
    reference_n: int = 0
    reference_mean: float | None = None
    reference_median: float | None = None
    reference_source: str | None = None
    psi: float | None = None
    ks_statistic: float | None = None
    ks_p_value: float | None = None
    edges: list[float] = field(default_factory=list)
    served_histogram: list[int] = field(default_factory=list)
    reference_histogram: list[int] = field(default_factory=list)


@dataclass
class Check:
    name: str
    description: str
    value: float | None
    threshold: float | None
    status: CheckStatus
    note: str = ""


@dataclass
class DriftReport:
    """Every figure of one drift check, each check's status, and the verdict."""

    since: str
    until: str
    audit: dict[str, Any]
    reference: dict[str, Any]
    served: dict[str, Any]
    categories: list[CategoryRow]
    unseen_categories: list[str]
    """Served categories the card has no training example of."""
    category_psi: float | None
    category_chi2: float | None
    category_chi2_p_value: float | None
    category_chi2_dof: int
    unknown_rate: float
    unknown_rate_reference: float
    review_rate: float
    review_rate_reference: float | None
    confidence: ConfidenceFigures
    checks: list[Check]
    thresholds: dict[str, Any]
    drifted: bool
    generated_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat(timespec="seconds"))

    @property
    def failed(self) -> list[Check]:
        return [c for c in self.checks if c.status == "drift"]

    @property
    def exit_code(self) -> int:
        return EXIT_DRIFT if self.drifted else EXIT_OK

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def metrics(self) -> dict[str, float]:
        """The figures MLflow gets as metrics (per-category figures are in the JSON report)."""
        values = {
            "decisions": self.audit["decisions"],
            "malformed_lines": self.audit["malformed"],
            "category_psi": self.category_psi,
            "category_chi2": self.category_chi2,
            "category_chi2_p_value": self.category_chi2_p_value,
            "unseen_categories": len(self.unseen_categories),
            "unknown_rate": self.unknown_rate,
            "unknown_rate_reference": self.unknown_rate_reference,
            "review_rate": self.review_rate,
            "review_rate_reference": self.review_rate_reference,
            "confidence_mean": self.confidence.served_mean,
            "confidence_mean_reference": self.confidence.reference_mean,
            "confidence_psi": self.confidence.psi,
            "confidence_ks": self.confidence.ks_statistic,
            "checks_failed": len(self.failed),
            "drifted": int(self.drifted),
        }
        return {k: float(v) for k, v in values.items() if v is not None}

    def summary(self) -> str:
        """One line: the verdict and the failed checks."""
        if not self.drifted:
            return f"no drift over {self.audit['decisions']:,} decisions ({self.since} to {self.until})"
        failed = ", ".join(f"{c.name} {_fmt(c.value)} (threshold {_fmt(c.threshold)})" for c in self.failed)
        return f"drift over {self.audit['decisions']:,} decisions ({self.since} to {self.until}): {failed}"


def _fmt(value: float | None) -> str:
    return "—" if value is None else f"{value:.4g}"


__all__ = [
    "EXIT_DRIFT",
    "EXIT_ERROR",
    "EXIT_OK",
    "CategoryRow",
    "Check",
    "CheckStatus",
    "ConfidenceFigures",
    "DriftReport",
]
