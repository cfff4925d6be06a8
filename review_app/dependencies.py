"""What the routes get from their request: the reviewer, and the app's settings, store and taxonomy.

All of it comes from ``request.app.state`` (filled by :func:`review_app.app.create_app`), never from a
module global: one process may hold several apps (the tests do).
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.security import HTTPBearer

from mail2ticket.review import ReviewStore
from mail2ticket.taxonomy import Taxonomy
from review_app.security import Authenticator, Identity
from review_app.settings import ReviewSettings

#: The bearer scheme, for the OpenAPI description (the routes check tokens themselves).
bearer = HTTPBearer(
    auto_error=False,
    description="A reviewer token (MAIL2TICKET_REVIEWER_TOKENS) or an admin one (MAIL2TICKET_ADMIN_TOKENS).",
)


class LoginRequired(Exception):
    """A page was asked for without credentials: the browser goes to the login form."""


def page_identity(request: Request) -> Identity:
    """A page's reviewer; without credentials the browser is sent to the login form."""
    identity = request.app.state.auth.page(request)
    if identity is None:
        raise LoginRequired()
    return identity


def api_identity(request: Request, _: Annotated[Any, Depends(bearer)] = None) -> Identity:
    """The API's reviewer (bearer token only); the ``bearer`` dependency documents the scheme."""
    return request.app.state.auth.api(request)


async def get_settings(request: Request) -> ReviewSettings:
    return request.app.state.settings


async def get_store(request: Request) -> ReviewStore:
    return request.app.state.store


async def get_taxonomy(request: Request) -> Taxonomy:
    return request.app.state.taxonomy


async def get_auth(request: Request) -> Authenticator:
    return request.app.state.auth


PageUser = Annotated[Identity, Depends(page_identity)]
ApiUser = Annotated[Identity, Depends(api_identity)]
SettingsDep = Annotated[ReviewSettings, Depends(get_settings)]
StoreDep = Annotated[ReviewStore, Depends(get_store)]
TaxonomyDep = Annotated[Taxonomy, Depends(get_taxonomy)]
AuthDep = Annotated[Authenticator, Depends(get_auth)]

__all__ = [
    "ApiUser",
    "AuthDep",
    "LoginRequired",
    "PageUser",
    "SettingsDep",
    "StoreDep",
    "TaxonomyDep",
    "api_identity",
    "bearer",
    "get_auth",
    "get_settings",
    "get_store",
    "get_taxonomy",
    "page_identity",
]
