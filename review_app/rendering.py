"""The pages' rendering: the Jinja2 templates, their filters and globals, and the render helpers.

Pages are in French and show times in Paris time (the reviewers are in France); nothing they load
comes from another site.
"""

from __future__ import annotations

import urllib.parse
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from fastapi import Request
from fastapi.responses import HTMLResponse
from fastapi.templating import Jinja2Templates

from mail2ticket.taxonomy import UNKNOWN
from review_app.middleware import request_root
from review_app.security import Identity

HERE = Path(__file__).resolve().parent
TEMPLATES_DIR = HERE / "templates"
STATIC_DIR = HERE / "static"
#: Where the pages show times (the reviewers are in France).
DISPLAY_ZONE = "Europe/Paris"

#: French names of the states.
STATUS_LABELS = {
    "pending": "En attente",
    "confirmed": "Confirmé",
    "corrected": "Corrigé",
    "out_of_scope": "Hors périmètre",
}
ACTION_LABELS = {"confirm": "Confirmation", "correct": "Correction", "out_of_scope": "Hors périmètre"}
ROLE_LABELS = {"reviewer": "relecteur", "admin": "administrateur", "client": "client API"}


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


def quote(value: str) -> str:
    """``value`` as one path segment or query value of a URL (every reserved character escaped)."""
    return urllib.parse.quote(str(value), safe="")


def make_templates() -> Jinja2Templates:
    """The pages' templates with their filters and globals (one per app)."""
    templates = Jinja2Templates(directory=TEMPLATES_DIR)
    templates.env.filters.update(time=format_time, age=format_age, percent=format_percent, quote=quote)
    templates.env.globals.update(
        STATUS_LABELS=STATUS_LABELS, ACTION_LABELS=ACTION_LABELS, ROLE_LABELS=ROLE_LABELS, UNKNOWN=UNKNOWN
    )
    return templates


def render(request: Request, name: str, status: int = 200, identity: Identity | None = None,
           **context: Any) -> HTMLResponse:  # fmt: skip
    """Template ``name`` with the app's root path, the reviewer and their anti-CSRF token."""
    state = request.app.state
    base = {
        "root": request_root(request),
        "identity": identity,
        "csrf": state.auth.csrf_token(identity) if identity else "",
    }
    return state.templates.TemplateResponse(request, name, {**base, **context}, status_code=status)


def error_page(request: Request, status: int, title: str, message: str,
               identity: Identity | None = None) -> HTMLResponse:  # fmt: skip
    """An error as a page (the API answers its errors in JSON: :func:`review_app.api.api_error`)."""
    return render(request, "error.html", status, identity, title=title, message=message)


__all__ = [
    "STATIC_DIR",
    "error_page",
    "format_age",
    "format_percent",
    "format_time",
    "make_templates",
    "quote",
    "render",
]
