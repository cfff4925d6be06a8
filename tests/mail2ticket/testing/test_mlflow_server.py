"""The local MLflow server starts lean: tracking and registry, no job runner and its consumers."""

from __future__ import annotations

import urllib.request
from pathlib import Path

import psutil

from mail2ticket.testing import LocalMlflowServer


def test_the_server_starts_without_the_job_runner(tmp_path: Path) -> None:
    server = LocalMlflowServer(tmp_path / "mlflow")
    url = server.start()
    try:
        with urllib.request.urlopen(f"{url}/health", timeout=5) as response:
            assert response.status == 200
        assert server.process is not None
        processes = psutil.Process(server.process.pid).children(recursive=True)
        command_lines = [" ".join(p.cmdline()) for p in processes if p.is_running()]
        assert command_lines, "the server runs its uvicorn worker"
        assert not [c for c in command_lines if "huey" in c], command_lines
        assert int(server.pid_file.read_text(encoding="utf-8")) == server.process.pid
    finally:
        server.stop()
    assert not server.pid_file.exists()
