"""The review queue in a database: add, list, decide, audit and purge items.

One class, :class:`ReviewStore`, over a SQLAlchemy engine: a SQLite file by default (embedded,
what the demo uses) or PostgreSQL on the cluster, both created by the same Alembic migrations.

Two properties matter more than the rest:

- **idempotent delivery**: :meth:`ReviewStore.add` inserts with ``ON CONFLICT DO NOTHING`` on
  the request id, so the outbox can deliver an item again after a lost acknowledgement without
  writing it twice;
- **no silent overwrite**: a decision names the item version its reviewer saw and is written
  by ``UPDATE … WHERE version = :seen``, in the same transaction as its audit row. Of two
  reviewers deciding at once exactly one update matches; the other gets
  :class:`ReviewConflict` with the item as it now stands.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from functools import cached_property
from importlib import resources
from typing import Any

from alembic import command
from alembic.config import Config
from jsonschema import Draft202012Validator, FormatChecker
from sqlalchemy import Engine, create_engine, event, func, select, text, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import make_url
from sqlalchemy.orm import sessionmaker

from mail2ticket.review.items import Decision, NewReviewItem, Reviewer, utc_now
from mail2ticket.review.models import (
    CONFIRMED,
    CORRECTED,
    OUT_OF_SCOPE,
    PENDING,
    STATUSES,
    AuditEntry,
    ReviewItem,
)
from mail2ticket.taxonomy import UNKNOWN, Taxonomy, load_taxonomy

logger = logging.getLogger(__name__)

#: Where the queue lives when nothing else is configured (relative to the working directory).
DEFAULT_DATABASE_URL = "sqlite:///review/mail2ticket-review.sqlite"
#: The environment variable that holds the database URL (a Secret on the cluster: it has a password).
DATABASE_URL_ENV = "MAIL2TICKET_REVIEW_DATABASE_URL"


class ReviewError(ValueError):
    """A request on the queue that cannot be honoured; the message says why."""


class ItemNotFound(ReviewError, LookupError):
    """No review item has this request id."""


class InvalidDecision(ReviewError):
    """A decision the item's category refuses (unknown category, fields outside its schema)."""

    def __init__(self, message: str, errors: Sequence[str] = ()) -> None:
        super().__init__(message)
        self.errors = list(errors)


class ReviewConflict(ReviewError):
    """Someone decided the item since this reviewer opened it; ``current`` is its state now."""

    def __init__(self, current: ReviewItem) -> None:
        super().__init__(
            f"review item {current.request_id} was decided by {current.decided_by or 'someone else'} "
            f"(now version {current.version}, {current.status})"
        )
        self.current = current


@dataclass(frozen=True)
class QueueFilter:
    """Which items a queue page lists."""

    #: Items in this state (``None``: every state).
    status: str | None = PENDING
    #: Only the model's category (a taxonomy label or unknown).
    category: str | None = None
    #: Confidence at least this.
    min_confidence: float | None = None
    #: Confidence at most this.
    max_confidence: float | None = None
    #: Waiting at least this many hours.
    min_age_hours: float | None = None
    #: Waiting at most this many hours.
    max_age_hours: float | None = None

    def clauses(self, now: datetime) -> list[Any]:
        """The SQL conditions of this filter."""
        conditions: list[Any] = []
        if self.status:
            conditions.append(ReviewItem.status == self.status)
        if self.category:
            conditions.append(ReviewItem.category == self.category)
        if self.min_confidence is not None:
            conditions.append(ReviewItem.confidence >= self.min_confidence)
        if self.max_confidence is not None:
            conditions.append(ReviewItem.confidence <= self.max_confidence)
        if self.min_age_hours is not None:
            conditions.append(ReviewItem.enqueued_at <= now - timedelta(hours=self.min_age_hours))
        if self.max_age_hours is not None:
            conditions.append(ReviewItem.enqueued_at >= now - timedelta(hours=self.max_age_hours))
        return conditions


def _sqlite_pragmas(dbapi_connection: Any, _record: Any) -> None:
    """WAL lets the page read while the outbox writes; a busy timeout waits for the writer."""
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def create_database_engine(url: str) -> Engine:
    """An engine for ``url``; a SQLite file's folder is created, its connections tuned for a small server."""
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        if parsed.database and parsed.database != ":memory:":
            from pathlib import Path

            Path(parsed.database).expanduser().absolute().parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(url, connect_args={"timeout": 30})
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    # pre-ping: a PostgreSQL restart leaves dead connections in the pool; they are replaced, not reused.
    return create_engine(url, pool_pre_ping=True, pool_size=5, max_overflow=5)


def item_state(item: ReviewItem) -> dict[str, Any]:
    """The decision-related state of an item, as the audit trail records it before and after."""
    return {
        "status": item.status,
        "version": item.version,
        "category": item.decided_category,
        "fields": item.decided_fields,
        "decided_by": item.decided_by,
        "decided_at": item.decided_at.isoformat() if item.decided_at else None,
    }


class ReviewStore:
    """The review queue of one database."""

    def __init__(self, url: str, taxonomy: Taxonomy | None = None) -> None:
        self.url = url
        self.engine = create_database_engine(url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.taxonomy = taxonomy or load_taxonomy()

    @property
    def safe_url(self) -> str:
        """The URL without its password (for logs, pages and export provenance)."""
        return make_url(self.url).render_as_string(hide_password=True)

    def close(self) -> None:
        self.engine.dispose()

    # ------------------------------------------------------------------ schema

    def migrate(self) -> None:
        """Bring the schema to the newest revision (idempotent: the migrations record what ran)."""
        config = Config()
        config.set_main_option("script_location", str(resources.files("mail2ticket.review") / "migrations"))
        with self.engine.begin() as connection:
            config.attributes["connection"] = connection
            command.upgrade(config, "head")

    def ping(self) -> bool:
        """Whether the database answers now."""
        try:
            with self.engine.connect() as connection:
                connection.execute(text("SELECT 1"))
            return True
        except Exception:  # any driver error means "not now"
            return False

    # ------------------------------------------------------------------ items in

    def add(self, item: NewReviewItem) -> bool:
        """Queue ``item``; False when its request id is already queued (nothing is written twice)."""
        return self.add_many([item]) == 1

    def add_many(self, items: Sequence[NewReviewItem]) -> int:
        """Queue ``items`` in one transaction; returns how many were new."""
        if not items:
            return 0
        rows = [
            {**item.model_dump(), "status": PENDING, "version": 1} for item in {i.request_id: i for i in items}.values()
        ]
        dialect = postgresql if self.engine.dialect.name == "postgresql" else sqlite
        # Counted with RETURNING: an INSERT's rowcount is not reported by every driver (psycopg gives -1).
        # One statement for the whole batch (SQLAlchemy's "insertmanyvalues"), not one per item.
        statement = (
            dialect.insert(ReviewItem)
            .on_conflict_do_nothing(index_elements=["request_id"])
            .returning(ReviewItem.request_id, sort_by_parameter_order=True)
        )
        with self.engine.begin() as connection:
            return len(connection.execute(statement, rows).all())

    # ------------------------------------------------------------------ reading

    def get(self, request_id: str) -> ReviewItem | None:
        with self.sessions() as session:
            return session.get(ReviewItem, request_id)

    def require(self, request_id: str) -> ReviewItem:
        item = self.get(request_id)
        if item is None:
            raise ItemNotFound(f"no review item {request_id!r}")
        return item

    def list_items(self, where: QueueFilter = QueueFilter(), limit: int = 50, offset: int = 0) -> list[ReviewItem]:
        """A page of items, the longest waiting first."""
        query = (
            select(ReviewItem)
            .where(*where.clauses(utc_now()))
            .order_by(ReviewItem.enqueued_at, ReviewItem.request_id)
            .limit(limit)
            .offset(offset)
        )
        with self.sessions() as session:
            return list(session.scalars(query))

    def count(self, where: QueueFilter = QueueFilter()) -> int:
        with self.sessions() as session:
            return session.scalar(select(func.count()).select_from(ReviewItem).where(*where.clauses(utc_now()))) or 0

    def counts(self) -> dict[str, Any]:
        """Items per state, and pending items per category (the queue page's header)."""
        with self.sessions() as session:
            by_status = dict(session.execute(select(ReviewItem.status, func.count()).group_by(ReviewItem.status)).all())
            by_category = dict(
                session.execute(
                    select(ReviewItem.category, func.count())
                    .where(ReviewItem.status == PENDING)
                    .group_by(ReviewItem.category)
                ).all()
            )
        return {"status": {s: int(by_status.get(s, 0)) for s in STATUSES}, "pending_by_category": by_category}

    def next_pending(self, after: ReviewItem | None = None, where: QueueFilter = QueueFilter()) -> ReviewItem | None:
        """The pending item to open after ``after`` (the next one waiting longest)."""
        conditions = [*replace(where, status=PENDING).clauses(utc_now())]
        if after is not None:
            conditions.append(ReviewItem.request_id != after.request_id)
        query = select(ReviewItem).where(*conditions).order_by(ReviewItem.enqueued_at, ReviewItem.request_id)
        with self.sessions() as session:
            return session.scalars(query.limit(1)).first()

    def audit(self, request_id: str | None = None) -> list[AuditEntry]:
        """The audit trail (of one item, or all of it), oldest first."""
        query = select(AuditEntry).order_by(AuditEntry.id)
        if request_id is not None:
            query = query.where(AuditEntry.request_id == request_id)
        with self.sessions() as session:
            return list(session.scalars(query))

    def decided(self, since: datetime | None = None) -> Iterator[ReviewItem]:
        """Every decided item (oldest decision first), for the export of corrections."""
        query = select(ReviewItem).where(ReviewItem.status != PENDING).order_by(ReviewItem.decided_at)
        if since is not None:
            query = query.where(ReviewItem.decided_at >= since)
        with self.sessions() as session:
            yield from session.scalars(query.execution_options(yield_per=500))

    # ------------------------------------------------------------------ deciding

    @cached_property
    def _validators(self) -> dict[str, Draft202012Validator]:
        return {
            c.name: Draft202012Validator(c.json_schema(), format_checker=FormatChecker())
            for c in self.taxonomy.categories
        }

    def check_fields(self, category: str, fields: dict[str, Any]) -> dict[str, Any]:
        """``fields`` without blanks, validated against ``category``'s JSON Schema (errors named per field)."""
        if category == UNKNOWN:
            return {}
        cleaned = {k: v for k, v in fields.items() if v not in (None, "", [])}
        errors = [
            f"{'/'.join(map(str, e.absolute_path)) or 'fields'}: {e.message}"
            for e in self._validators[category].iter_errors(cleaned)
        ]
        if errors:
            raise InvalidDecision(f"the fields do not fit {category!r}: " + "; ".join(errors), errors)
        return cleaned

    def _verdict(self, item: ReviewItem, decision: Decision) -> tuple[str, str, dict[str, Any]]:
        """The status, category and fields that ``decision`` gives ``item``."""
        if decision.action == "out_of_scope":
            return OUT_OF_SCOPE, UNKNOWN, {}
        if decision.action == "confirm":
            category = item.category
        else:
            if not decision.category:
                raise InvalidDecision("a correction names the right category")
            category = decision.category
        if category not in self.taxonomy.labels_with_unknown:
            raise InvalidDecision(f"{category!r} is not a category of the taxonomy")
        fields = self.check_fields(category, item.fields if decision.fields is None else decision.fields)
        if category == UNKNOWN:
            return OUT_OF_SCOPE, UNKNOWN, {}
        return (CORRECTED if category != item.category else CONFIRMED), category, fields

    def decide(self, request_id: str, decision: Decision, reviewer: Reviewer) -> ReviewItem:
        """Record ``reviewer``'s decision and its audit row, unless the item changed since they saw it.

        The item is read first, outside the write: what the verdict depends on (the model's
        category and fields) never changes, and the decision state it records as "before" is
        that of the version the update requires. The write transaction then starts with the
        guarded UPDATE, so on SQLite it takes the write lock at once (a transaction that read
        first could not be upgraded once another reviewer committed) and on PostgreSQL the
        second of two concurrent updates waits for the first, then matches no row.
        """
        item = self.require(request_id)
        if item.version != decision.version:
            raise ReviewConflict(item)
        status, category, fields = self._verdict(item, decision)
        before = item_state(item)
        now = utc_now()
        with self.sessions.begin() as session:
            matched = session.execute(
                update(ReviewItem)
                .where(ReviewItem.request_id == request_id, ReviewItem.version == decision.version)
                .values(
                    status=status,
                    decided_category=category,
                    decided_fields=fields,
                    decided_by=reviewer.name,
                    decided_at=now,
                    version=ReviewItem.version + 1,
                )
                .execution_options(synchronize_session=False)
            ).rowcount
            if matched == 1:
                decided = session.get(ReviewItem, request_id)
                after = item_state(decided)
                session.add(
                    AuditEntry(
                        request_id=request_id,
                        at=now,
                        actor=reviewer.name,
                        role=reviewer.role,
                        action=decision.action,
                        before=before,
                        after=after,
                    )
                )
        if matched != 1:
            raise ReviewConflict(self.require(request_id))
        return decided

    # ------------------------------------------------------------------ retention

    def purge(self, retention: timedelta, now: datetime | None = None) -> int:
        """Erase the e-mail text of items decided more than ``retention`` ago; returns how many."""
        cutoff = (now or utc_now()) - retention
        with self.engine.begin() as connection:
            return connection.execute(
                update(ReviewItem)
                .where(ReviewItem.status != PENDING, ReviewItem.decided_at < cutoff, ReviewItem.purged_at.is_(None))
                .values(email=None, first_email=None, subject=None, sender=None, purged_at=utc_now())
            ).rowcount


def open_store(url: str, migrate: bool = True) -> ReviewStore:
    """A store on ``url``, its schema migrated first unless told otherwise."""
    store = ReviewStore(url)
    if migrate:
        store.migrate()
    return store
