"""The reviewers' web app and API: one FastAPI application over a :class:`ReviewStore`.

:func:`create_app` only composes the parts, each in its module:

- :mod:`.pages`: the French pages (queue, item, decision form, login); :mod:`.rendering` their templates;
- :mod:`.api`: ``/api/v1/items...`` (bearer tokens only, JSON errors like the ticket API);
- :mod:`.probes`: ``GET /healthz`` (the process answers) and ``GET /readyz`` (the database answers), open;
- :mod:`.errors`: the exception handlers (JSON for the API, a page or the login form otherwise);
- :mod:`.middleware`: the root path behind the Ingress and the protective headers;
- :mod:`.dependencies`: what routes get from ``app.state`` (the reviewer, settings, store, taxonomy);
- :mod:`.lifespan`: the periodic purge of expired e-mail text, and closing the store.

Everything per app lives on ``app.state``, never in a module global: one process may hold several apps.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from mail2ticket.review import ReviewStore
from review_app import api, pages, probes
from review_app.errors import EXCEPTION_HANDLERS
from review_app.lifespan import lifespan
from review_app.middleware import RootPath, protective_headers
from review_app.rendering import STATIC_DIR, make_templates
from review_app.security import Authenticator
from review_app.settings import ReviewSettings


def create_app(settings: ReviewSettings | None = None, store: ReviewStore | None = None) -> FastAPI:
    """The review app over ``store`` (opened on ``settings.database_url`` when not given, not migrated)."""
    settings = settings or ReviewSettings.from_env()
    auth = Authenticator(settings)
    store = store or ReviewStore(settings.database_url)
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
    app.state.taxonomy = store.taxonomy
    app.state.auth = auth
    app.state.templates = make_templates()
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    for exception, handler in EXCEPTION_HANDLERS.items():
        app.add_exception_handler(exception, handler)
    app.middleware("http")(protective_headers)
    for router in (probes.router, pages.router, api.router):
        app.include_router(router)
    # Outermost, so that routing, the other middleware and the error pages all see the root path.
    app.add_middleware(RootPath, root_path=settings.root_path)
    return app


__all__ = ["create_app"]
