"""Who is calling the review app, and whether a form really comes from its own page.

Three ways in, checked in this order:

1. ``Authorization: Bearer <token>`` on any route (scripts, the API; the only way into the API);
2. the authenticating reverse proxy's user header, when ``user_header`` is configured;
3. the login cookie: a browser cannot add a bearer header to a link or a form, so ``/login``
   takes the token once and keeps it in a cookie that scripts cannot read (HttpOnly), that other
   sites' pages never send (SameSite=Strict) and that only travels over HTTPS when the page was
   served over HTTPS (Secure).

Only reviewers and administrators get in; an API client's token is refused with 403, so a leaked
ticketing-tool token does not open the queue.

Forms that change something (decisions) carry an anti-CSRF token: an HMAC, under a server key, of
the credential the browser presents (its token, or the proxy user). Another site can make a
browser post a form but cannot read our page, so it cannot know the value; it changes with the
credential and needs no server-side session. SameSite=Strict already keeps the cookie off
cross-site posts: the token is the second lock, and the only one in proxy mode, where the proxy's
own cookie may be less strict.
"""

from __future__ import annotations

import hashlib
import hmac
import logging
import secrets
from dataclasses import dataclass
from typing import Literal

from starlette.requests import Request
from starlette.responses import Response

from mail2ticket.auth import Role, TokenRoles, grants
from mail2ticket.auth import bearer_token as parse_bearer
from review_app.settings import ReviewSettings

logger = logging.getLogger(__name__)

#: The login cookie (holds the reviewer's token).
COOKIE_NAME = "mail2ticket_review"
#: How long a login lasts (a working day and a bit), in seconds.
COOKIE_MAX_AGE_S = 12 * 3600
#: Longest user name taken from the proxy header (the audit column holds 200 characters).
MAX_USER_LENGTH = 200

Via = Literal["bearer", "proxy", "cookie", "anonymous"]


@dataclass(frozen=True)
class Identity:
    """An authenticated reviewer: the name the audit trail records, the role, how they got in."""

    name: str
    role: Role
    via: Via
    #: What the browser presents (a token, a proxy user): the anti-CSRF token is bound to it.
    credential: str

    @property
    def can_review(self) -> bool:
        return grants(self.role, "reviewer")


class AuthError(Exception):
    """A caller who may not go further: 401 (who are you?) or 403 (not with this role)."""

    def __init__(self, status: int, code: str, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.code = code
        self.message = message


def bearer_token(request: Request) -> str | None:
    """The bearer token of the request's Authorization header; None without one."""
    return parse_bearer(request.headers.get("authorization"))


class Authenticator:
    """Identifies callers from the settings' tokens and proxy headers, and signs forms."""

    def __init__(self, settings: ReviewSettings) -> None:
        self.settings = settings
        # With a proxy in front, tokens are optional (the proxy identifies people); without one,
        # auth_required means at least one token must be configured.
        self.tokens = TokenRoles.from_env(
            required=settings.auth_required and not settings.user_header, variables=settings.token_variables
        )
        if (
            settings.auth_required
            and not settings.user_header
            and not (self.tokens.has_role("reviewer") or self.tokens.has_role("admin"))
        ):
            logger.warning("no reviewer or admin token is configured: nobody can use the review app")
        self._csrf_key = self._key(settings)

    def _key(self, settings: ReviewSettings) -> bytes:
        """The forms' signing key: configured, else derived from the tokens (the same on every replica)."""
        if settings.csrf_secret:
            return hashlib.sha256(b"mail2ticket-review-csrf\0" + settings.csrf_secret.encode()).digest()
        if self.tokens.entries:
            digests = b"".join(sorted(digest for digest, _, _ in self.tokens.entries))
            return hashlib.sha256(b"mail2ticket-review-csrf\0" + digests).digest()
        return secrets.token_bytes(32)

    # ------------------------------------------------------------------ identification

    def _token_identity(self, token: str, via: Via) -> Identity | None:
        caller = self.tokens.identify(token)
        return Identity(caller.name, caller.role, via, token) if caller else None

    def _anonymous(self) -> Identity:
        return Identity("anonymous", "reviewer", "anonymous", "anonymous")

    def _proxy_identity(self, request: Request) -> Identity | None:
        header = self.settings.user_header
        user = (request.headers.get(header) or "").strip() if header else ""
        if not user:
            return None
        given = request.headers.get(self.settings.role_header) if self.settings.role_header else None
        given = (given or "").strip().lower()
        role: Role = self.settings.default_role
        if given:
            # Any other value (a group the proxy maps to something else) gives no review right.
            role = "reviewer" if given == "reviewer" else "admin" if given == "admin" else "client"
        name = user[:MAX_USER_LENGTH]
        return Identity(name, role, "proxy", f"user:{name}:{role}")

    def api(self, request: Request) -> Identity:
        """The API's caller: bearer token only. Raises :class:`AuthError` (401, 403)."""
        token = bearer_token(request)
        identity = self._token_identity(token, "bearer") if token else None
        if identity is None and not self.settings.auth_required:
            return self._anonymous()
        if token is None:
            raise AuthError(401, "missing_token", "send Authorization: Bearer <token> (a reviewer or admin token)")
        if identity is None:
            raise AuthError(401, "invalid_token", "the bearer token is not accepted")
        return self._require_reviewer(identity)

    def page(self, request: Request) -> Identity | None:
        """A page's caller, or None when the browser must log in. Raises :class:`AuthError` (401, 403)."""
        token = bearer_token(request)
        if token is not None:
            identity = self._token_identity(token, "bearer")
            if identity is None:
                if not self.settings.auth_required:
                    return self._anonymous()
                raise AuthError(401, "invalid_token", "Le jeton envoyé dans l'en-tête Authorization est refusé.")
            return self._require_reviewer(identity)
        identity = self._proxy_identity(request)
        if identity is None:
            cookie = request.cookies.get(COOKIE_NAME)
            identity = self._token_identity(cookie, "cookie") if cookie else None
        if identity is None:
            return None if self.settings.auth_required else self._anonymous()
        return self._require_reviewer(identity)

    def login(self, token: str) -> Identity:
        """The identity a login form's token gives. Raises :class:`AuthError` (401, 403)."""
        identity = self._token_identity(token.strip(), "cookie") if token.strip() else None
        if identity is None:
            raise AuthError(401, "invalid_token", "Ce jeton n'est pas reconnu.")
        return self._require_reviewer(identity)

    @staticmethod
    def _require_reviewer(identity: Identity) -> Identity:
        if not identity.can_review:
            raise AuthError(
                403, "forbidden", f"a {identity.role} token cannot review (it needs a reviewer or admin token)"
            )
        return identity

    # ------------------------------------------------------------------ forms

    def csrf_token(self, identity: Identity) -> str:
        """The anti-CSRF token of ``identity``'s forms."""
        return hmac.new(self._csrf_key, f"{identity.via}\0{identity.credential}".encode(), hashlib.sha256).hexdigest()

    def csrf_ok(self, identity: Identity, submitted: str | None) -> bool:
        """Whether a form was rendered for this credential (a bearer caller is no browser: nothing to forge)."""
        if identity.via == "bearer":
            return True
        return bool(submitted) and hmac.compare_digest(self.csrf_token(identity), submitted or "")


def is_https(request: Request) -> bool:
    """Whether the browser reached us over HTTPS (directly, or through a TLS-terminating Ingress)."""
    forwarded = request.headers.get("x-forwarded-proto", "").split(",")[0].strip().lower()
    return request.url.scheme == "https" or forwarded == "https"


def cookie_path(request: Request) -> str:
    """The app's own path, so the cookie never travels to the other apps of the host."""
    return (request.scope.get("root_path") or "").rstrip("/") + "/"


def set_login_cookie(response: Response, request: Request, token: str) -> None:
    response.set_cookie(
        COOKIE_NAME,
        token,
        max_age=COOKIE_MAX_AGE_S,
        path=cookie_path(request),
        httponly=True,
        samesite="strict",
        secure=is_https(request),
    )


def clear_login_cookie(response: Response, request: Request) -> None:
    response.delete_cookie(
        COOKIE_NAME, path=cookie_path(request), httponly=True, samesite="strict", secure=is_https(request)
    )


__all__ = [
    "COOKIE_NAME",
    "AuthError",
    "Authenticator",
    "Identity",
    "bearer_token",
    "clear_login_cookie",
    "is_https",
    "set_login_cookie",
]
