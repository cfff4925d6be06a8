"""The HTTP edge of the Gateway: request ids, bearer tokens, body limits, deadlines and errors.

Everything a caller can get wrong is answered with a 4xx JSON error that says what to fix;
overload and a missing downstream replica with 503 and ``Retry-After``; a deadline that passes
with 504. Every error has the same shape: ``{"request_id", "error": {"code", "message",
"details"?}}``. Nothing here knows about tickets: :mod:`serving.gateway` orchestrates the agents
and calls :func:`handle` for the checks around each decision.

Request ids: Serve's proxy already reads ``X-Request-ID`` (or makes one) and echoes it in the
response header; the Gateway uses that same id in the body, the audit line and the logs.
"""

from __future__ import annotations

import asyncio
import logging
import re
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import HTTPBearer
from pydantic import BaseModel, ValidationError
from ray.exceptions import RayActorError
from ray.serve.exceptions import (
    BackPressureError,
    DeploymentUnavailableError,
    ReplicaUnavailableError,
    RequestCancelledError,
)
from ray.serve.handle import DeploymentResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

from mail2ticket.auth import Role, TokenRoles, bearer_token, grants
from serving.audit import AuditError
from serving.schemas import ErrorResponse
from serving.settings import LimitSettings

logger = logging.getLogger("ray.serve")

REQUEST_ID_HEADER = "x-request-id"
TIMEOUT_HEADER = "x-request-timeout"
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")

#: The bearer scheme, for the OpenAPI description (the routes check tokens themselves).
bearer = HTTPBearer(
    auto_error=False,
    description="A client token (MAIL2TICKET_API_TOKENS) for /v1; an admin one (MAIL2TICKET_ADMIN_TOKENS) for /admin.",
)

#: The error answers of the decision routes, for the OpenAPI description.
ERROR_RESPONSES: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorResponse, "description": text}
    for code, text in {
        400: "Body is not UTF-8 JSON, or a bad X-Request-ID / X-Request-Timeout header.",
        401: "Missing or wrong bearer token.",
        403: "A token whose role may not call this route (e.g. a reviewer's on the ticket API).",
        413: "Body over the configured limit.",
        422: "JSON that does not match the request schema (wrong types, empty e-mail, unknown keys).",
        503: "Overloaded or a replica is restarting: retry after the Retry-After header.",
        504: "The request's deadline passed.",
    }.items()
}


class ApiError(Exception):
    """An answer other than 200, with a stable code and a message for the caller."""

    def __init__(
        self,
        status: int,
        code: str,
        message: str,
        details: list[dict[str, Any]] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(message)
        self.status, self.code, self.message, self.details, self.headers = status, code, message, details, headers


def request_id_of(request: Request) -> str:
    """The request id: the proxy's (sent by the caller or generated), else one made here."""
    value = request.headers.get(REQUEST_ID_HEADER)
    if value and _REQUEST_ID.match(value):
        return value
    return request.scope.setdefault("mail2ticket.rid", uuid.uuid4().hex)


def error_response(request: Request, error: ApiError) -> JSONResponse:
    """The JSON answer of ``error``, with the request id in the body and, off the proxy, in a header."""
    body: dict[str, Any] = {"code": error.code, "message": error.message}
    if error.details:
        body["details"] = error.details
    headers = dict(error.headers or {})
    if REQUEST_ID_HEADER not in request.headers:  # not through Serve's proxy: say it ourselves
        headers["X-Request-ID"] = request_id_of(request)
    return JSONResponse({"request_id": request_id_of(request), "error": body}, error.status, headers=headers)


def ok_response(request: Request, body: dict[str, Any]) -> JSONResponse:
    """A 200 answer, with the request id in a header when the proxy did not add it."""
    headers = {} if REQUEST_ID_HEADER in request.headers else {"X-Request-ID": request_id_of(request)}
    return JSONResponse(body, headers=headers)


def install_error_handlers(api: FastAPI) -> None:
    """Unknown routes, wrong methods and FastAPI's own validation errors, in the API's error format."""

    async def http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        return error_response(request, ApiError(exc.status_code, code, str(exc.detail), headers=exc.headers))

    async def validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
        return error_response(request, ApiError(422, "validation_error", "invalid request", details(exc.errors())))

    api.add_exception_handler(StarletteHTTPException, http_error)  # type: ignore[arg-type]
    api.add_exception_handler(RequestValidationError, validation_error)  # type: ignore[arg-type]


def details(errors: Any) -> list[dict[str, Any]]:
    """Per-field problems of a validation error, in the API's words."""
    return [
        {"field": ".".join(str(p) for p in e.get("loc", ())) or "(body)", "problem": e.get("msg", ""),
         "type": e["type"]}
        for e in errors
    ]  # fmt: skip


async def read_body(request: Request, limit: int) -> bytes:
    """The body, refused with 413 as soon as it is known to exceed ``limit`` bytes."""
    declared = request.headers.get("content-length")
    too_large = ApiError(413, "body_too_large", f"the body exceeds {limit} bytes")
    if declared is not None:
        if not declared.isdigit():
            raise ApiError(400, "invalid_content_length", "Content-Length is not a number")
        if int(declared) > limit:
            raise too_large
    chunks, size = [], 0
    async for chunk in request.stream():
        size += len(chunk)
        if size > limit:
            raise too_large
        chunks.append(chunk)
    return b"".join(chunks)


def parse_body(body: bytes, model: type[BaseModel]) -> Any:
    """Validate a JSON body; each way of getting it wrong has its own code."""
    if not body.strip():
        raise ApiError(400, "empty_body", 'the body is empty: send a JSON object such as {"email": "..."}')
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise ApiError(400, "invalid_encoding", f"the body is not UTF-8 (invalid byte at offset {exc.start})") from None
    try:
        return model.model_validate_json(text)
    except ValidationError as exc:
        errors = exc.errors(include_url=False, include_context=False, include_input=False)
        if any(e["type"] == "json_invalid" for e in errors):
            raise ApiError(400, "invalid_json", f"the body is not valid JSON: {errors[0]['msg']}") from None
        if any(e["type"] == "model_type" and not e.get("loc") for e in errors):
            raise ApiError(422, "not_an_object", 'the body must be a JSON object such as {"email": "..."}') from None
        found = details(errors)
        if any(d["field"] == "email" and "empty" in d["problem"] for d in found):
            raise ApiError(422, "empty_email", "the e-mail is empty or only whitespace", found) from None
        raise ApiError(422, "validation_error", "the body does not match the request schema", found) from None


def authorize(request: Request, auth: TokenRoles, scope: Role = "client") -> str:
    """The caller's name (``anonymous`` when auth is off); 401 without a known token, 403 without the role."""
    if not auth.required:
        return "anonymous"
    token = bearer_token(request.headers.get("authorization"))
    challenge = {"WWW-Authenticate": 'Bearer realm="mail2ticket"'}
    if token is None:
        raise ApiError(401, "missing_token", "send Authorization: Bearer <token>", headers=challenge)
    caller = auth.identify(token)
    if caller is None:
        challenge["WWW-Authenticate"] += ', error="invalid_token"'
        raise ApiError(401, "invalid_token", "the bearer token is not accepted", headers=challenge)
    if not grants(caller.role, scope):
        raise ApiError(403, "forbidden", f"a {caller.role} token cannot call this route (it needs {scope})")
    return caller.name


def deadline_of(request: Request, limit: float) -> float:
    """The request's deadline: ``limit``, or shorter when the caller asks (``X-Request-Timeout``)."""
    asked = request.headers.get(TIMEOUT_HEADER)
    if asked is None:
        return limit
    try:
        value = float(asked)
    except ValueError:
        value = -1.0
    if not 0 < value < float("inf"):
        raise ApiError(400, "invalid_timeout", "X-Request-Timeout must be a positive number of seconds")
    return min(value, limit)


def unavailable_error(exc: BaseException, retry_after_s: int, code: str | None = None) -> ApiError:
    """503 + Retry-After for overload, a restarting replica, or anything unexpected downstream.

    A downstream ``BackPressureError`` (an agent's or the Engine's queue is full) is the
    ``overloaded`` answer a client retries, with the larger of our and Serve's Retry-After.
    """
    retry = retry_after_s
    if isinstance(exc, BackPressureError):
        if exc.retry_after_s is not None:
            retry = max(retry, int(exc.retry_after_s + 0.999))
        return ApiError(503, "overloaded", "too many requests in flight: retry later", headers=_retry(retry))
    restarting = DeploymentUnavailableError | ReplicaUnavailableError | RayActorError | RequestCancelledError
    if isinstance(exc, restarting):
        return ApiError(503, "unavailable", "a model replica is restarting: retry later", headers=_retry(retry))
    if code is None:
        logger.exception("request failed", exc_info=exc)
    message = "the request could not be served: retry later"
    return ApiError(503, code or "internal_error", message, headers=_retry(retry))


def _retry(seconds: int) -> dict[str, str]:
    return {"Retry-After": str(seconds)}


class DownstreamCalls:
    """The downstream calls of one request, so a passed deadline cancels them too."""

    def __init__(self, started: float) -> None:
        self.started = started
        self.responses: list[DeploymentResponse] = []

    async def __call__(self, response: DeploymentResponse) -> Any:
        self.responses.append(response)
        return await response

    def cancel(self) -> None:
        for response in self.responses:
            response.cancel()


Work = Callable[[Any, str, str, DownstreamCalls], Awaitable[dict[str, Any]]]


async def handle(
    request: Request, model: type[BaseModel], work: Work, auth: TokenRoles, limits: LimitSettings
) -> JSONResponse:
    """Checks, deadline and error mapping around one decision.

    The request id, the token, the deadline and the body are checked in that order; then
    ``work(payload, request_id, caller, calls)`` runs within the deadline. Whatever goes wrong
    becomes the API's JSON error: 504 when the deadline passes (the downstream calls are
    cancelled), 503 + Retry-After when the audit line cannot be written (an answered decision
    is always audited) or anything downstream fails.
    """
    started = time.perf_counter()
    rid = request_id_of(request)
    calls = DownstreamCalls(started)
    try:
        if request.headers.get(REQUEST_ID_HEADER) and not _REQUEST_ID.match(request.headers[REQUEST_ID_HEADER]):
            raise ApiError(400, "invalid_request_id", "X-Request-ID must be 1-128 characters of [A-Za-z0-9._:-]")
        caller = authorize(request, auth)
        deadline = deadline_of(request, limits.request_timeout_s)
        payload = parse_body(await read_body(request, limits.max_body_bytes), model)
        remaining = deadline - (time.perf_counter() - started)
        body = await asyncio.wait_for(work(payload, rid, caller, calls), max(remaining, 0.0))
    except ApiError as error:
        return error_response(request, error)
    except TimeoutError:
        calls.cancel()
        return error_response(request, ApiError(504, "timeout", "the request did not complete within its deadline"))
    except AuditError as exc:
        logger.error("%s", exc)
        return error_response(request, unavailable_error(exc, limits.retry_after_s, "audit_unavailable"))
    except Exception as exc:
        calls.cancel()
        return error_response(request, unavailable_error(exc, limits.retry_after_s))
    return ok_response(request, body)


__all__ = [
    "ERROR_RESPONSES",
    "REQUEST_ID_HEADER",
    "TIMEOUT_HEADER",
    "ApiError",
    "DownstreamCalls",
    "authorize",
    "bearer",
    "deadline_of",
    "details",
    "error_response",
    "handle",
    "install_error_handlers",
    "ok_response",
    "parse_body",
    "read_body",
    "request_id_of",
    "unavailable_error",
]
