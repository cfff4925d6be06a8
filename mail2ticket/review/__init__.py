"""The human review queue: tickets the model is unsure of wait here for a person.

- :class:`ReviewStore` (:mod:`.store`): items, decisions and their audit trail in a database
  (SQLite by default, PostgreSQL on the cluster), created by Alembic migrations;
- :class:`Outbox` and :class:`OutboxDelivery` (:mod:`.outbox`): the Gateway's durable local
  hand-over, so a ticket is answered even while the database is down and no item is lost;
- :func:`export_decisions` (:mod:`.export`): decided items as a training dataset with provenance;
- :class:`NewReviewItem`, :class:`Decision`, :class:`Reviewer` (:mod:`.items`): the data exchanged.
"""

from mail2ticket.review.export import ExportSummary, export_decisions
from mail2ticket.review.items import Action, Decision, NewReviewItem, Reviewer, Role
from mail2ticket.review.models import CONFIRMED, CORRECTED, OUT_OF_SCOPE, PENDING, STATUSES, AuditEntry, ReviewItem
from mail2ticket.review.outbox import Outbox, OutboxDelivery
from mail2ticket.review.store import (
    DATABASE_URL_ENV,
    DEFAULT_DATABASE_URL,
    InvalidDecision,
    ItemNotFound,
    QueueFilter,
    ReviewConflict,
    ReviewError,
    ReviewStore,
    open_store,
)

__all__ = [
    "CONFIRMED",
    "CORRECTED",
    "DATABASE_URL_ENV",
    "DEFAULT_DATABASE_URL",
    "OUT_OF_SCOPE",
    "PENDING",
    "STATUSES",
    "Action",
    "AuditEntry",
    "Decision",
    "ExportSummary",
    "InvalidDecision",
    "ItemNotFound",
    "NewReviewItem",
    "Outbox",
    "OutboxDelivery",
    "QueueFilter",
    "ReviewConflict",
    "ReviewError",
    "ReviewItem",
    "ReviewStore",
    "Reviewer",
    "Role",
    "export_decisions",
    "open_store",
]
