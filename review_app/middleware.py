"""The app's middleware, and where a request stands under the root path.

- :class:`RootPath`: serve under a path prefix (behind the Ingress), whether or not the proxy strips it;
- :func:`protective_headers`: the headers every answer gets (pages show untrusted e-mails);
- :func:`request_root`, :func:`route_path`, :func:`is_api`: the prefix, the path without it, and
  whether the path is the API's (which answers errors in JSON, the pages in HTML).
"""

from __future__ import annotations

from typing import Any

from fastapi import Request
from fastapi.responses import RedirectResponse, Response
from starlette.types import ASGIApp, Receive, Scope, Send


class RootPath:
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


def request_root(request: Request) -> str:
    """The path prefix the app is served under ("" at the root), without a trailing slash."""
    return (request.scope.get("root_path") or "").rstrip("/")


def route_path(request: Request) -> str:
    """The request's path without the root path (the proxy may or may not have stripped it)."""
    path, root = request.scope["path"], request_root(request)
    return path[len(root) :] if root and path.startswith(root + "/") else path


def is_api(request: Request) -> bool:
    """Whether the request is the API's (JSON errors) rather than a page's (HTML errors)."""
    return route_path(request).startswith("/api/")


async def protective_headers(request: Request, call_next: Any) -> Response:
    """Pages show untrusted e-mails: scripts only from here, no framing, nothing cached."""
    static = route_path(request).startswith("/static/")  # before routing rewrites the scope's root path
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


__all__ = ["RootPath", "is_api", "protective_headers", "request_root", "route_path"]
