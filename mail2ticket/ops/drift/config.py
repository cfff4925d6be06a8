"""The window and the thresholds of a drift check (:class:`DriftConfig`), and the times they are given in."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator

from mail2ticket.ops.drift.errors import DriftError
from mail2ticket.ops.drift.statistics import DEFAULT_EPSILON


def as_utc(value: datetime) -> datetime:
    """``value`` in UTC; a naive time is taken as UTC (the audit log writes UTC)."""
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def parse_time(text: str) -> datetime:
    """An ISO 8601 date or time (``2025-03-01``, ``2025-03-01T08:00``, ``…Z``, ``…+01:00``), in UTC."""
    try:
        return as_utc(datetime.fromisoformat(text.strip()))
    except ValueError:
        raise DriftError(f"{text!r} is not an ISO 8601 date or time (e.g. 2025-03-01 or 2025-03-01T08:00Z)") from None


class DriftConfig(BaseModel):
    """The window and the thresholds of a drift check (``mail2ticket drift`` options, KFP parameters)."""

    model_config = ConfigDict(extra="forbid")

    since: datetime | None = Field(
        None, description="Start of the window (inclusive, UTC when no offset); default: `until` minus `window_days`."
    )
    until: datetime | None = Field(None, description="End of the window (exclusive); default: now.")
    window_days: float = Field(7.0, gt=0, description="Length of the window when `since` is not given, in days.")
    reference_since: datetime | None = Field(
        None,
        description="Start of a reference window of the same audit log: its confidences and review rate replace "
        "the champion's evaluated ones (the category mix and unknown rate still come from the card).",
    )
    reference_until: datetime | None = Field(
        None, description="End of the reference window (exclusive); default: the start of the window."
    )
    psi_threshold: float = Field(
        0.2, ge=0, description="Category mix PSI above this is drift (0.1-0.2 moderate, above 0.2 significant)."
    )
    chi2_p_value: float = Field(
        0.001, ge=0, le=1, description="Chi-square p-value of the category counts under this is drift (0: never)."
    )
    unknown_rate_delta: float = Field(
        0.10, ge=0, le=1, description="Served `unknown` share further than this from the card's train share is drift."
    )
    review_rate_delta: float = Field(
        0.15, ge=0, le=1, description="Served needs_review share further than this from the reference's is drift."
    )
    confidence_psi_threshold: float = Field(
        0.2, ge=0, description="PSI of the confidence histogram against the reference's above this is drift."
    )
    confidence_ks_threshold: float | None = Field(
        None, ge=0, le=1, description="Kolmogorov-Smirnov statistic of the confidences above this is drift (None: off)."
    )
    confidence_bins: int = Field(10, ge=2, le=100, description="Equal-width bins of [0, 1] for the confidence PSI.")
    epsilon: float = Field(
        DEFAULT_EPSILON, gt=0, lt=0.01,
        description="Floor of a share in PSI and chi-square: an empty bin would make ln(a/e) infinite.",
    )  # fmt: skip

    @field_validator("since", "until", "reference_since", "reference_until")
    @classmethod
    def _utc(cls, value: datetime | None) -> datetime | None:
        return as_utc(value) if value is not None else None

    @model_validator(mode="after")
    def _ordered(self) -> DriftConfig:
        if self.since and self.until and self.since >= self.until:
            raise ValueError(
                f"the window starts ({self.since.isoformat()}) at or after its end ({self.until.isoformat()})"
            )
        if self.reference_until and not self.reference_since:
            raise ValueError("reference_until without reference_since")
        return self

    def window(self, now: datetime | None = None) -> tuple[datetime, datetime]:
        """The window's start (inclusive) and end (exclusive), in UTC."""
        until = self.until or as_utc(now or datetime.now(UTC))
        since = self.since or until - timedelta(days=self.window_days)
        if since >= until:
            raise DriftError(f"the window starts ({since.isoformat()}) at or after its end ({until.isoformat()})")
        return since, until

    def reference_window(self, since: datetime) -> tuple[datetime, datetime] | None:
        """The reference window (its end defaults to the window's start); None when not asked for."""
        if self.reference_since is None:
            return None
        end = self.reference_until or since
        if self.reference_since >= end:
            raise DriftError(f"the reference window starts ({self.reference_since.isoformat()}) at or after its end")
        return self.reference_since, end


__all__ = [
    "DriftConfig",
    "as_utc",
    "parse_time",
]
