"""The reviewers' pages (French, server-rendered with Jinja2, a little plain JavaScript for keyboard
shortcuts; nothing is fetched from another site):

- ``GET /`` the queue: counts per state and per category, filters, a table, pages;
- ``GET /items/{id}`` one item: the thread with the client's first e-mail highlighted, the
  model's best categories, and the decision form; ``POST /items/{id}/decision`` records the
  decision and opens the next pending item (409 when someone decided first, 422 with the errors
  next to the fields);
- ``GET/POST /login``, ``POST /logout``: a browser logs in once with its token (a cookie).

Store calls are blocking (SQLAlchemy): synchronous routes run in FastAPI's thread pool, and the
asynchronous ones (which read a form body) hand the store calls to it.
"""

from __future__ import annotations

import urllib.parse
from collections.abc import Mapping, Sequence
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from starlette.concurrency import run_in_threadpool
from starlette.exceptions import HTTPException as StarletteHTTPException

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
from mail2ticket.taxonomy import UNKNOWN, Category, Taxonomy
from review_app.dependencies import AuthDep, PageUser, SettingsDep, StoreDep, TaxonomyDep
from review_app.forms import (
    BOOLEAN_SET_SUFFIX,
    errors_by_field,
    field_inputs,
    highlight,
    parse_fields,
)
from review_app.middleware import request_root
from review_app.rendering import error_page, quote, render
from review_app.schemas import audit_json, item_json
from review_app.security import (
    AuthError,
    Identity,
    clear_login_cookie,
    set_login_cookie,
)

#: Largest form body a page accepts (a decision is a few kilobytes).
MAX_FORM_BYTES = 256 * 1024

#: The queue's "ancienneté" filter: (label, min hours waiting, max hours waiting).
AGES: dict[str, tuple[str, float | None, float | None]] = {
    "": ("Toutes", None, None),
    "lt1h": ("Moins d'1 heure", None, 1),
    "lt24h": ("Moins de 24 heures", None, 24),
    "gt24h": ("Plus de 24 heures", 24, None),
    "gt7j": ("Plus de 7 jours", 24 * 7, None),
}

router = APIRouter(include_in_schema=False)


# ---------------------------------------------------------------------- forms


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


def _first(form: Mapping[str, Sequence[str]], name: str) -> str | None:
    values = form.get(name)
    return values[-1] if values else None


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


# ---------------------------------------------------------------------- login


def _next_url(request: Request, raw: str | None) -> str:
    """Where to go after logging in: a path of this app only (never another site)."""
    target = (raw or "/").strip()
    if not target.startswith("/") or target.startswith("//") or "\\" in target:
        target = "/"
    return request_root(request) + target


@router.get("/login")
def login_page(request: Request, settings: SettingsDep, suite: str = "/") -> HTMLResponse:
    return render(request, "login.html", suite=suite, error=None, proxy=settings.user_header)


@router.post("/login")
async def login(request: Request, settings: SettingsDep, auth: AuthDep) -> Response:
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


@router.post("/logout")
def logout(request: Request) -> Response:
    response = RedirectResponse(request_root(request) + "/login", 303)
    clear_login_cookie(response, request)
    return response


# ---------------------------------------------------------------------- queue page


def queue_filter(params: Mapping[str, str], taxonomy: Taxonomy) -> tuple[QueueFilter, dict[str, str], list[str]]:
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


@router.get("/")
def queue(
    request: Request, identity: PageUser, store: StoreDep, taxonomy: TaxonomyDep, settings: SettingsDep
) -> HTMLResponse:
    params = dict(request.query_params)
    where, shown, errors = queue_filter(params, taxonomy)
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


# ---------------------------------------------------------------------- item page


def _category(taxonomy: Taxonomy, label: str) -> Category | None:
    try:
        return taxonomy.category(label)
    except KeyError:
        return None


def _not_found(request: Request, request_id: str, identity: Identity) -> HTMLResponse:
    return error_page(request, 404, "Élément introuvable",
                      f"Aucun élément de la file n'a l'identifiant « {request_id} ».", identity)  # fmt: skip


def item_page(
    request: Request,
    identity: Identity,
    item: ReviewItem,
    store: ReviewStore,
    taxonomy: Taxonomy,
    *,
    status: int = 200,
    selected: str | None = None,
    submitted: Mapping[str, Sequence[str]] | None = None,
    field_errors: Mapping[str, str] | None = None,
    form_errors: Sequence[str] = (),
    version: int | None = None,
) -> HTMLResponse:
    """One item's page: its thread, the model's categories, the decision form (as submitted, with its errors)."""
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


@router.get("/items/{request_id}")
def item_view(
    request: Request,
    request_id: str,
    identity: PageUser,
    store: StoreDep,
    taxonomy: TaxonomyDep,
    category: str | None = None,
) -> HTMLResponse:
    item = store.get(request_id)
    if item is None:
        return _not_found(request, request_id, identity)
    return item_page(request, identity, item, store, taxonomy, selected=category)


@router.post("/items/{request_id}/decision")
async def decide_page(
    request: Request, request_id: str, identity: PageUser, store: StoreDep, taxonomy: TaxonomyDep, auth: AuthDep
) -> Response:
    form = await read_form(request)
    if not auth.csrf_ok(identity, _first(form, "csrf")):
        return error_page(request, 403, "Formulaire expiré",
                          "Ce formulaire ne vient pas de cette session : rechargez la page et recommencez.",
                          identity)  # fmt: skip
    item = await run_in_threadpool(store.get, request_id)
    if item is None:
        return _not_found(request, request_id, identity)
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
        category = _category(taxonomy, selected)
        if category is None:
            return item_page(request, identity, item, store, taxonomy, status=422, submitted=form, version=version,
                             form_errors=[f"Catégorie inconnue : « {selected} »."])  # fmt: skip
        # A fieldset the page disabled (another category was shown) is not sent: keep the model's fields.
        if _first(form, f"fs.{category.key}"):
            fields, field_errors = parse_fields(category, form)
        if field_errors:
            return item_page(request, identity, item, store, taxonomy, status=422, selected=selected,
                             submitted=form, field_errors=field_errors, version=version)  # fmt: skip
    decision = Decision(
        action=action, version=version, category=selected if action == "correct" else None, fields=fields
    )  # type: ignore[arg-type]
    try:
        decided = await run_in_threadpool(store.decide, request_id, decision, Reviewer(identity.name, identity.role))
    except ItemNotFound:
        return _not_found(request, request_id, identity)
    except ReviewConflict as exc:
        return render(request, "conflict.html", 409, identity, item=item_json(exc.current, taxonomy),
                      seen_version=version)  # fmt: skip
    except InvalidDecision as exc:
        category = _category(taxonomy, selected)
        errors = errors_by_field(category, exc.errors) if category is not None and exc.errors else {}
        return item_page(request, identity, item, store, taxonomy, status=422, selected=selected, submitted=form,
                         field_errors=errors, version=version,
                         form_errors=[] if errors else [str(exc)])  # fmt: skip
    following = await run_in_threadpool(store.next_pending, decided)
    if following is None:
        return RedirectResponse(f"{request_root(request)}/?vide=1", 303)
    return RedirectResponse(
        f"{request_root(request)}/items/{quote(following.request_id)}?enregistre={quote(request_id)}", 303
    )


__all__ = ["AGES", "MAX_FORM_BYTES", "item_page", "queue_filter", "read_form", "router"]
