"""What goes into the review queue and what a reviewer sends back, as validated data.

:class:`NewReviewItem` is what the Gateway hands over for a ticket answered with
``needs_review``; it travels through the outbox as JSON, so it is a pydantic model rather than
an ORM row. :class:`Decision` is one reviewer's verdict on one item, carrying the version of the
item the reviewer saw: the store refuses it when someone else decided in between.
:class:`Reviewer` is who decides, with the role the authentication gave them.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator

#: The roles a bearer token or a proxy header carries: API clients send e-mails, reviewers decide
#: review items, administrators do both and may reload the served models.
Role = Literal["client", "reviewer", "admin"]
#: What a reviewer can do with an item.
Action = Literal["confirm", "correct", "out_of_scope"]


def utc_now() -> datetime:
    """Now, timezone-aware (the queue stores every time in UTC)."""
    return datetime.now(UTC)


class NewReviewItem(BaseModel):
    """A ticket the Gateway sent to review: the e-mail, the model's answer and which models gave it."""

    model_config = ConfigDict(extra="forbid")

    request_id: str = Field(min_length=1, max_length=128, description="The API answer's request id (the key).")
    enqueued_at: datetime = Field(default_factory=utc_now, description="When the Gateway answered the ticket.")
    received_at: datetime | None = Field(None, description="When the e-mail was received, as the caller said.")
    subject: str | None = Field(None, description="The e-mail's subject, when the caller sent it.")
    sender: str | None = Field(None, description="The e-mail's sender, when the caller sent it.")
    email: str = Field(description="The e-mail as received (the whole thread).")
    first_email: str = Field(description="The client's first e-mail of the thread: what the model classified.")
    category: str = Field(description="The model's category (a taxonomy label or unknown).")
    confidence: float = Field(ge=0.0, le=1.0, description="The model's confidence in that category.")
    scores: dict[str, float] = Field(default_factory=dict, description="Top categories with their probabilities.")
    fields: dict[str, Any] = Field(default_factory=dict, description="The fields the extractor filled.")
    models: dict[str, Any] = Field(default_factory=dict, description="Engine, base model and adapter versions.")

    @field_validator("enqueued_at", "received_at")
    @classmethod
    def _aware(cls, value: datetime | None) -> datetime | None:
        """A time without an offset is taken as UTC (the queue compares and stores aware times)."""
        return value.replace(tzinfo=UTC) if value is not None and value.tzinfo is None else value


class Decision(BaseModel):
    """A reviewer's verdict on one item."""

    model_config = ConfigDict(extra="forbid")

    action: Action = Field(description="confirm the model's category, correct it, or mark out of scope.")
    version: int = Field(ge=1, description="The item's version the reviewer saw (a concurrent decision wins).")
    category: str | None = Field(None, description="The right category (required to correct).")
    fields: dict[str, Any] | None = Field(
        None, description="The category's fields as the reviewer validated them; omitted keeps the model's."
    )


@dataclass(frozen=True)
class Reviewer:
    """Who decides: a name for the audit trail and the role that allows it."""

    name: str
    role: Role
