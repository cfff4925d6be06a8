"""The review queue's tables, as SQLAlchemy 2 declarative models.

Two tables. ``review_items`` holds one row per ticket the Gateway sent to review, keyed by the
request id the API answered with, so delivering the same ticket twice (an outbox retry after a
lost acknowledgement) is a no-op. ``review_audit`` is append-only: one row per decision, with
who decided, when, and the item's state before and after, so any outcome can be traced to a
person. The same models run on SQLite (embedded default) and PostgreSQL (the cluster); JSON
columns are SQLAlchemy's portable ``JSON`` type.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import JSON, DateTime, Float, Index, Integer, String, Text
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

#: An item waiting for a person.
PENDING = "pending"
#: The reviewer agreed with the model (category and, possibly edited, fields).
CONFIRMED = "confirmed"
#: The reviewer changed the category.
CORRECTED = "corrected"
#: Not a ticket of the taxonomy: it joins training as ``unknown``.
OUT_OF_SCOPE = "out_of_scope"
#: Every state an item can be in.
STATUSES = (PENDING, CONFIRMED, CORRECTED, OUT_OF_SCOPE)


class UTCDateTime(TypeDecorator[datetime]):
    """A time stored in UTC and read back timezone-aware, on every database.

    SQLite has no time zone type and hands back naive values; PostgreSQL converts to the
    session's zone. Normalising at the column keeps comparisons (queue age, retention) and
    what the page shows the same on both.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError(f"naive datetime {value!r}: the review queue stores aware times")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect: Dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    """Declarative base of the review tables (their metadata is what the migrations create)."""


class ReviewItem(Base):
    """A ticket a person must look at, then the person's decision on it."""

    __tablename__ = "review_items"

    request_id: Mapped[str] = mapped_column(String(128), primary_key=True)
    status: Mapped[str] = mapped_column(String(16), default=PENDING, index=True)
    version: Mapped[int] = mapped_column(Integer, default=1)
    enqueued_at: Mapped[datetime] = mapped_column(UTCDateTime, index=True)
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    subject: Mapped[str | None] = mapped_column(Text)
    sender: Mapped[str | None] = mapped_column(Text)
    email: Mapped[str | None] = mapped_column(Text)
    first_email: Mapped[str | None] = mapped_column(Text)
    category: Mapped[str] = mapped_column(String(200), index=True)
    confidence: Mapped[float] = mapped_column(Float, index=True)
    scores: Mapped[dict[str, float]] = mapped_column(JSON, default=dict)
    fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    models: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    decided_category: Mapped[str | None] = mapped_column(String(200))
    decided_fields: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    decided_by: Mapped[str | None] = mapped_column(String(200))
    decided_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)
    purged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    __table_args__ = (Index("ix_review_items_status_enqueued", "status", "enqueued_at"),)


class AuditEntry(Base):
    """One decision on one item: who, when, the state before and after."""

    __tablename__ = "review_audit"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    request_id: Mapped[str] = mapped_column(String(128), index=True)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    actor: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(16))
    action: Mapped[str] = mapped_column(String(16))
    before: Mapped[dict[str, Any]] = mapped_column(JSON)
    after: Mapped[dict[str, Any]] = mapped_column(JSON)
