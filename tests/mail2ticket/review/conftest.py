"""Review queue fixtures: a migrated store on SQLite (a file) or on a real PostgreSQL server."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from mail2ticket.review import NewReviewItem, ReviewStore, open_store

SUPERVISION = "Incidents/Supervision"
RESTAURATION = "Demande de service/Backup #BCS/Restauration qualifiée"
T0 = datetime(2025, 3, 1, 8, 0, tzinfo=UTC)


def new_item(request_id: str, **overrides: Any) -> NewReviewItem:
    """A review item as the Gateway sends it (a supervision alert by default)."""
    values: dict[str, Any] = {
        "request_id": request_id,
        "enqueued_at": T0,
        "received_at": T0 - timedelta(minutes=5),
        "subject": "Alerte",
        "sender": "client@example.fr",
        "email": f"Re: suivi\n\n> Bonjour, le serveur srv-{request_id} est DOWN.\nMerci",
        "first_email": f"Bonjour, le serveur srv-{request_id} est DOWN.\nMerci",
        "category": SUPERVISION,
        "confidence": 0.42,
        "scores": {SUPERVISION: 0.42, "unknown": 0.31},
        "fields": {"hostname": f"srv-{request_id}", "severity": "DOWN"},
        "models": {"engine": "transformers", "adapter": "test"},
    }
    values.update(overrides)
    return NewReviewItem(**values)


@pytest.fixture
def sqlite_store(tmp_path: Path) -> Iterator[ReviewStore]:
    store = open_store(f"sqlite:///{tmp_path / 'queue.sqlite'}")
    try:
        yield store
    finally:
        store.close()


@pytest.fixture(params=["sqlite", "postgresql"])
def any_store(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[ReviewStore]:
    """The same migrations and code on both databases the queue runs on."""
    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'queue.sqlite'}"
    else:
        url = request.getfixturevalue("postgres_url")
    store = open_store(url)
    try:
        yield store
    finally:
        store.close()


@pytest.fixture
def make_item() -> Any:
    """:func:`new_item` (test modules cannot import a conftest under importlib import mode)."""
    return new_item
