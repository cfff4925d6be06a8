"""Shared fixtures: real services started on 127.0.0.1 and stopped by PID."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from mail2ticket.testing import LocalPostgresServer, free_port

REPO_ROOT = Path(__file__).resolve().parents[1]
if str(REPO_ROOT) not in sys.path:
    sys.path.insert(0, str(REPO_ROOT))


def wait_for_port(port: int, process: subprocess.Popen, timeout: float = 30.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited early with code {process.returncode}")
        with socket.socket() as sock:
            if sock.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise TimeoutError(f"nothing listening on 127.0.0.1:{port} after {timeout:.0f}s")


def stop_process(process: subprocess.Popen) -> None:
    if process.poll() is None:
        os.kill(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            os.kill(process.pid, signal.SIGKILL)
            process.wait()


@pytest.fixture(scope="session")
def moto_endpoint(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real moto S3 server on 127.0.0.1, for boto3 through the standard AWS variables."""
    executable = shutil.which("moto_server", path=str(Path(sys.executable).parent)) or "moto_server"
    port = free_port()
    log = (tmp_path_factory.mktemp("moto") / "moto.log").open("w")
    process = subprocess.Popen([executable, "-H", "127.0.0.1", "-p", str(port)], stdout=log, stderr=log)
    try:
        wait_for_port(port, process)
        yield f"http://127.0.0.1:{port}"
    finally:
        stop_process(process)
        log.close()


@pytest.fixture
def s3_env(moto_endpoint: str, monkeypatch: pytest.MonkeyPatch) -> str:
    """Point boto3 at the moto server through the environment, as in a cluster."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", moto_endpoint)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-3")
    return moto_endpoint


@pytest.fixture
def s3_bucket(s3_env: str) -> str:
    """A fresh bucket on the moto server."""
    import uuid

    import boto3

    name = f"mail2ticket-{uuid.uuid4().hex[:10]}"
    boto3.client("s3").create_bucket(Bucket=name, CreateBucketConfiguration={"LocationConstraint": "eu-west-3"})
    return name


@pytest.fixture(scope="session")
def small_corpus(tmp_path_factory: pytest.TempPathFactory):
    """A generated export of 1,200 tickets (half in the taxonomy), shared by the session."""
    from mail2ticket.data.corpus import CorpusConfig, generate

    out = tmp_path_factory.mktemp("corpus") / "export.csv"
    return generate(CorpusConfig(tickets=1_200, seed=11, strategic_share=0.5), out)


@pytest.fixture(scope="session")
def embedded_model_dir() -> Path:
    """The embedded SmolLM2-135M as a safetensors folder (converted once, then cached)."""
    from mail2ticket.registry.models import DEFAULT_MODEL, resolve_model

    return resolve_model(DEFAULT_MODEL)


@pytest.fixture(scope="session")
def transformers_engine(embedded_model_dir: Path):
    """One TransformersEngine on the embedded model for the whole session (adapters load on demand)."""
    from mail2ticket.engines import make_engine

    return make_engine("transformers", embedded_model_dir)


@pytest.fixture(scope="session")
def mlflow_server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[str]:
    """A real MLflow tracking server (sqlite backend, local artifacts) on 127.0.0.1."""
    from mail2ticket.testing import LocalMlflowServer

    server = LocalMlflowServer(tmp_path_factory.mktemp("mlflow"))
    try:
        yield server.start()
    finally:
        server.stop()


@pytest.fixture(scope="session")
def postgres_server() -> Iterator[LocalPostgresServer]:
    """A real PostgreSQL server (Debian's binaries, a private cluster) on 127.0.0.1 for the session.

    Its folder comes from ``tempfile``, not ``tmp_path_factory``: as root the server runs as the
    ``postgres`` account, which cannot enter pytest's folders (mode 0700). A test may stop and
    start it again (an outage); ``postgres_url`` starts it again if a test left it stopped.
    """
    with (
        tempfile.TemporaryDirectory(prefix="mail2ticket-postgres-") as root,
        LocalPostgresServer(Path(root)) as server,
    ):
        yield server


@pytest.fixture
def postgres_url(postgres_server: LocalPostgresServer) -> Iterator[str]:
    """SQLAlchemy URL of a fresh, empty database on ``postgres_server``, dropped after the test."""
    name = f"test_{uuid.uuid4().hex[:16]}"
    url = postgres_server.create_database(name)
    try:
        yield url
    finally:
        if not postgres_server.running:
            postgres_server.start()
        postgres_server.drop_database(name)


@pytest.fixture(scope="session")
def chromium_path() -> str:
    """Debian's Chromium, which Playwright drives through ``executable_path`` (it downloads no browser).

    Never skipped: ``make test`` installs it (``make system-deps``), so a missing one is an error.
    """
    path = shutil.which("chromium") or ("/usr/bin/chromium" if os.access("/usr/bin/chromium", os.X_OK) else None)
    if path is None:
        pytest.fail(
            "Debian's chromium is not installed: run `make system-deps` (or apt-get install chromium); "
            "Playwright's own browsers are not used",
            pytrace=False,
        )
    return path
