"""The probes, open to everyone: ``GET /healthz`` (the process answers) and ``GET /readyz`` (the database answers)."""

from __future__ import annotations

from fastapi import APIRouter
from fastapi.responses import JSONResponse, Response

from review_app.api import api_error
from review_app.dependencies import StoreDep
from review_app.schemas import ErrorResponse

router = APIRouter(tags=["probes"])


@router.get("/healthz", summary="The process answers (no database call).")
def healthz() -> dict[str, str]:
    return {"status": "ok"}


@router.get(
    "/readyz",
    summary="The review database answers.",
    responses={503: {"model": ErrorResponse, "description": "The database does not answer."}},
)
def readyz(store: StoreDep) -> Response:
    if not store.ping():
        return api_error(503, "database_unavailable", "the review database does not answer",
                         headers={"Retry-After": "5"})  # fmt: skip
    return JSONResponse({"status": "ready"})


__all__ = ["router"]
