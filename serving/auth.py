"""Bearer-token authentication of the HTTP API.

Tokens come from an environment variable (comma-separated), filled from a Kubernetes Secret in
the cluster: the config file, which the Helm chart embeds and people read, never holds one.
Authentication is on unless ``auth.required: false`` says otherwise, and a Gateway that
requires tokens but has none refuses to start rather than silently accepting everyone.

Every configured token is compared, in constant time, on SHA-256 digests (equal lengths), so
neither the position of a match nor the length of a token shows in the response time.
"""

from __future__ import annotations

import hashlib
import hmac
import os
from dataclasses import dataclass


class AuthConfigError(ValueError):
    """Authentication is required but no token is configured."""


def _digest(token: str) -> bytes:
    return hashlib.sha256(token.encode("utf-8", "surrogatepass")).digest()


def parse_tokens(raw: str | None) -> list[str]:
    """Tokens of a comma-separated value; blanks are ignored."""
    return [t.strip() for t in (raw or "").split(",") if t.strip()]


def fingerprint(token: str) -> str:
    """Short, non-reversible name of a token for the audit log (which caller made a decision)."""
    return "tok-" + hashlib.sha256(token.encode("utf-8", "surrogatepass")).hexdigest()[:10]


@dataclass(frozen=True)
class TokenAuth:
    """The accepted tokens (as digests) of one scope: the API or /admin."""

    required: bool
    digests: tuple[bytes, ...]

    @classmethod
    def from_env(cls, required: bool, variable: str, fallback: str | None = None) -> TokenAuth:
        """Tokens from ``variable``, else from ``fallback`` (the admin scope falls back to the API's)."""
        tokens = parse_tokens(os.environ.get(variable))
        if not tokens and fallback:
            tokens = parse_tokens(os.environ.get(fallback))
        if required and not tokens:
            raise AuthConfigError(
                f"auth.required is true but {variable} holds no token: set it (comma-separated tokens, a "
                "Secret in the cluster) or set auth.required: false explicitly"
            )
        return cls(required, tuple(_digest(t) for t in tokens))

    def check(self, token: str | None) -> bool:
        """Whether ``token`` is accepted; always True when authentication is off."""
        if not self.required:
            return True
        if not token:
            return False
        given = _digest(token)
        accepted = False
        for digest in self.digests:  # no early exit: the time does not depend on which token matched
            accepted |= hmac.compare_digest(given, digest)
        return accepted
