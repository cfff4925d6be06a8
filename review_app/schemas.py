"""What the review API answers, as pydantic models (they are the OpenAPI description), and the
one function that turns a queue item into that shape for the API and the pages alike.

The pages render the same dictionaries the API returns (:func:`item_json`), so a field the
reviewers see is a field an integration can read, with the same name and value.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, Field

from mail2ticket.review import PENDING, AuditEntry, ReviewItem
from mail2ticket.taxonomy import Taxonomy

#: How many of the model's categories an item shows.
TOP_CATEGORIES = 5

Status = Literal["pending", "confirmed", "corrected", "out_of_scope"]


class ScoredCategory(BaseModel):
    category: str = Field(description="A taxonomy label (or unknown).")
    probability: float = Field(description="The model's probability of it.")


class DecisionState(BaseModel):
    """What a reviewer decided."""

    category: str | None = Field(description="The validated category (unknown when out of scope).")
    fields: dict[str, Any] | None = Field(description="The validated fields.")
    decided_by: str | None = Field(description="The reviewer (name of the token or of the proxy user).")
    decided_at: datetime | None


class ItemOut(BaseModel):
    """A review item: the e-mail, the model's answer, and the decision once there is one."""

    request_id: str
    status: Status
    version: int = Field(description="Send it back with a decision: a decision on an older version is refused.")
    enqueued_at: datetime
    received_at: datetime | None
    subject: str | None
    sender: str | None
    email: str | None = Field(description="The whole thread (null once erased by the retention period).")
    first_email: str | None = Field(description="The client's first e-mail: what the model classified.")
    category: str = Field(description="The model's category.")
    category_key: str | None = Field(description="Its short key in the taxonomy.")
    confidence: float
    top_categories: list[ScoredCategory] = Field(description="The model's best categories, most probable first.")
    fields: dict[str, Any] = Field(description="The fields the extractor filled.")
    models: dict[str, Any] = Field(description="Which engine, base model and adapters answered.")
    decision: DecisionState | None = Field(description="Null while pending.")
    purged_at: datetime | None = Field(description="When the e-mail text was erased (retention).")


class AuditOut(BaseModel):
    """One decision in the audit trail."""

    id: int
    at: datetime
    actor: str
    role: str
    action: str
    before: dict[str, Any]
    after: dict[str, Any]


class ItemDetail(ItemOut):
    audit: list[AuditOut] = Field(description="Every decision on this item, oldest first.")


class Counts(BaseModel):
    status: dict[str, int] = Field(description="Items per state.")
    pending_by_category: dict[str, int] = Field(description="Pending items per model category.")


class ItemPage(BaseModel):
    items: list[ItemOut]
    total: int = Field(description="Items matching the filters.")
    limit: int
    offset: int
    counts: Counts


class ErrorBody(BaseModel):
    code: str = Field(description="Stable machine-readable code.")
    message: str = Field(description="What went wrong and what to do.")
    details: list[dict[str, Any]] | None = None


class ErrorResponse(BaseModel):
    error: ErrorBody


class ConflictResponse(ErrorResponse):
    current: ItemOut = Field(description="The item as it stands now (decided by someone else).")


def top_categories(item: ReviewItem, limit: int = TOP_CATEGORIES) -> list[dict[str, Any]]:
    """The model's most probable categories (its own answer alone when it gave no scores)."""
    scores = item.scores or {item.category: item.confidence}
    ranked = sorted(scores.items(), key=lambda kv: (-kv[1], kv[0]))[:limit]
    return [{"category": c, "probability": float(p)} for c, p in ranked]


def item_json(item: ReviewItem, taxonomy: Taxonomy) -> dict[str, Any]:
    """``item`` as the API answers it and the pages show it (JSON types: times are ISO strings)."""
    decision = None
    if item.status != PENDING:
        decision = {
            "category": item.decided_category,
            "fields": item.decided_fields,
            "decided_by": item.decided_by,
            "decided_at": item.decided_at,
        }
    out = ItemOut(
        request_id=item.request_id,
        status=item.status,  # type: ignore[arg-type]
        version=item.version,
        enqueued_at=item.enqueued_at,
        received_at=item.received_at,
        subject=item.subject,
        sender=item.sender,
        email=item.email,
        first_email=item.first_email,
        category=item.category,
        category_key=taxonomy.key_of(item.category),
        confidence=item.confidence,
        top_categories=top_categories(item),  # type: ignore[arg-type]
        fields=item.fields or {},
        models=item.models or {},
        decision=decision,  # type: ignore[arg-type]
        purged_at=item.purged_at,
    )
    return out.model_dump(mode="json")


def audit_json(entry: AuditEntry) -> dict[str, Any]:
    """One audit row as the API answers it."""
    return AuditOut(
        id=entry.id,
        at=entry.at,
        actor=entry.actor,
        role=entry.role,
        action=entry.action,
        before=entry.before,
        after=entry.after,
    ).model_dump(mode="json")
