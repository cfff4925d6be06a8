"""The ``Gateway``: the HTTP API (FastAPI ingress) and the orchestrator of the agents.

For ``POST /v1/tickets`` it isolates the client's first e-mail of the thread, asks the
``Classifier``, then the category's extractor agent, writes the audit line and answers the
ticket (DESIGN: data flow step 6, HTTP API). Everything a caller can get wrong is answered
with a 4xx JSON error that says what to fix; overload and a missing downstream replica with
503 and ``Retry-After``; a deadline that passes with 504. Nothing surfaces as a 500, and no
single request can take the process down.

The classifier model is a :class:`~serving.registry.ModelState` held in one attribute. A
request reads it once when it starts and carries it to the agents, so ``POST /admin/reload``
can load the new champion on the Engine first and then swap the attribute: requests already
running finish on the previous adapter (the Engine keeps it loaded), new ones get the new one,
and none is dropped.

Request ids: Serve's proxy already reads ``X-Request-ID`` (or makes one) and echoes it in the
response header; the Gateway uses that same id in the body, the audit line and the logs.
"""

import asyncio
import logging
import re
import time
import uuid
from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse
from fastapi.security import HTTPBearer
from pydantic import BaseModel, ValidationError
from ray import serve
from ray.exceptions import RayActorError
from ray.serve.exceptions import (
    BackPressureError,
    DeploymentUnavailableError,
    ReplicaUnavailableError,
    RequestCancelledError,
)
from ray.serve.handle import DeploymentHandle, DeploymentResponse
from starlette.exceptions import HTTPException as StarletteHTTPException

import mail2ticket
from mail2ticket.taxonomy import UNKNOWN, load_taxonomy
from mail2ticket.threads import DEFAULT_SUPPORT_DOMAINS, first_client_email
from serving.audit import AuditError, AuditLog
from serving.auth import TokenAuth, fingerprint
from serving.registry import ChampionError, ModelState
from serving.schemas import (
    ClassifyRequest,
    ClassifyResponse,
    ErrorResponse,
    TicketRequest,
    TicketResponse,
    request_body_schema,
)
from serving.settings import AppSettings, engine_handle

logger = logging.getLogger("ray.serve")

REQUEST_ID_HEADER = "x-request-id"
TIMEOUT_HEADER = "x-request-timeout"
_REQUEST_ID = re.compile(r"^[A-Za-z0-9._:\-]{1,128}$")

api = FastAPI(
    title="mail2ticket",
    version=getattr(mail2ticket, "__version__", "0.1.0"),
    description=(
        "Turns French customer e-mails into tickets: a classifier agent picks the category among the taxonomy's "
        "labels (never outside them), the category's extractor agent fills its fields. Authenticate with "
        "`Authorization: Bearer <token>`. Every answer carries a request id (`X-Request-ID`, sent or generated)."
    ),
)
_bearer = HTTPBearer(auto_error=False, description="An API token (MAIL2TICKET_API_TOKENS).")
_ERRORS: dict[int | str, dict[str, Any]] = {
    code: {"model": ErrorResponse, "description": text}
    for code, text in {
        400: "Body is not UTF-8 JSON, or a bad X-Request-ID / X-Request-Timeout header.",
        401: "Missing or wrong bearer token.",
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
    body: dict[str, Any] = {"code": error.code, "message": error.message}
    if error.details:
        body["details"] = error.details
    headers = dict(error.headers or {})
    if REQUEST_ID_HEADER not in request.headers:  # not through Serve's proxy: say it ourselves
        headers["X-Request-ID"] = request_id_of(request)
    return JSONResponse({"request_id": request_id_of(request), "error": body}, error.status, headers=headers)


@api.exception_handler(StarletteHTTPException)
async def _http_error(request: Request, exc: StarletteHTTPException) -> JSONResponse:
    """Unknown routes and wrong methods, in the API's error format."""
    code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
    return error_response(request, ApiError(exc.status_code, code, str(exc.detail), headers=exc.headers))


@api.exception_handler(RequestValidationError)
async def _validation_error(request: Request, exc: RequestValidationError) -> JSONResponse:
    return error_response(request, ApiError(422, "validation_error", "invalid request", _details(exc.errors())))


def _details(errors: Any) -> list[dict[str, Any]]:
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
        details = _details(errors)
        if any(d["field"] == "email" and "empty" in d["problem"] for d in details):
            raise ApiError(422, "empty_email", "the e-mail is empty or only whitespace", details) from None
        raise ApiError(422, "validation_error", "the body does not match the request schema", details) from None


class _Tracker:
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


@serve.deployment(name="Gateway", max_ongoing_requests=64, ray_actor_options={"num_cpus": 0.25})
@serve.ingress(api)
class Gateway:
    """FastAPI ingress and orchestrator: Classifier, then the category's extractor agent."""

    async def __init__(
        self,
        classifier: DeploymentHandle,
        extractor: DeploymentHandle,
        engine: DeploymentHandle | None,
        settings: dict[str, Any],
    ) -> None:
        self.settings = s = AppSettings.model_validate(settings)
        self.api_auth = TokenAuth.from_env(s.auth_required, s.tokens_env)
        self.admin_auth = TokenAuth.from_env(s.auth_required, s.admin_tokens_env, fallback=s.tokens_env)
        self.classifier, self.extractor, self.engine = classifier, extractor, engine_handle(engine, s)
        self.taxonomy = load_taxonomy()
        self.support_domains = tuple(s.support_domains or DEFAULT_SUPPORT_DOMAINS)
        self.audit = AuditLog(s.audit_path(), s.audit_email, s.audit_fsync)
        self._reload_lock = asyncio.Lock()
        resolved = await self._resolve()
        if isinstance(resolved, ChampionError):
            resolved = await self.engine.base.remote(resolved.message, s.base_prompt_style)
        elif resolved.adapter:
            # The resolving replica has the adapter loaded; the other running Engine replicas load
            # it now rather than in their first request (a replica not up yet loads it on first use).
            warmed = await self.engine.broadcast("warm", resolved.adapter).results_async(return_exceptions=True)
            for failure in (w for w in warmed if isinstance(w, BaseException)):
                logger.warning("an Engine replica could not preload %s: %s", resolved.adapter, failure)
        self.state: ModelState = resolved
        logger.info("serving %s (audit log %s)", self.state.public(), self.audit.path)

    # ------------------------------------------------------------------ API

    @api.post(
        "/v1/tickets",
        response_model=TicketResponse,
        responses=_ERRORS,
        openapi_extra=request_body_schema(TicketRequest),
        dependencies=[Depends(_bearer)],
        tags=["tickets"],
        summary="Classify an e-mail and extract its category's fields",
    )
    async def tickets(self, request: Request) -> JSONResponse:
        return await self._serve(request, TicketRequest, self._ticket)

    @api.post(
        "/v1/classify",
        response_model=ClassifyResponse,
        responses=_ERRORS,
        openapi_extra=request_body_schema(ClassifyRequest),
        dependencies=[Depends(_bearer)],
        tags=["tickets"],
        summary="Classify an e-mail (category only)",
    )
    async def classify(self, request: Request) -> JSONResponse:
        return await self._serve(request, ClassifyRequest, self._classify)

    @api.get("/v1/taxonomy", responses=_ERRORS, dependencies=[Depends(_bearer)], tags=["tickets"])
    async def taxonomy(self, request: Request) -> JSONResponse:
        """The categories, their effective review thresholds and their extraction JSON Schemas."""
        try:
            self._authorize(request, self.api_auth)
        except ApiError as error:
            return error_response(request, error)
        t = self.taxonomy
        return JSONResponse(
            {
                "request_id": request_id_of(request),
                "version": t.version,
                "digest": t.digest,
                "labels": t.labels_with_unknown,
                "categories": [
                    {
                        "name": c.name,
                        "key": c.key,
                        "description": " ".join(c.description.split()),
                        "review_threshold": self.settings.threshold(c.name),
                        "fields_schema": c.json_schema(),
                    }
                    for c in t.categories
                ],
            }
        )

    @api.get("/healthz", tags=["operations"])
    async def healthz(self) -> dict[str, str]:
        """Liveness: the Gateway answers."""
        return {"status": "ok"}

    @api.get("/readyz", tags=["operations"])
    async def readyz(self, request: Request) -> JSONResponse:
        """Readiness, and which classifier model is served (the champion, or the base model and why)."""
        state = self.state
        return JSONResponse(
            {
                "ready": True,
                "request_id": request_id_of(request),
                "serving": state.serving,
                "models": self._models(state),
                **({"warning": state.reason} if state.serving == "base" else {}),
            }
        )

    @api.post("/admin/reload", responses=_ERRORS, dependencies=[Depends(_bearer)], tags=["operations"])
    async def reload(self, request: Request) -> JSONResponse:
        """Resolve the registry alias again; load the new champion, then switch to it without dropping requests."""
        try:
            caller = self._authorize(request, self.admin_auth)
            previous, current = await self._reload()
        except ChampionError as exc:
            status = 503 if exc.kind in ("unreachable", "unavailable") else 409
            headers = {"Retry-After": str(self.settings.retry_after_s)} if status == 503 else None
            message = f"{exc.message}; still serving {self._describe(self.state)}"
            return error_response(request, ApiError(status, exc.kind, message, headers=headers))
        except ApiError as error:
            return error_response(request, error)
        except Exception as exc:
            logger.exception("reload failed")
            return error_response(request, self._unavailable(exc))
        changed = previous.adapter != current.adapter
        try:
            self.audit.write(
                {"event": "reload", "request_id": request_id_of(request), "caller": caller, "changed": changed,
                 "previous": previous.public(), "current": current.public()}
            )  # fmt: skip
        except AuditError as exc:
            logger.error("%s", exc)
        return JSONResponse(
            {
                "request_id": request_id_of(request),
                "changed": changed,
                "previous": previous.public(),
                "current": current.public(),
            }
        )

    # ------------------------------------------------------------------ orchestration

    async def _ticket(self, payload: TicketRequest, rid: str, caller: str, track: _Tracker) -> dict[str, Any]:
        state = self.state
        timings: dict[str, float] = {}
        first = await self._first_email(payload.email, timings)
        result = await track(self.classifier.classify.remote(first, state))
        timings["classify"], timings["engine_classify"] = result["agent_ms"], result["engine_ms"]
        fields: dict[str, Any] = {}
        agent = None
        if self.settings.extraction and result["category"] != UNKNOWN:
            text = f"Objet : {payload.subject}\n\n{first}" if payload.subject else first
            started = time.perf_counter()
            received = payload.received_at.isoformat() if payload.received_at else None
            extracted = await track(self.extractor.extract.remote(text, result["category"], received))
            fields, agent = extracted["fields"], extracted["agent"]
            timings["extract"] = round(1000 * (time.perf_counter() - started), 1)
            timings["engine_extract"] = extracted["engine_ms"]
        models = {**self._models(state), "extractor": {"agent": agent, "adapter": None}}
        body = {
            "request_id": rid,
            "category": result["category"],
            "confidence": result["confidence"],
            "needs_review": result["needs_review"],
            "fields": fields,
            "first_email": first,
            "models": models,
        }
        audit = {
            "subject": self.audit.text(payload.subject),
            "sender": self.audit.text(payload.sender),
            "received_at": payload.received_at.isoformat() if payload.received_at else None,
            "fields": fields if self.audit.email_mode == "keep" else sorted(fields),
        }
        return self._answer(body, result, payload.email, first, caller, "tickets", timings, audit, track.started)

    async def _classify(self, payload: ClassifyRequest, rid: str, caller: str, track: _Tracker) -> dict[str, Any]:
        state = self.state
        timings: dict[str, float] = {}
        first = await self._first_email(payload.email, timings)
        result = await track(self.classifier.classify.remote(first, state))
        timings["classify"], timings["engine_classify"] = result["agent_ms"], result["engine_ms"]
        body = {
            "request_id": rid,
            "category": result["category"],
            "confidence": result["confidence"],
            "needs_review": result["needs_review"],
            "scores": result["scores"],
            "first_email": first,
            "models": self._models(state),
        }
        return self._answer(body, result, payload.email, first, caller, "classify", timings, {}, track.started)

    def _answer(
        self,
        body: dict[str, Any],
        result: dict[str, Any],
        email: str,
        first: str,
        caller: str,
        endpoint: str,
        timings: dict[str, float],
        extra: dict[str, Any],
        started: float,
    ) -> dict[str, Any]:
        """The response body, once its audit line is written (an answered decision is always audited)."""
        timings["total"] = round(1000 * (time.perf_counter() - started), 1)
        body["timings_ms"] = timings
        self.audit.write(
            {
                "event": "decision",
                "request_id": body["request_id"],
                "endpoint": endpoint,
                "caller": caller,
                "category": body["category"],
                "confidence": body["confidence"],
                "needs_review": body["needs_review"],
                "review_threshold": result["review_threshold"],
                "models": body["models"],
                "timings_ms": timings,
                "engine_batch": result["batch"],
                "engine_replica": result["engine_replica"],
                "email": self.audit.text(email),
                "first_email": self.audit.text(first),
                **extra,
            }
        )
        return body

    async def _first_email(self, email: str, timings: dict[str, float]) -> str:
        started = time.perf_counter()
        # Thread splitting is pure Python over up to max_body_bytes of text: off the event loop.
        first = await asyncio.to_thread(first_client_email, email, self.support_domains)
        timings["first_email"] = round(1000 * (time.perf_counter() - started), 1)
        return first.strip() or email.strip()

    def _models(self, state: ModelState) -> dict[str, Any]:
        return {
            "engine": state.engine,
            "dtype": state.dtype,
            "base_model": state.base_model,
            "taxonomy_version": self.taxonomy.version,
            "classifier": state.public(),
        }

    # ------------------------------------------------------------------ plumbing

    async def _serve(
        self,
        request: Request,
        model: type[BaseModel],
        work: Callable[[Any, str, str, _Tracker], Awaitable[dict[str, Any]]],
    ) -> JSONResponse:
        """Checks, deadline and error mapping shared by the decision endpoints."""
        started = time.perf_counter()
        rid = request_id_of(request)
        track = _Tracker(started)
        try:
            if request.headers.get(REQUEST_ID_HEADER) and not _REQUEST_ID.match(request.headers[REQUEST_ID_HEADER]):
                raise ApiError(400, "invalid_request_id", "X-Request-ID must be 1-128 characters of [A-Za-z0-9._:-]")
            caller = self._authorize(request, self.api_auth)
            deadline = self._deadline(request)
            payload = parse_body(await read_body(request, self.settings.max_body_bytes), model)
            remaining = deadline - (time.perf_counter() - started)
            body = await asyncio.wait_for(work(payload, rid, caller, track), max(remaining, 0.0))
        except ApiError as error:
            return error_response(request, error)
        except TimeoutError:
            track.cancel()
            return error_response(request, ApiError(504, "timeout", "the request did not complete within its deadline"))
        except AuditError as exc:
            logger.error("%s", exc)
            return error_response(request, self._unavailable(exc, "audit_unavailable"))
        except Exception as exc:
            track.cancel()
            return error_response(request, self._unavailable(exc))
        headers = {} if REQUEST_ID_HEADER in request.headers else {"X-Request-ID": rid}
        return JSONResponse(body, headers=headers)

    def _authorize(self, request: Request, auth: TokenAuth) -> str:
        """The caller's token fingerprint, or 401."""
        if not auth.required:
            return "anonymous"
        scheme, _, token = request.headers.get("authorization", "").partition(" ")
        token = token.strip()
        challenge = {"WWW-Authenticate": 'Bearer realm="mail2ticket"'}
        if scheme.lower() != "bearer" or not token:
            raise ApiError(401, "missing_token", "send Authorization: Bearer <token>", headers=challenge)
        if not auth.check(token):
            challenge["WWW-Authenticate"] += ', error="invalid_token"'
            raise ApiError(401, "invalid_token", "the bearer token is not accepted", headers=challenge)
        return fingerprint(token)

    def _deadline(self, request: Request) -> float:
        """The request's deadline: the configured one, or shorter when the caller asks (X-Request-Timeout)."""
        limit = self.settings.request_timeout_s
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

    def _unavailable(self, exc: BaseException, code: str | None = None) -> ApiError:
        return unavailable_error(exc, self.settings.retry_after_s, code)

    async def _reload(self) -> tuple[ModelState, ModelState]:
        """Resolve the alias, load the adapter on every Engine replica, then switch every Gateway replica."""
        async with self._reload_lock:
            previous = self.state
            current = await self._resolve()  # loads and warms the adapter on one Engine replica
            if isinstance(current, ChampionError):
                raise current
            if current.adapter != previous.adapter:
                if current.adapter:
                    await self.engine.broadcast("warm", current.adapter).results_async()
                context = serve.get_replica_context()
                peers = serve.get_deployment_handle(context.deployment, context.app_name)
                await peers.broadcast("adopt", current).results_async(return_exceptions=True)
                logger.info("classifier switched from %s to %s", self._describe(previous), self._describe(current))
            self.state = current  # this replica, whatever the broadcast reached
            return previous, current

    async def _resolve(self) -> ModelState | ChampionError:
        s = self.settings
        return await self.engine.resolve.remote(s.registered_model, s.model_alias, s.adapter)

    def adopt(self, state: ModelState) -> str:
        """Serve ``state`` from now on (the swap: one reference, read once by every new request)."""
        self.state = state
        return state.adapter or "base"

    @staticmethod
    def _describe(state: ModelState) -> str:
        if state.serving == "base":
            return f"the base model {state.base_model}"
        return f"{state.registered_model} v{state.version}" if state.version else f"adapter {state.adapter}"
