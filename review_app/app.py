"""The reviewers' web app and API: one FastAPI application over a :class:`ReviewStore`.

Pages (French, server-rendered with Jinja2, a little plain JavaScript for keyboard shortcuts;
nothing is fetched from another site):

- ``GET /`` the queue: counts per state and per category, filters, a table, pages;
- ``GET /items/{id}`` one item: the thread with the client's first e-mail highlighted, the
  model's best categories, and the decision form; ``POST /items/{id}/decision`` records the
  decision and opens the next pending item (409 when someone decided first, 422 with the errors
  next to the fields);
- ``GET/POST /login``, ``POST /logout``: a browser logs in once with its token (a cookie).

API (bearer tokens only, JSON errors ``{"error": {"code", "message", "details"?}}`` like the
ticket API): ``GET /api/v1/items``, ``GET /api/v1/items/{id}``, ``POST /api/v1/items/{id}/decision``.
``GET /healthz`` (the process answers) and ``GET /readyz`` (the database answers) are open.

Store calls are blocking (SQLAlchemy): synchronous routes run in FastAPI's thread pool, and the
asynchronous ones (which read a form body) hand the store calls to it.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import urllib.parse
from collections.abc import AsyncIterator, Mapping, Sequence
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Annotated, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import Depends, FastAPI, Query, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import HTMLResponse, JSONResponse, RedirectResponse, Response
from fastapi.security import HTTPBearer
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Receive, Scope, Send

from mail2ticket.review import (
    PENDING,
    STATUSES,
    Decision,
    InvalidDecision,
    ItemNotFound,
    QueueFilter,
    ReviewConflict,
    Reviewer,
    ReviewItem,
    ReviewStore,
)
from mail2ticket.taxonomy import UNKNOWN, Category
from review_app.forms import (
    BOOLEAN_SET_SUFFIX,
    errors_by_field,
    field_inputs,
    highlight,
    parse_fields,
)
from review_app.schemas import (
    ConflictResponse,
    ErrorResponse,
    ItemDetail,
    ItemOut,
    ItemPage,
    audit_json,
    item_json,
)
from review_app.security import (
    Authenticator,
    AuthError,
    Identity,
    clear_login_cookie,
    set_login_cookie,
)
from review_app.settings import ReviewSettings

logger = logging.getLogger(__name__)

HERE = Path(__file__).resolve().parent
#: Largest form body a page accepts (a decision is a few kilobytes).
MAX_FORM_BYTES = 256 * 1024
#: Where the pages show times (the reviewers are in France).
DISPLAY_ZONE = "Europe/Paris"

#: The queue's "ancienneté" filter: (label, min hours waiting, max hours waiting).
AGES: dict[str, tuple[str, float | None, float | None]] = {
    "": ("Toutes", None, None),
    "lt1h": ("Moins d'1 heure", None, 1),
    "lt24h": ("Moins de 24 heures", None, 24),
    "gt24h": ("Plus de 24 heures", 24, None),
    "gt7j": ("Plus de 7 jours", 24 * 7, None),
}
#: French names of the states.
STATUS_LABELS = {
    "pending": "En attente",
    "confirmed": "Confirmé",
    "corrected": "Corrigé",
    "out_of_scope": "Hors périmètre",
}
ACTION_LABELS = {"confirm": "Confirmation", "correct": "Correction", "out_of_scope": "Hors périmètre"}
ROLE_LABELS = {"reviewer": "relecteur", "admin": "administrateur", "client": "client API"}

#: The bearer scheme, for the OpenAPI description (the routes check tokens themselves).
bearer = HTTPBearer(
    auto_error=False,
    description="A reviewer token (MAIL2TICKET_REVIEWER_TOKENS) or an admin one (MAIL2TICKET_ADMIN_TOKENS).",
)
API_ERRORS: dict[int | str, dict[str, Any]] = {
    401: {"model": ErrorResponse, "description": "Missing or wrong bearer token."},
    403: {"model": ErrorResponse, "description": "A token whose role cannot review (an API client's)."},
}


class LoginRequired(Exception):
    """A page was asked for without credentials: the browser goes to the login form."""


class _RootPath:
    """Serve under a path prefix (behind the Ingress), whether or not the proxy strips it.

    Starlette routes on the path without the root path when the path starts with it, and as is
    otherwise, and builds every URL with it; uvicorn's own option would prefix paths the
    Ingress did not strip a second time.
    """

    def __init__(self, app: ASGIApp, root_path: str) -> None:
        self.app = app
        self.root_path = root_path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] in ("http", "websocket") and self.root_path:
            scope["root_path"] = self.root_path
            if scope["type"] == "http" and scope["path"] == self.root_path:  # /review: the queue is /review/
                query = scope.get("query_string", b"").decode("latin-1")
                target = self.root_path + "/" + (f"?{query}" if query else "")
                await RedirectResponse(target, 307)(scope, receive, send)
                return
        await self.app(scope, receive, send)


def _page_identity(request: Request) -> Identity:
    """A page's reviewer; without credentials the browser is sent to the login form."""
    identity = request.app.state.auth.page(request)
    if identity is None:
        raise LoginRequired()
    return identity


def _api_identity(request: Request, _: Annotated[Any, Depends(bearer)] = None) -> Identity:
    """The API's reviewer (bearer token only); the ``bearer`` dependency documents the scheme."""
    return request.app.state.auth.api(request)


PageUser = Annotated[Identity, Depends(_page_identity)]
ApiUser = Annotated[Identity, Depends(_api_identity)]


def _root(request: Request) -> str:
    return (request.scope.get("root_path") or "").rstrip("/")


def _route_path(request: Request) -> str:
    path, root = request.scope["path"], _root(request)
    return path[len(root) :] if root and path.startswith(root + "/") else path


def _is_api(request: Request) -> bool:
    return _route_path(request).startswith("/api/")


def api_error(status: int, code: str, message: str, details: list[dict[str, Any]] | None = None,
              headers: Mapping[str, str] | None = None, **extra: Any) -> JSONResponse:  # fmt: skip
    """A JSON error of the API (the ticket API's shape)."""
    body: dict[str, Any] = {"code": code, "message": message}
    if details:
        body["details"] = details
    return JSONResponse({"error": body, **extra}, status, headers=dict(headers or {}))


def _zone() -> Any:
    try:
        return ZoneInfo(DISPLAY_ZONE)
    except ZoneInfoNotFoundError:
        return UTC


def _parse_time(value: Any) -> datetime | None:
    if value is None or value == "":
        return None
    moment = value if isinstance(value, datetime) else datetime.fromisoformat(str(value))
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def format_time(value: Any) -> str:
    """A time as French readers write it, in Paris time."""
    moment = _parse_time(value)
    return moment.astimezone(_zone()).strftime("%d/%m/%Y %H:%M") if moment else "—"


def format_age(value: Any) -> str:
    """How long ago, in French (« il y a 3 h »)."""
    moment = _parse_time(value)
    if moment is None:
        return "—"
    seconds = max(0, int((datetime.now(UTC) - moment).total_seconds()))
    if seconds < 3600:
        return f"il y a {max(1, seconds // 60)} min"
    if seconds < 48 * 3600:
        return f"il y a {seconds // 3600} h"
    return f"il y a {seconds // 86400} j"


def format_percent(value: Any, decimals: int = 0) -> str:
    """A probability as French readers write a percentage (« 38,5 % », non-breaking space)."""
    if value is None:
        return "—"
    return f"{float(value) * 100:.{decimals}f}".replace(".", ",") + "\u00a0%"


def _quote(value: str) -> str:
    return urllib.parse.quote(str(value), safe="")


def _number(raw: str | None, name: str, errors: list[str], low: float = 0.0, high: float = 1.0) -> float | None:
    if raw is None or not raw.strip():
        return None
    try:
        value = float(raw.replace(",", "."))
    except ValueError:
        errors.append(f"« {name} » doit être un nombre entre {low:g} et {high:g}.")
        return None
    if not low <= value <= high:
        errors.append(f"« {name} » doit être entre {low:g} et {high:g}.")
        return None
    return value


def _first(form: Mapping[str, Sequence[str]], name: str) -> str | None:
    values = form.get(name)
    return values[-1] if values else None


def create_app(settings: ReviewSettings | None = None, store: ReviewStore | None = None) -> FastAPI:
    """The review app over ``store`` (opened on ``settings.database_url`` when not given, not migrated)."""
    settings = settings or ReviewSettings.from_env()
    auth = Authenticator(settings)
    store = store or ReviewStore(settings.database_url)
    taxonomy = store.taxonomy
    templates = Jinja2Templates(directory=HERE / "templates")
    templates.env.filters.update(time=format_time, age=format_age, percent=format_percent, quote=_quote)
    templates.env.globals.update(
        STATUS_LABELS=STATUS_LABELS, ACTION_LABELS=ACTION_LABELS, ROLE_LABELS=ROLE_LABELS, UNKNOWN=UNKNOWN
    )

    async def purge_forever() -> None:
        """Erase expired e-mail text now and then (the CLI's ``purge`` does the same on demand)."""
        retention = timedelta(days=settings.retention_days)
        while True:
            try:
                purged = await run_in_threadpool(store.purge, retention)
                if purged:
                    logger.info("review retention: erased the e-mail text of %d decided items", purged)
            except Exception as exc:  # the database may be down: try again next time
                logger.warning("review retention: purge failed (%s)", exc)
            await asyncio.sleep(settings.purge_interval_s)

    @contextlib.asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        task = asyncio.create_task(purge_forever()) if settings.purge_interval_s > 0 else None
        try:
            yield
        finally:
            if task is not None:
                task.cancel()
                with contextlib.suppress(asyncio.CancelledError):
                    await task
            store.close()

    app = FastAPI(
        title="mail2ticket — revue humaine",
        summary="The reviewers' queue: tickets the model was unsure of, decided by a person and audited.",
        version="1",
        lifespan=lifespan,
        docs_url=None,  # Swagger UI and ReDoc load their scripts from a CDN: nothing here reaches the internet
        redoc_url=None,
    )
    app.state.settings = settings
    app.state.store = store
    app.state.auth = auth
    app.mount("/static", StaticFiles(directory=HERE / "static"), name="static")

    # ------------------------------------------------------------------ rendering

    def render(request: Request, name: str, status: int = 200, identity: Identity | None = None,
               **context: Any) -> HTMLResponse:  # fmt: skip
        base = {
            "root": _root(request),
            "identity": identity,
            "csrf": auth.csrf_token(identity) if identity else "",
        }
        return templates.TemplateResponse(request, name, {**base, **context}, status_code=status)

    def error_page(request: Request, status: int, title: str, message: str,
                   identity: Identity | None = None) -> HTMLResponse:  # fmt: skip
        return render(request, "error.html", status, identity, title=title, message=message)

    # ------------------------------------------------------------------ errors

    @app.exception_handler(StarletteHTTPException)
    async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
        code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
        if _is_api(request):
            return api_error(exc.status_code, code, str(exc.detail), headers=exc.headers)
        titles = {404: "Page introuvable", 405: "Méthode non autorisée"}
        messages = {404: "Cette page n'existe pas.", 405: "Cette adresse n'accepte pas cette méthode."}
        message = messages.get(exc.status_code, str(exc.detail))
        return error_page(request, exc.status_code, titles.get(exc.status_code, "Erreur"), message)

    @app.exception_handler(RequestValidationError)
    async def validation_error(request: Request, exc: RequestValidationError) -> Response:
        details = [
            {"loc": [str(p) for p in e.get("loc", ())], "message": e.get("msg", ""), "type": e.get("type", "")}
            for e in exc.errors()
        ]
        if _is_api(request):
            return api_error(422, "validation_error", "the request does not match the schema", details)
        return error_page(request, 400, "Requête invalide", "; ".join(d["message"] for d in details))

    @app.exception_handler(AuthError)
    async def auth_error(request: Request, exc: AuthError) -> Response:
        if _is_api(request):
            headers = {"WWW-Authenticate": 'Bearer realm="mail2ticket-review"'} if exc.status == 401 else None
            return api_error(exc.status, exc.code, exc.message, headers=headers)
        if exc.status == 403:
            return error_page(
                request, 403, "Accès refusé",
                "Ce jeton ne donne pas accès à la revue : il faut un jeton de relecteur ou d'administrateur.",
            )  # fmt: skip
        return error_page(request, 401, "Authentification requise", exc.message)

    @app.exception_handler(LoginRequired)
    async def login_required(request: Request, _: LoginRequired) -> Response:
        target = _route_path(request) + (f"?{request.url.query}" if request.url.query else "")
        url = f"{_root(request)}/login?suite={_quote(target)}"
        return RedirectResponse(url, 303 if request.method != "GET" else 307)

    @app.middleware("http")
    async def protective_headers(request: Request, call_next: Any) -> Response:
        """Pages show untrusted e-mails: scripts only from here, no framing, nothing cached."""
        static = _route_path(request).startswith("/static/")  # before routing rewrites the scope's root path
        response = await call_next(request)
        response.headers.setdefault("X-Content-Type-Options", "nosniff")
        response.headers.setdefault("Referrer-Policy", "same-origin")
        response.headers.setdefault("X-Frame-Options", "DENY")
        if response.headers.get("content-type", "").startswith("text/html"):
            response.headers.setdefault(
                "Content-Security-Policy",
                "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self'; form-action 'self'; "
                "base-uri 'none'; frame-ancestors 'none'",
            )
        if not static:
            response.headers.setdefault("Cache-Control", "no-store")
        return response

    # ------------------------------------------------------------------ who

    async def read_form(request: Request) -> dict[str, list[str]]:
        """An urlencoded form body (no multipart parser needed: the forms have no files)."""
        if int(request.headers.get("content-length") or 0) > MAX_FORM_BYTES:
            raise StarletteHTTPException(413, "Formulaire trop volumineux.")
        body = b""
        async for chunk in request.stream():
            body += chunk
            if len(body) > MAX_FORM_BYTES:
                raise StarletteHTTPException(413, "Formulaire trop volumineux.")
        try:
            return urllib.parse.parse_qs(body.decode("utf-8"), keep_blank_values=True, max_num_fields=2000)
        except (UnicodeDecodeError, ValueError):
            raise StarletteHTTPException(400, "Formulaire illisible.") from None

    # ------------------------------------------------------------------ probes

    @app.get("/healthz", tags=["probes"], summary="The process answers (no database call).")
    def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @app.get(
        "/readyz",
        tags=["probes"],
        summary="The review database answers.",
        responses={503: {"model": ErrorResponse, "description": "The database does not answer."}},
    )
    def readyz() -> Response:
        if not store.ping():
            return api_error(503, "database_unavailable", "the review database does not answer",
                             headers={"Retry-After": "5"})  # fmt: skip
        return JSONResponse({"status": "ready"})

    # ------------------------------------------------------------------ login

    def _next_url(request: Request, raw: str | None) -> str:
        """Where to go after logging in: a path of this app only (never another site)."""
        target = (raw or "/").strip()
        if not target.startswith("/") or target.startswith("//") or "\\" in target:
            target = "/"
        return _root(request) + target

    @app.get("/login", include_in_schema=False)
    def login_page(request: Request, suite: str = "/") -> HTMLResponse:
        return render(request, "login.html", suite=suite, error=None, proxy=settings.user_header)

    @app.post("/login", include_in_schema=False)
    async def login(request: Request) -> Response:
        form = await read_form(request)
        suite = _first(form, "suite") or "/"
        try:
            auth.login(_first(form, "token") or "")
        except AuthError as exc:
            message = exc.message if exc.status == 401 else (
                "Ce jeton ne donne pas accès à la revue : il faut un jeton de relecteur ou d'administrateur."
            )  # fmt: skip
            return render(request, "login.html", exc.status, suite=suite, error=message, proxy=settings.user_header)
        response = RedirectResponse(_next_url(request, suite), 303)
        set_login_cookie(response, request, (_first(form, "token") or "").strip())
        return response

    @app.post("/logout", include_in_schema=False)
    def logout(request: Request) -> Response:
        response = RedirectResponse(_root(request) + "/login", 303)
        clear_login_cookie(response, request)
        return response

    # ------------------------------------------------------------------ queue page

    def queue_filter(params: Mapping[str, str]) -> tuple[QueueFilter, dict[str, str], list[str]]:
        """The queue's filters from its GET parameters, what the form shows, and the problems (French)."""
        errors: list[str] = []
        status = params.get("etat", PENDING) or PENDING
        if status != "all" and status not in STATUSES:
            errors.append(f"État inconnu : {status!r}.")
            status = PENDING
        category = params.get("categorie") or None
        if category is not None and category not in taxonomy.labels_with_unknown:
            errors.append(f"Catégorie inconnue : {category!r}.")
            category = None
        age = params.get("anciennete", "")
        if age not in AGES:
            errors.append(f"Ancienneté inconnue : {age!r}.")
            age = ""
        low = _number(params.get("confiance_min"), "confiance min", errors)
        high = _number(params.get("confiance_max"), "confiance max", errors)
        where = QueueFilter(
            status=None if status == "all" else status,
            category=category,
            min_confidence=low,
            max_confidence=high,
            min_age_hours=AGES[age][1],
            max_age_hours=AGES[age][2],
        )
        shown = {
            "etat": status,
            "categorie": category or "",
            "anciennete": age,
            "confiance_min": "" if low is None else f"{low:g}",
            "confiance_max": "" if high is None else f"{high:g}",
        }
        return where, shown, errors

    @app.get("/", include_in_schema=False)
    def queue(request: Request, identity: PageUser) -> HTMLResponse:
        params = dict(request.query_params)
        where, shown, errors = queue_filter(params)
        try:
            page = max(1, int(params.get("page", "1")))
        except ValueError:
            page, errors = 1, [*errors, "Numéro de page invalide."]
        total = store.count(where)
        pages = max(1, -(-total // settings.page_size))
        page = min(page, pages)
        items = [
            item_json(i, taxonomy) for i in store.list_items(where, settings.page_size, (page - 1) * settings.page_size)
        ]
        query = urllib.parse.urlencode({k: v for k, v in shown.items() if v and not (k == "etat" and v == PENDING)})
        return render(
            request, "queue.html", 400 if errors else 200, identity,
            items=items, counts=store.counts(), total=total, page=page, pages=pages, shown=shown,
            filter_query=query, errors=errors, ages=AGES, labels=taxonomy.labels_with_unknown,
            empty=params.get("vide") == "1",
        )  # fmt: skip

    # ------------------------------------------------------------------ item page

    def _category(label: str) -> Category | None:
        try:
            return taxonomy.category(label)
        except KeyError:
            return None

    def item_page(
        request: Request,
        identity: Identity,
        item: ReviewItem,
        *,
        status: int = 200,
        selected: str | None = None,
        submitted: Mapping[str, Sequence[str]] | None = None,
        field_errors: Mapping[str, str] | None = None,
        form_errors: Sequence[str] = (),
        version: int | None = None,
    ) -> HTMLResponse:
        data = item_json(item, taxonomy)
        decided = data["decision"]
        if selected not in taxonomy.labels_with_unknown:
            selected = decided["category"] if decided else item.category
            if selected not in taxonomy.labels_with_unknown:
                selected = UNKNOWN
        fieldsets = []
        for category in taxonomy.categories:
            if category.name == (decided or {}).get("category"):
                values = decided["fields"] or {}
            elif category.name == item.category:
                values = item.fields or {}
            else:
                values = {}
            errors = field_errors if category.name == selected else None
            inputs = field_inputs(category, values, errors)
            if submitted is not None and category.name == selected:
                for field in inputs:
                    raw = submitted.get(field.input_name)
                    field.value = "" if field.kind == "checkbox" else (raw[-1] if raw else "")
                    field.checked = bool(raw and raw[-1])
                    field.was_set = bool(submitted.get(field.input_name + BOOLEAN_SET_SUFFIX)) or field.checked
            fieldsets.append({"label": category.name, "key": category.key, "inputs": inputs,
                              "active": category.name == selected})  # fmt: skip
        email_html, found = highlight(item.email, item.first_email)
        notice = request.query_params.get("enregistre")
        return render(
            request, "item.html", status, identity,
            item=data, email_html=email_html, first_found=found, fieldsets=fieldsets, selected=selected,
            labels=taxonomy.labels_with_unknown, audit=[audit_json(a) for a in store.audit(item.request_id)],
            form_errors=list(form_errors) + ([field_errors[""]] if field_errors and "" in field_errors else []),
            version=version or item.version, notice=notice, boolean_suffix=BOOLEAN_SET_SUFFIX,
            descriptions={c.name: c.description for c in taxonomy.categories},
        )  # fmt: skip

    @app.get("/items/{request_id}", include_in_schema=False)
    def item_view(request: Request, request_id: str, identity: PageUser, category: str | None = None) -> HTMLResponse:
        item = store.get(request_id)
        if item is None:
            return error_page(request, 404, "Élément introuvable",
                              f"Aucun élément de la file n'a l'identifiant « {request_id} ».", identity)  # fmt: skip
        return item_page(request, identity, item, selected=category)

    @app.post("/items/{request_id}/decision", include_in_schema=False)
    async def decide_page(request: Request, request_id: str, identity: PageUser) -> Response:
        form = await read_form(request)
        if not auth.csrf_ok(identity, _first(form, "csrf")):
            return error_page(request, 403, "Formulaire expiré",
                              "Ce formulaire ne vient pas de cette session : rechargez la page et recommencez.",
                              identity)  # fmt: skip
        item = await run_in_threadpool(store.get, request_id)
        if item is None:
            return error_page(request, 404, "Élément introuvable",
                              f"Aucun élément de la file n'a l'identifiant « {request_id} ».", identity)  # fmt: skip
        action = _first(form, "action")
        try:
            version = int(_first(form, "version") or "")
        except ValueError:
            version = 0
        if action not in ("confirm", "correct", "out_of_scope") or version < 1:
            return error_page(request, 400, "Requête invalide",
                              "Le formulaire ne dit pas quelle décision prendre.", identity)  # fmt: skip
        chosen = _first(form, "category") or item.category
        selected = item.category if action == "confirm" else chosen
        fields: dict[str, Any] | None = None
        field_errors: dict[str, str] = {}
        if action != "out_of_scope":
            category = _category(selected)
            if category is None:
                return item_page(request, identity, item, status=422, submitted=form, version=version,
                                 form_errors=[f"Catégorie inconnue : « {selected} »."])  # fmt: skip
            # A fieldset the page disabled (another category was shown) is not sent: keep the model's fields.
            if _first(form, f"fs.{category.key}"):
                fields, field_errors = parse_fields(category, form)
            if field_errors:
                return item_page(request, identity, item, status=422, selected=selected, submitted=form,
                                 field_errors=field_errors, version=version)  # fmt: skip
        decision = Decision(
            action=action, version=version, category=selected if action == "correct" else None, fields=fields
        )  # type: ignore[arg-type]
        try:
            decided = await run_in_threadpool(
                store.decide, request_id, decision, Reviewer(identity.name, identity.role)
            )
        except ItemNotFound:
            return error_page(request, 404, "Élément introuvable",
                              f"Aucun élément de la file n'a l'identifiant « {request_id} ».", identity)  # fmt: skip
        except ReviewConflict as exc:
            return render(request, "conflict.html", 409, identity, item=item_json(exc.current, taxonomy),
                          seen_version=version)  # fmt: skip
        except InvalidDecision as exc:
            category = _category(selected)
            errors = errors_by_field(category, exc.errors) if category is not None and exc.errors else {}
            return item_page(request, identity, item, status=422, selected=selected, submitted=form,
                             field_errors=errors, version=version,
                             form_errors=[] if errors else [str(exc)])  # fmt: skip
        following = await run_in_threadpool(store.next_pending, decided)
        if following is None:
            return RedirectResponse(f"{_root(request)}/?vide=1", 303)
        return RedirectResponse(
            f"{_root(request)}/items/{_quote(following.request_id)}?enregistre={_quote(request_id)}", 303
        )

    # ------------------------------------------------------------------ API

    @app.get("/api/v1/items", tags=["review"], summary="List the queue.", response_model=ItemPage,
             responses=API_ERRORS)  # fmt: skip
    def api_list(
        identity: ApiUser,
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

    @app.get(
        "/api/v1/items/{request_id}",
        tags=["review"],
        summary="One item with its audit trail.",
        response_model=ItemDetail,
        responses={**API_ERRORS, 404: {"model": ErrorResponse, "description": "No item has this request id."}},
    )
    def api_get(request_id: str, identity: ApiUser) -> Response:
        item = store.get(request_id)
        if item is None:
            return api_error(404, "not_found", f"no review item {request_id!r}")
        audit = [audit_json(a) for a in store.audit(request_id)]
        return JSONResponse({**item_json(item, taxonomy), "audit": audit})

    @app.post(
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
    def api_decide(request_id: str, decision: Decision, identity: ApiUser) -> Response:
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

    # Outermost, so that routing, the other middleware and the error pages all see the root path.
    app.add_middleware(_RootPath, root_path=settings.root_path)
    return app


__all__ = ["create_app", "format_age", "format_percent", "format_time"]
