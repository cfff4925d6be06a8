"""The review app's settings: where the queue is, who may use it, how it is served.

Every setting has an environment variable, because the app runs from a container whose
configuration is its environment (a Secret for the database URL and the tokens, plain values for
the rest); :meth:`ReviewSettings.from_env` reads them once, and the ``mail2ticket review``
command overrides them with its options. Tokens are never settings themselves: only the names of
the variables that hold them are, so a settings dump never shows a secret.

Identity comes from one of two places:

- **bearer tokens** (``MAIL2TICKET_REVIEWER_TOKENS``, ``MAIL2TICKET_ADMIN_TOKENS``; a browser
  logs in once with its token, kept in an HttpOnly cookie), the default;
- **an authenticating reverse proxy** (``user_header``, e.g. ``X-Forwarded-User``): the proxy
  (OAuth2 Proxy, an SSO gateway) has already checked the person and names them in a header.
  Only turn it on when every request reaches the app through that proxy and the proxy strips
  the header from what clients send, or anyone could claim any name.
"""

from __future__ import annotations

import os

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from mail2ticket.auth import TOKEN_VARIABLES, Role
from mail2ticket.review import DATABASE_URL_ENV, DEFAULT_DATABASE_URL

#: The environment variables of the settings that are not secrets of their own.
AUTH_REQUIRED_ENV = "MAIL2TICKET_REVIEW_AUTH_REQUIRED"
USER_HEADER_ENV = "MAIL2TICKET_REVIEW_USER_HEADER"
ROLE_HEADER_ENV = "MAIL2TICKET_REVIEW_ROLE_HEADER"
RETENTION_DAYS_ENV = "MAIL2TICKET_REVIEW_RETENTION_DAYS"
ROOT_PATH_ENV = "MAIL2TICKET_REVIEW_ROOT_PATH"
CSRF_SECRET_ENV = "MAIL2TICKET_REVIEW_CSRF_SECRET"

_FALSE = {"0", "false", "no", "off", "non"}
_TRUE = {"1", "true", "yes", "on", "oui"}


class SettingsError(ValueError):
    """Settings that cannot be used; the message names the setting (and its variable)."""


def _header_name(value: str | None) -> str | None:
    value = (value or "").strip()
    return value or None


class ReviewSettings(BaseModel):
    """How one review app instance runs (validated; unknown keys are refused)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    database_url: str = Field(
        default_factory=lambda: os.environ.get(DATABASE_URL_ENV) or DEFAULT_DATABASE_URL,
        min_length=1,
        description=f"SQLAlchemy URL of the review queue ({DATABASE_URL_ENV}; default: a local SQLite file).",
    )
    auth_required: bool = Field(
        True,
        description=f"Refuse anonymous callers ({AUTH_REQUIRED_ENV}). Off only for a local demo: everyone is "
        "then an anonymous reviewer.",
    )
    token_variables: dict[Role, str] = Field(
        default_factory=lambda: dict(TOKEN_VARIABLES),
        description="The environment variable holding each role's comma-separated tokens (name:token entries "
        "name the reviewer in the audit trail).",
    )
    user_header: str | None = Field(
        None,
        description=f"Header where an authenticating reverse proxy names the user ({USER_HEADER_ENV}, e.g. "
        "X-Forwarded-User); unset: bearer tokens only.",
    )
    role_header: str | None = Field(
        None,
        description=f"Header where that proxy gives the role, 'reviewer' or 'admin' ({ROLE_HEADER_ENV}); absent "
        "or unset: default_role. Any other value is refused (403).",
    )
    default_role: Role = Field("reviewer", description="Role of a proxy-authenticated user without a role header.")
    retention_days: int = Field(
        90,
        ge=1,
        description=f"Decided items keep their e-mail text this many days, then it is erased ({RETENTION_DAYS_ENV}).",
    )
    purge_interval_s: float = Field(
        3600.0, ge=0, description="How often the running app erases expired e-mail text (0: never, rely on the CLI)."
    )
    root_path: str = Field(
        "",
        description=f"Path prefix the app is served under behind the Ingress, e.g. /review ({ROOT_PATH_ENV}).",
    )
    page_size: int = Field(50, ge=1, le=500, description="Items per queue page.")
    csrf_secret: str | None = Field(
        None,
        description=f"Key of the forms' anti-CSRF tokens ({CSRF_SECRET_ENV}); unset: derived from the configured "
        "tokens, or random per process when there are none (then every replica needs the same value).",
    )

    @field_validator("user_header", "role_header", mode="before")
    @classmethod
    def _blank_is_unset(cls, value: str | None) -> str | None:
        return _header_name(value)

    @field_validator("root_path")
    @classmethod
    def _root_path(cls, value: str) -> str:
        value = value.strip().rstrip("/")
        if value and not value.startswith("/"):
            raise ValueError(f"the root path starts with '/': {value!r}")
        return value

    @field_validator("default_role")
    @classmethod
    def _reviewing_role(cls, value: Role) -> Role:
        if value == "client":
            raise ValueError("the default role of proxy users is reviewer or admin (a client cannot review)")
        return value

    @classmethod
    def from_env(cls, **overrides: object) -> ReviewSettings:
        """Settings from the environment, then ``overrides`` (None values are ignored)."""
        values: dict[str, object] = {}
        raw_auth = os.environ.get(AUTH_REQUIRED_ENV)
        if raw_auth is not None and raw_auth.strip():
            flag = raw_auth.strip().lower()
            if flag not in _TRUE | _FALSE:
                raise SettingsError(f"{AUTH_REQUIRED_ENV} must be true or false, not {raw_auth!r}")
            values["auth_required"] = flag in _TRUE
        for name, variable in (("user_header", USER_HEADER_ENV), ("role_header", ROLE_HEADER_ENV),
                               ("root_path", ROOT_PATH_ENV), ("csrf_secret", CSRF_SECRET_ENV)):  # fmt: skip
            if os.environ.get(variable):
                values[name] = os.environ[variable]
        if os.environ.get(RETENTION_DAYS_ENV):
            values["retention_days"] = os.environ[RETENTION_DAYS_ENV]
        values.update({k: v for k, v in overrides.items() if v is not None})
        try:
            return cls(**values)
        except ValidationError as exc:
            problems = "; ".join(f"{'.'.join(map(str, e['loc'])) or 'settings'}: {e['msg']}" for e in exc.errors())
            raise SettingsError(f"invalid review app settings: {problems}") from None


__all__ = ["ReviewSettings", "SettingsError"]
