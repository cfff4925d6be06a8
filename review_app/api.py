"""The review API: ``GET /api/v1/items``, ``GET /api/v1/items/{id}``, ``POST /api/v1/items/{id}/decision``.

Bearer tokens only (a login cookie opens the pages, never the API); errors are JSON
``{"error": {"code", "message", "details"?}}`` like the ticket API's (:func:`api_error`).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Annotated, Any

from fastapi import APIRouter, Query
from fastapi.responses import JSONResponse, Response

from mail2ticket.review import (
    PENDING,
    STATUSES,
    Decision,
    InvalidDecision,
    ItemNotFound,
    QueueFilter,
    ReviewConflict,
    Reviewer,
)
from review_app.dependencies import ApiUser, StoreDep, TaxonomyDep
from review_app.schemas import (
    ConflictResponse,
    ErrorResponse,
    ItemDetail,
    ItemOut,
    ItemPage,
    audit_json,
    item_json,
)

API_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorResponse, "description": "Missing or wrong bearer token."},
    403: {"model": ErrorResponse, "description": "A token whose role cannot review (an API client's)."},
}

router = APIRouter()


def api_error(status: int, code: str, message: str, details: list[dict[str, Any]] | None = None,
              headers: Mapping[str, str] | None = None, **extra: Any) -> JSONResponse:  # fmt: skip
    """A JSON error of the API (the ticket API's shape)."""
    body: dict[str, Any] = {"code": code, "message": message}
    if details:
        body["details"] = details
    return JSONResponse({"error": body, **extra}, status, headers=dict(headers or {}))


@router.get("/api/v1/items", tags=["review"], summary="List the queue.", response_model=ItemPage,
            responses=API_ERRORS)  # fmt: skip
def api_list(
    identity: ApiUser,
    store: StoreDep,
    taxonomy: TaxonomyDep,
    status: Annotated[str, Query(description="pending, confirmed, corrected, out_of_scope, or all.")] = PENDING,
    category: Annotated[str | None, Query(description="The model's category (a taxonomy label).")] = None,
    min_confidence: Annotated[float | None, Query(ge=0, le=1)] = None,
    max_confidence: Annotated[float | None, Query(ge=0, le=1)] = None,
    min_age_hours: Annotated[float | None, Query(ge=0, description="Waiting at least this long.")] = None,
    max_age_hours: Annotated[float | None, Query(ge=0, description="Waiting at most this long.")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 50,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Response:
    if status != "all" and status not in STATUSES:
        return api_error(422, "validation_error", f"status is one of {', '.join(STATUSES)} or all, not {status!r}")
    if category is not None and category not in taxonomy.labels_with_unknown:
        return api_error(422, "validation_error", f"{category!r} is not a category of the taxonomy")
    where = QueueFilter(
        status=None if status == "all" else status,
        category=category,
        min_confidence=min_confidence,
        max_confidence=max_confidence,
        min_age_hours=min_age_hours,
        max_age_hours=max_age_hours,
    )
    items = [item_json(i, taxonomy) for i in store.list_items(where, limit, offset)]
    body = {"items": items, "total": store.count(where), "limit": limit, "offset": offset, "counts": store.counts()}
    return JSONResponse(body)


@router.get(
    "/api/v1/items/{request_id}",
    tags=["review"],
    summary="One item with its audit trail.",
    response_model=ItemDetail,
    responses={**API_ERRORS, 404: {"model": ErrorResponse, "description": "No item has this request id."}},
)
def api_get(request_id: str, identity: ApiUser, store: StoreDep, taxonomy: TaxonomyDep) -> Response:
    item = store.get(request_id)
    if item is None:
        return api_error(404, "not_found", f"no review item {request_id!r}")
    audit = [audit_json(a) for a in store.audit(request_id)]
    return JSONResponse({**item_json(item, taxonomy), "audit": audit})


@router.post(
    "/api/v1/items/{request_id}/decision",
    tags=["review"],
    summary="Decide an item (confirm, correct, out of scope).",
    description="Send the item's `version` as you saw it: when someone decided in between, the answer is 409 "
    "with the item as it now stands. A correction names the category; `fields` omitted keeps the model's.",
    response_model=ItemOut,
    responses={
        **API_ERRORS,
        404: {"model": ErrorResponse, "description": "No item has this request id."},
        409: {"model": ConflictResponse, "description": "Someone decided the item since that version."},
        422: {"model": ErrorResponse, "description": "A category or fields the taxonomy refuses."},
    },
)
def api_decide(
    request_id: str, decision: Decision, identity: ApiUser, store: StoreDep, taxonomy: TaxonomyDep
) -> Response:
    try:
        decided = store.decide(request_id, decision, Reviewer(identity.name, identity.role))
    except ItemNotFound as exc:
        return api_error(404, "not_found", str(exc))
    except ReviewConflict as exc:
        return api_error(409, "conflict", str(exc), current=item_json(exc.current, taxonomy))
    except InvalidDecision as exc:
        details = []
        for message in exc.errors:
            name, sep, text = message.partition(": ")
            details.append({"field": name, "message": text} if sep else {"field": None, "message": message})
        return api_error(422, "invalid_decision", str(exc), details)
    return JSONResponse(item_json(decided, taxonomy))


__all__ = ["API_ERRORS", "api_error", "router"]
