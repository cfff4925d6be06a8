"""The app's exception handlers: each error in JSON for the API, as a French page (or the login form) otherwise."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

from fastapi import Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException

from review_app.api import api_error
from review_app.dependencies import LoginRequired
from review_app.middleware import is_api, request_root, route_path
from review_app.rendering import error_page, quote
from review_app.security import AuthError


async def http_error(request: Request, exc: StarletteHTTPException) -> Response:
    code = {404: "not_found", 405: "method_not_allowed"}.get(exc.status_code, "http_error")
    if is_api(request):
        return api_error(exc.status_code, code, str(exc.detail), headers=exc.headers)
    titles = {404: "Page introuvable", 405: "Méthode non autorisée"}
    messages = {404: "Cette page n'existe pas.", 405: "Cette adresse n'accepte pas cette méthode."}
    message = messages.get(exc.status_code, str(exc.detail))
    return error_page(request, exc.status_code, titles.get(exc.status_code, "Erreur"), message)


async def validation_error(request: Request, exc: RequestValidationError) -> Response:
    details = [
        {"loc": [str(p) for p in e.get("loc", ())], "message": e.get("msg", ""), "type": e.get("type", "")}
        for e in exc.errors()
    ]
    if is_api(request):
        return api_error(422, "validation_error", "the request does not match the schema", details)
    return error_page(request, 400, "Requête invalide", "; ".join(d["message"] for d in details))


async def auth_error(request: Request, exc: AuthError) -> Response:
    if is_api(request):
        headers = {"WWW-Authenticate": 'Bearer realm="mail2ticket-review"'} if exc.status == 401 else None
        return api_error(exc.status, exc.code, exc.message, headers=headers)
    if exc.status == 403:
        return error_page(
            request, 403, "Accès refusé",
            "Ce jeton ne donne pas accès à la revue : il faut un jeton de relecteur ou d'administrateur.",
        )  # fmt: skip
    return error_page(request, 401, "Authentification requise", exc.message)


async def login_required(request: Request, _: LoginRequired) -> Response:
    target = route_path(request) + (f"?{request.url.query}" if request.url.query else "")
    url = f"{request_root(request)}/login?suite={quote(target)}"
    return RedirectResponse(url, 303 if request.method != "GET" else 307)


#: What :func:`review_app.app.create_app` registers, by exception class.
EXCEPTION_HANDLERS: dict[type[Exception], Callable[[Request, Any], Awaitable[Response]]] = {
    StarletteHTTPException: http_error,
    RequestValidationError: validation_error,
    AuthError: auth_error,
    LoginRequired: login_required,
}

__all__ = ["EXCEPTION_HANDLERS", "auth_error", "http_error", "login_required", "validation_error"]
