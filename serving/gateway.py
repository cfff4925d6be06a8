"""The ``Gateway``: the HTTP API (FastAPI ingress) and the orchestrator of the agents.

For ``POST /v1/tickets`` it isolates the client's first e-mail of the thread, asks the
``Classifier``, then the category's extractor agent, writes the audit line and answers the
ticket. The HTTP edge (tokens, body limits, deadlines, request ids, the error format) is
:mod:`serving.http`; nothing surfaces as a 500, and no single request can take the process down.

The classifier model is a :class:`~serving.model_state.ModelState` held in one attribute. A
request reads it once when it starts and carries it to the agents, so ``POST /admin/reload``
can load the new champion on the Engine first and then swap the attribute: requests already
running finish on the previous adapter (the Engine keeps it loaded), new ones get the new one,
and none is dropped.

Every answered decision is also counted in the Prometheus metrics of :mod:`serving.metrics`
(category, confidence, review, stage latencies), and the served adapter is exported there as
``mail2ticket_adapter_info``, switched by the same reload.
"""

import asyncio
import logging
import time
from typing import Any

from fastapi import Depends, FastAPI, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from ray import serve
from ray.serve.handle import DeploymentHandle

import mail2ticket
from mail2ticket.auth import TokenRoles
from mail2ticket.data.threads import DEFAULT_SUPPORT_DOMAINS, classified_text
from mail2ticket.taxonomy import UNKNOWN, load_taxonomy
from serving.audit import AuditError, AuditLog, utc_now
from serving.http import (
    ERROR_RESPONSES,
    ApiError,
    DownstreamCalls,
    authorize,
    bearer,
    error_response,
    handle,
    install_error_handlers,
    request_id_of,
    unavailable_error,
)
from serving.metrics import AdapterInfo, DecisionMetrics, adapter_series
from serving.model_state import ChampionError, ExtractorState, ModelState
from serving.review_queue import ReviewQueue
from serving.schemas import ClassifyRequest, ClassifyResponse, TicketRequest, TicketResponse, request_body_schema
from serving.settings import AppSettings, engine_handle

logger = logging.getLogger("ray.serve")

api = FastAPI(
    title="mail2ticket",
    version=mail2ticket.__version__,
    description=(
        "Turns French customer e-mails into tickets: a classifier agent picks the category among the taxonomy's "
        "labels (never outside them), the category's extractor agent fills its fields. Authenticate with "
        "`Authorization: Bearer <token>`. Every answer carries a request id (`X-Request-ID`, sent or generated)."
    ),
)
install_error_handlers(api)

#: What the ticket routes share in the OpenAPI description.
_TICKETS = {"responses": ERROR_RESPONSES, "dependencies": [Depends(bearer)], "tags": ["tickets"]}


def decision_route(path: str, request: type[BaseModel], response: type[BaseModel], summary: str) -> Any:
    """The route of a decision endpoint: its body validated by the handler, described in OpenAPI."""
    return api.post(
        path, response_model=response, openapi_extra=request_body_schema(request), summary=summary, **_TICKETS
    )


def _adapters(state: ModelState) -> tuple[str | None, str | None]:
    """The classifier's and the extraction agents' adapters of ``state`` (a reload changes either)."""
    return state.adapter, state.extractor.adapter if state.extractor else None


@serve.deployment(name="Gateway", max_ongoing_requests=64, ray_actor_options={"num_cpus": 0.25})
@serve.ingress(api)
class Gateway:
    """FastAPI ingress and orchestrator: Classifier, then the category's extractor agent."""

    state: ModelState

    async def __init__(
        self,
        classifier: DeploymentHandle,
        extractor: DeploymentHandle,
        engine: DeploymentHandle | None,
        settings: dict[str, Any],
    ) -> None:
        self.settings = s = AppSettings.model_validate(settings)
        self.auth = TokenRoles.from_env(s.auth.required, s.auth.variables())
        self.classifier, self.extractor, self.engine = classifier, extractor, engine_handle(engine, s)
        self.taxonomy = load_taxonomy()
        self.support_domains = tuple(s.agents.support_domains or DEFAULT_SUPPORT_DOMAINS)
        self.audit = AuditLog(s.audit.path(), s.audit.email, s.audit.fsync)
        self.review = ReviewQueue(s.review) if s.review.enabled else None
        self._reload_lock = asyncio.Lock()
        self.metrics = DecisionMetrics(self.taxonomy)
        self.adapters = AdapterInfo()
        resolved = await self._resolve()
        if isinstance(resolved, ChampionError):
            resolved = await self.engine.base.remote(resolved.message, s.model.base_prompt_style)
        elif resolved.adapter:
            # The resolving replica has the adapter loaded; the other running Engine replicas load
            # it now rather than in their first request (a replica not up yet loads it on first use).
            warmed = await self.engine.broadcast("warm", resolved.adapter).results_async(return_exceptions=True)
            for failure in (w for w in warmed if isinstance(w, BaseException)):
                logger.warning("an Engine replica could not preload %s: %s", resolved.adapter, failure)
        if s.agents.extraction:
            resolved = resolved.model_copy(update={"extractor": await self._resolve_extractor(None)})
        self._serve(resolved)
        self.adapters.start()
        logger.info("serving %s (audit log %s)", self.state.public(), self.audit.path)

    # ------------------------------------------------------------------ API

    @decision_route("/v1/tickets", TicketRequest, TicketResponse, "Classify an e-mail and extract its fields")
    async def tickets(self, request: Request) -> JSONResponse:
        return await handle(request, TicketRequest, self._ticket, self.auth, self.settings.limits)

    @decision_route("/v1/classify", ClassifyRequest, ClassifyResponse, "Classify an e-mail (category only)")
    async def classify(self, request: Request) -> JSONResponse:
        return await handle(request, ClassifyRequest, self._classify, self.auth, self.settings.limits)

    @api.get("/v1/taxonomy", **_TICKETS)
    async def taxonomy(self, request: Request) -> JSONResponse:
        """The categories, the review thresholds in force for the served model, and the extraction JSON Schemas.

        ``review_threshold`` is the threshold of the model asked first (the classical model in a
        cascade); ``review_thresholds`` gives each model that may answer its threshold and its
        source (``calibrated``, ``override`` or ``taxonomy``), since those are what decide
        ``needs_review``.
        """
        try:
            authorize(request, self.auth)
        except ApiError as error:
            return error_response(request, error)
        try:
            thresholds = await self.classifier.review_thresholds.remote(self.state)
        except Exception as exc:  # the Classifier is down or cannot read the adapter: retry later
            return error_response(request, unavailable_error(exc, self.settings.limits.retry_after_s))
        first, by_model = thresholds["first"], thresholds["by_model"]
        t = self.taxonomy
        return JSONResponse(
            {
                "request_id": request_id_of(request),
                "version": t.version,
                "digest": t.digest,
                "labels": t.labels_with_unknown,
                "classifier": {"mode": thresholds["mode"], "asked_first": first, **self.state.public()},
                "categories": [
                    {
                        "name": c.name,
                        "key": c.key,
                        "description": " ".join(c.description.split()),
                        "review_threshold": by_model[first][c.name]["threshold"],
                        "review_thresholds": {model: given[c.name] for model, given in by_model.items()},
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

    @api.post("/admin/reload", responses=ERROR_RESPONSES, dependencies=[Depends(bearer)], tags=["operations"])
    async def reload(self, request: Request) -> JSONResponse:
        """Resolve the registry alias again; load the new champion, then switch to it without dropping requests."""
        try:
            caller = authorize(request, self.auth, "admin")
            previous, current = await self._reload()
        except ChampionError as exc:
            status = 503 if exc.kind in ("unreachable", "unavailable") else 409
            headers = {"Retry-After": str(self.settings.limits.retry_after_s)} if status == 503 else None
            message = f"{exc.message}; still serving {self.state.describe()}"
            return error_response(request, ApiError(status, exc.kind, message, headers=headers))
        except ApiError as error:
            return error_response(request, error)
        except Exception as exc:
            logger.exception("reload failed")
            return error_response(request, unavailable_error(exc, self.settings.limits.retry_after_s))
        changed = _adapters(previous) != _adapters(current)
        extractor = {"previous": self._extractor_model(previous), "current": self._extractor_model(current)}
        try:
            self.audit.write(
                {"event": "reload", "request_id": request_id_of(request), "caller": caller, "changed": changed,
                 "previous": previous.public(), "current": current.public(), "extractor": extractor}
            )  # fmt: skip
        except AuditError as exc:
            logger.error("%s", exc)
        return JSONResponse(
            {
                "request_id": request_id_of(request),
                "changed": changed,
                "previous": previous.public(),
                "current": current.public(),
                "extractor": extractor,
            }
        )

    # ------------------------------------------------------------------ orchestration

    async def _classified(
        self, email: str, calls: DownstreamCalls
    ) -> tuple[ModelState, dict[str, float], str, dict[str, Any]]:
        """The model of this request, the timings so far, the client's first e-mail and the Classifier's answer."""
        state = self.state  # read once: a reload during the request does not change its model
        timings: dict[str, float] = {}
        started = time.perf_counter()
        # Thread splitting is pure Python over up to max_body_bytes of text: off the event loop.
        first = await asyncio.to_thread(classified_text, email, self.support_domains)
        timings["first_email"] = round(1000 * (time.perf_counter() - started), 1)
        result = await calls(self.classifier.classify.remote(first, state))
        timings["classify"], timings["engine_classify"] = result["agent_ms"], result["engine_ms"]
        return state, timings, first, result

    async def _ticket(self, payload: TicketRequest, rid: str, caller: str, calls: DownstreamCalls) -> dict[str, Any]:
        state, timings, first, result = await self._classified(payload.email, calls)
        fields: dict[str, Any] = {}
        agent = answered_by = None
        if self.settings.agents.extraction and result["category"] != UNKNOWN:
            text = f"Objet : {payload.subject}\n\n{first}" if payload.subject else first
            started = time.perf_counter()
            received = payload.received_at.isoformat() if payload.received_at else None
            adapter = state.extractor.adapter if state.extractor else None
            extracted = await calls(
                self.extractor.extract.remote(text, result["category"], received, payload.subject, adapter)
            )
            fields, agent, answered_by = extracted["fields"], extracted["agent"], extracted["answered_by"]
            timings["extract"] = round(1000 * (time.perf_counter() - started), 1)
            timings["engine_extract"] = extracted["engine_ms"]
        extractor = {"agent": agent, "answered_by": answered_by, **self._extractor_model(state)}
        models = {**self._models(state, result), "extractor": extractor}
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
        answer = self._answer(body, result, payload.email, first, caller, "tickets", timings, audit, calls.started)
        if answer["needs_review"] and self.review is not None:
            try:  # the ticket is answered whatever happens to its review item; a failure is logged loudly
                await asyncio.to_thread(self.review.submit, answer, payload, result["scores"])
            except Exception:
                logger.exception("request %s: the review item could not be written to the outbox", rid)
        return answer

    async def _classify(
        self, payload: ClassifyRequest, rid: str, caller: str, calls: DownstreamCalls
    ) -> dict[str, Any]:
        state, timings, first, result = await self._classified(payload.email, calls)
        body = {
            "request_id": rid,
            "category": result["category"],
            "confidence": result["confidence"],
            "needs_review": result["needs_review"],
            "scores": result["scores"],
            "first_email": first,
            "models": self._models(state, result),
        }
        return self._answer(body, result, payload.email, first, caller, "classify", timings, {}, calls.started)

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
        self.metrics.record(
            endpoint, body["category"], body["confidence"], body["needs_review"], result["answered_by"], timings
        )
        return body

    def _models(self, state: ModelState, decision: dict[str, Any] | None = None) -> dict[str, Any]:
        """The models behind an answer; with a decision, which classifier answered it (llm or classical)."""
        classifier = state.public()
        if decision is not None:
            classifier.update({"mode": decision["mode"], "answered_by": decision["answered_by"]})
        return {
            "engine": state.engine,
            "dtype": state.dtype,
            "base_model": state.base_model,
            "taxonomy_version": self.taxonomy.version,
            "classifier": classifier,
            **({"extractor": self._extractor_model(state)} if state.extractor else {}),
        }

    @staticmethod
    def _extractor_model(state: ModelState) -> dict[str, Any]:
        """The extraction adapter of ``state`` (``adapter`` None: the agents' prompts on the base model)."""
        return state.extractor.public() if state.extractor else {"serving": None, "adapter": None}

    # ------------------------------------------------------------------ reload

    async def _reload(self) -> tuple[ModelState, ModelState]:
        """Resolve the alias, load the adapter on every Engine replica, then switch every Gateway replica."""
        async with self._reload_lock:
            previous = self.state
            current = await self._resolve()  # loads and warms the adapter on one Engine replica
            if isinstance(current, ChampionError):
                raise current
            if self.settings.agents.extraction:
                current = current.model_copy(update={"extractor": await self._resolve_extractor(previous.extractor)})
            if _adapters(current) != _adapters(previous):
                for adapter in {a for a in _adapters(current) if a} - set(_adapters(previous)):
                    await self.engine.broadcast("warm", adapter).results_async()
                context = serve.get_replica_context()
                peers = serve.get_deployment_handle(context.deployment, context.app_name)
                await peers.broadcast("adopt", current).results_async(return_exceptions=True)
                logger.info("classifier switched from %s to %s", previous.describe(), current.describe())
                if current.extractor:
                    logger.info("extraction agents on %s", current.extractor.describe())
            self._serve(current)  # this replica, whatever the broadcast reached
            return previous, current

    async def _resolve(self) -> ModelState | ChampionError:
        m = self.settings.model
        return await self.engine.resolve.remote(m.registered_model, m.alias, m.adapter)

    async def _resolve_extractor(self, previous: ExtractorState | None) -> ExtractorState:
        """The extraction adapter to use: the alias's (or the pinned one), else the base model's prompts.

        When the registry or the storage does not answer, the agents keep the adapter they have
        (at start: the base model until the next reload); a missing or incompatible champion means
        the prompts alone, and says why.
        """
        m = self.settings.model.extractor
        found = await self.engine.resolve_extractor.remote(m.registered_model, m.alias, m.adapter)
        if not isinstance(found, ChampionError):
            return found
        if previous is not None and found.kind in ("unreachable", "unavailable"):
            logger.warning("extraction adapter: %s; keeping %s", found.message, previous.describe())
            return previous
        return ExtractorState(serving="base", adapter=None, reason=found.message, loaded_at=utc_now())

    def adopt(self, state: ModelState) -> str:
        """Serve ``state`` from now on (the swap: one reference, read once by every new request)."""
        self._serve(state)
        return state.adapter or "base"

    def _serve(self, state: ModelState) -> None:
        """Swap the served model, and say so in the ``mail2ticket_adapter_info`` metric."""
        self.state = state
        self.adapters.show(adapter_series(state, self.settings.agents.extraction))


__all__ = ["Gateway", "api"]
