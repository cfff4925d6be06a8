"""Bearer tokens with roles: who may send e-mails, who may review, who may administer.

Three roles. ``client`` tokens call the ticket API; ``reviewer`` tokens decide review items;
``admin`` tokens may do both and, alone, reload the served models. A reviewer cannot reload a
model, and an API client cannot review: a leaked ticketing-tool token does not open the queue.

Tokens come from environment variables (comma-separated), filled from a Kubernetes Secret on
the cluster: configuration files, which people read, never hold one. An entry may name its
holder, ``alice:token``, so the review audit trail says who decided; an unnamed token is known
by a short fingerprint of it. (A token therefore never contains ``:`` after a plain name.)

Every configured token is compared, in constant time, on SHA-256 digests (equal lengths), so
neither which token matched nor the length of a token shows in the response time.
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Literal

Role = Literal["client", "reviewer", "admin"]
#: Every role, least privileged first.
ROLES: tuple[Role, ...] = ("client", "reviewer", "admin")
#: The default environment variable of each role's tokens.
TOKEN_VARIABLES: dict[Role, str] = {
    "client": "MAIL2TICKET_API_TOKENS",
    "reviewer": "MAIL2TICKET_REVIEWER_TOKENS",
    "admin": "MAIL2TICKET_ADMIN_TOKENS",
}

_NAMED = re.compile(r"^(?P<name>[A-Za-z0-9._@-]{1,64}):(?P<token>.+)$")


class AuthConfigError(ValueError):
    """Authentication is required but no token is configured, or a token is given two roles."""


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).digest()


def parse_tokens(raw: str | None) -> list[str]:
    """Entries of a comma-separated value; blanks are ignored."""
    return [t.strip() for t in (raw or "").split(",") if t.strip()]


def bearer_token(authorization: str | None) -> str | None:
    """The token of an ``Authorization: Bearer <token>`` header value; None for another scheme or none."""
    scheme, _, token = (authorization or "").partition(" ")
    return (token.strip() or None) if scheme.lower() == "bearer" else None


def fingerprint(token: str) -> str:
    """Short, non-reversible name of a token for logs and audit trails."""
    return "tok-" + hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()[:10]


def grants(role: Role, scope: Role) -> bool:
    """Whether a token of ``role`` may act in ``scope`` (an administrator may act in every scope)."""
    return role == scope or role == "admin"


@dataclass(frozen=True)
class Caller:
    """An authenticated caller: a name for the logs and the role its token carries."""

    name: str
    role: Role


@dataclass(frozen=True)
class TokenRoles:
    """The accepted tokens (as digests), each with its role and its holder's name."""

    required: bool
    entries: tuple[tuple[bytes, Role, str], ...]

    @classmethod
    def from_env(cls, required: bool, variables: Mapping[Role, str] | None = None) -> TokenRoles:
        """The tokens of each role's variable (``TOKEN_VARIABLES`` by default)."""
        variables = {**TOKEN_VARIABLES, **(variables or {})}
        entries: list[tuple[bytes, Role, str]] = []
        seen: dict[bytes, Role] = {}
        for role in ROLES:
            for entry in parse_tokens(os.environ.get(variables[role])):
                named = _NAMED.match(entry)
                token, name = (named["token"], named["name"]) if named else (entry, fingerprint(entry))
                digest = _digest(token)
                if digest in seen and seen[digest] != role:
                    raise AuthConfigError(
                        f"the same token is listed for {seen[digest]} ({variables[seen[digest]]}) and {role} "
                        f"({variables[role]}): give each role its own tokens"
                    )
                seen[digest] = role
                entries.append((digest, role, name))
        if required and not entries:
            listed = ", ".join(variables[r] for r in ROLES)
            raise AuthConfigError(
                f"authentication is required but no token is configured: set {listed} (comma-separated tokens, a "
                "Secret in the cluster) or turn authentication off explicitly"
            )
        return cls(required, tuple(entries))

    def identify(self, token: str | None) -> Caller | None:
        """The caller ``token`` belongs to, or None; constant time whichever token matches."""
        if not token:
            return None
        given = _digest(token)
        found: Caller | None = None
        for digest, role, name in self.entries:  # no early exit: the time does not depend on the match
            if hmac.compare_digest(given, digest):
                found = Caller(name, role)
        return found

    def has_role(self, role: Role) -> bool:
        """Whether any token carries ``role`` (a scope nobody can enter is worth a warning)."""
        return any(r == role for _, r, _ in self.entries)
