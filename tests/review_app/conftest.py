"""The review app as it runs: ``python -m review_app.cli serve`` on 127.0.0.1, stopped by PID.

Every server gets its own SQLite queue; the test process opens the same file to seed items and to
check what the app wrote (WAL lets both work at once).
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx
import pytest

from mail2ticket.review import NewReviewItem, ReviewStore
from mail2ticket.testing import free_port

REPO_ROOT = Path(__file__).resolve().parents[2]
SUPERVISION = "Incidents/Supervision"
#: The tokens every test server accepts: two named reviewers, an admin, an API client.
TOKENS = {
    "MAIL2TICKET_REVIEWER_TOKENS": "alice:tok-alice-0123456789,bob:tok-bob-0123456789",
    "MAIL2TICKET_ADMIN_TOKENS": "root:tok-admin-0123456789",
    "MAIL2TICKET_API_TOKENS": "tok-client-0123456789",
}
ALICE, BOB, ADMIN, CLIENT = (
    "tok-alice-0123456789",
    "tok-bob-0123456789",
    "tok-admin-0123456789",
    "tok-client-0123456789",
)


@dataclass
class ReviewServer:
    """A running review app and its queue."""

    url: str
    database_url: str
    process: subprocess.Popen
    log: Path
    root_path: str = ""
    store: ReviewStore = field(init=False)

    def __post_init__(self) -> None:
        self.store = ReviewStore(self.database_url)

    def client(self, token: str | None = None, headers: dict[str, str] | None = None, **kwargs: Any) -> httpx.Client:
        """An HTTP client on the app's root path, sending ``token`` as a bearer token when given."""
        headers = {**({"Authorization": f"Bearer {token}"} if token else {}), **(headers or {})}
        return httpx.Client(base_url=self.url + self.root_path, headers=headers, timeout=15, **kwargs)

    def stop(self) -> None:
        self.store.close()
        if self.process.poll() is None:
            os.kill(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                os.kill(self.process.pid, signal.SIGKILL)
                self.process.wait()


def start_review_server(folder: Path, *args: str, env: dict[str, str] | None = None,
                        database_url: str | None = None, root_path: str = "") -> ReviewServer:  # fmt: skip
    """Start the app (it migrates its database first) and wait until /healthz answers."""
    folder.mkdir(parents=True, exist_ok=True)
    database_url = database_url or f"sqlite:///{folder / 'queue.sqlite'}"
    port = free_port()
    environment = {k: v for k, v in os.environ.items() if not k.startswith("MAIL2TICKET_")}
    environment.update(TOKENS)
    environment.update({"PYTHONPATH": str(REPO_ROOT), "HF_HUB_OFFLINE": "1", **(env or {})})
    command = [sys.executable, "-m", "review_app.cli", "serve", "--host", "127.0.0.1", "--port", str(port),
               "--database-url", database_url, "--log-level", "warning", *args]  # fmt: skip
    if root_path:
        command += ["--root-path", root_path]
    log = folder / "server.log"
    with log.open("w") as out:
        process = subprocess.Popen(command, cwd=folder, env=environment, stdout=out, stderr=subprocess.STDOUT)
    server = ReviewServer(f"http://127.0.0.1:{port}", database_url, process, log, root_path)
    deadline = time.monotonic() + 30
    while True:
        if process.poll() is not None:
            raise RuntimeError(f"review app exited with {process.returncode}:\n{log.read_text()}")
        try:
            if httpx.get(f"{server.url}/healthz", timeout=1).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        if time.monotonic() > deadline:
            server.stop()
            raise TimeoutError(f"review app not answering after 30 s:\n{log.read_text()}")
        time.sleep(0.05)


@pytest.fixture(scope="module")
def review_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ReviewServer]:
    """One app per test module (each module seeds its own items)."""
    server = start_review_server(tmp_path_factory.mktemp("review-app"))
    try:
        yield server
    finally:
        server.stop()


def new_item(request_id: str, age: timedelta = timedelta(hours=1), **overrides: Any) -> NewReviewItem:
    """A pending supervision alert, enqueued ``age`` ago, with a thread around its first e-mail."""
    enqueued = datetime.now(UTC) - age
    first = overrides.pop("first_email", f"Bonjour, le serveur srv-{request_id} ne répond plus depuis 8h.\nMerci")
    values: dict[str, Any] = {
        "request_id": request_id,
        "enqueued_at": enqueued,
        "received_at": enqueued - timedelta(minutes=3),
        "subject": f"Incident {request_id}",
        "sender": "client@example.fr",
        "email": f"Bonjour,\nnous regardons.\n\n-----Message d'origine-----\n{first}\n",
        "first_email": first,
        "category": SUPERVISION,
        "confidence": 0.41,
        "scores": {SUPERVISION: 0.41, "Incidents/Backup #BCS/Sauvegarde": 0.32, "unknown": 0.2},
        "fields": {"hostname": f"srv-{request_id}", "severity": "DOWN"},
        "models": {"engine": "transformers", "adapter": "test"},
    }
    values.update(overrides)
    return NewReviewItem(**values)


@pytest.fixture
def make_item() -> Callable[..., NewReviewItem]:
    """:func:`new_item` (test modules cannot import a conftest under importlib import mode)."""
    return new_item


@pytest.fixture
def start_server() -> Iterator[Callable[..., ReviewServer]]:
    """Start extra servers (other settings); all stopped at the end of the test."""
    started: list[ReviewServer] = []

    def start(folder: Path, *args: str, **kwargs: Any) -> ReviewServer:
        started.append(start_review_server(folder, *args, **kwargs))
        return started[-1]

    yield start
    for server in started:
        server.stop()


@pytest.fixture(scope="session")
def tokens() -> dict[str, str]:
    return {"alice": ALICE, "bob": BOB, "admin": ADMIN, "client": CLIENT}
