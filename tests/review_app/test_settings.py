"""The review app's settings come from the environment, are validated, and name what is wrong."""

from __future__ import annotations

import pytest

from mail2ticket.auth import TOKEN_VARIABLES
from mail2ticket.review import DEFAULT_DATABASE_URL
from review_app.settings import ReviewSettings, SettingsError


@pytest.fixture(autouse=True)
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for suffix in ("DATABASE_URL", "AUTH_REQUIRED", "USER_HEADER", "ROLE_HEADER", "RETENTION_DAYS", "ROOT_PATH",
                   "CSRF_SECRET"):  # fmt: skip
        monkeypatch.delenv(f"MAIL2TICKET_REVIEW_{suffix}", raising=False)


def test_defaults() -> None:
    settings = ReviewSettings.from_env()
    assert settings.database_url == DEFAULT_DATABASE_URL
    assert settings.auth_required is True
    assert settings.token_variables == TOKEN_VARIABLES
    assert (settings.user_header, settings.role_header, settings.default_role) == (None, None, "reviewer")
    assert (settings.retention_days, settings.root_path) == (90, "")


def test_environment_then_overrides(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("MAIL2TICKET_REVIEW_DATABASE_URL", "postgresql+psycopg://r:pw@db/review")
    monkeypatch.setenv("MAIL2TICKET_REVIEW_AUTH_REQUIRED", "false")
    monkeypatch.setenv("MAIL2TICKET_REVIEW_USER_HEADER", "X-Forwarded-User")
    monkeypatch.setenv("MAIL2TICKET_REVIEW_ROLE_HEADER", "X-Forwarded-Role")
    monkeypatch.setenv("MAIL2TICKET_REVIEW_RETENTION_DAYS", "30")
    monkeypatch.setenv("MAIL2TICKET_REVIEW_ROOT_PATH", "/review/")
    settings = ReviewSettings.from_env()
    assert settings.database_url == "postgresql+psycopg://r:pw@db/review"
    assert settings.auth_required is False
    assert (settings.user_header, settings.role_header) == ("X-Forwarded-User", "X-Forwarded-Role")
    assert (settings.retention_days, settings.root_path) == (30, "/review")
    overridden = ReviewSettings.from_env(database_url="sqlite:///other.sqlite", root_path=None, retention_days=7)
    assert overridden.database_url == "sqlite:///other.sqlite"  # an option beats the variable
    assert overridden.root_path == "/review" and overridden.retention_days == 7  # None: not given


@pytest.mark.parametrize(
    ("variable", "value", "named"),
    [
        ("MAIL2TICKET_REVIEW_AUTH_REQUIRED", "peut-être", "MAIL2TICKET_REVIEW_AUTH_REQUIRED"),
        ("MAIL2TICKET_REVIEW_RETENTION_DAYS", "0", "retention_days"),
        ("MAIL2TICKET_REVIEW_RETENTION_DAYS", "quatre-vingt-dix", "retention_days"),
        ("MAIL2TICKET_REVIEW_ROOT_PATH", "review", "root_path"),
    ],
)
def test_bad_values_name_the_setting(monkeypatch: pytest.MonkeyPatch, variable: str, value: str, named: str) -> None:
    monkeypatch.setenv(variable, value)
    with pytest.raises(SettingsError, match=named):
        ReviewSettings.from_env()


def test_blank_headers_are_off_and_clients_cannot_be_the_default_role() -> None:
    assert ReviewSettings(user_header="  ").user_header is None
    with pytest.raises(ValueError, match="reviewer or admin"):
        ReviewSettings(default_role="client")
    with pytest.raises(ValueError):
        ReviewSettings(unknown_setting=1)
