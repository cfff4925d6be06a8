"""A real MLflow tracking server on 127.0.0.1 (sqlite backend, local artifacts), started by PID.

``make demo`` and the tests use the same code: one worker (``--workers 1``, 2 cores), no
telemetry, the whole process group stopped at the end (the server forks its workers).

Lean by default: MLflow 3 also starts a job runner with nine huey consumer processes (about
240 MB each) for server-side jobs (trace rollups, judges) that tracking and the registry do not
use; ``jobs=True`` starts them for a feature that needs them.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

from mail2ticket.testing.ports import free_port
from mail2ticket.testing.processes import spawn_logged, wait_until_ok

__all__ = ["LocalMlflowServer", "stop_process_group", "stop_recorded_server"]


@dataclass
class LocalMlflowServer:
    """An ``mlflow server`` child process whose state lives under ``root``.

    Attributes:
        root: Folder of the sqlite database, the artifacts and the server log.
        port: Port on 127.0.0.1 (0: a free one).
        startup_timeout_s: How long the server may take to answer ``/health``.
        jobs: Start MLflow's job runner too (``MLFLOW_SERVER_ENABLE_JOB_EXECUTION``).
    """

    root: Path
    port: int = 0
    startup_timeout_s: float = 120.0
    jobs: bool = False
    process: subprocess.Popen | None = field(default=None, init=False, repr=False)

    @property
    def url(self) -> str:
        """The tracking URI."""
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid_file(self) -> Path:
        """Where the server's PID is written, so a later run can stop a server left running."""
        return self.root / "server.pid"

    def start(self) -> str:
        """Start the server and wait until ``/health`` answers; returns its URL."""
        self.root.mkdir(parents=True, exist_ok=True)
        self.port = self.port or free_port()
        executable = shutil.which("mlflow", path=str(Path(sys.executable).parent)) or "mlflow"
        env = {**os.environ, "MLFLOW_SERVER_ENABLE_JOB_EXECUTION": "true" if self.jobs else "false"}
        self.process = spawn_logged(
            [executable, "server", "--host", "127.0.0.1", "--port", str(self.port), "--workers", "1",
             "--backend-store-uri", f"sqlite:///{(self.root / 'mlflow.db').resolve()}",
             "--default-artifact-root", str((self.root / "artifacts").resolve())],
            self.root / "server.log", env,
        )  # fmt: skip
        self.pid_file.write_text(str(self.process.pid), encoding="utf-8")
        try:
            wait_until_ok(f"{self.url}/health", self.process, self.startup_timeout_s, self.root / "server.log",
                          "mlflow server")  # fmt: skip
        except BaseException:
            self.stop()
            raise
        return self.url

    def stop(self) -> None:
        """Stop the server and its workers (its whole process group)."""
        if self.process is not None and self.process.poll() is None:
            _signal_group(self.process.pid, signal.SIGTERM)
            try:
                self.process.wait(timeout=15)
            except subprocess.TimeoutExpired:
                _signal_group(self.process.pid, signal.SIGKILL)
                self.process.wait()
        self.pid_file.unlink(missing_ok=True)


def _signal_group(pid: int, signum: int) -> bool:
    """Signal a process group; False when it is already gone."""
    try:
        os.killpg(pid, signum)
    except ProcessLookupError:
        return False
    return True


def stop_process_group(pid: int, grace_s: float = 15.0) -> None:
    """SIGTERM a process group that is not our child, then SIGKILL it if still there after ``grace_s``."""
    if not _signal_group(pid, signal.SIGTERM):
        return
    deadline = time.monotonic() + grace_s
    while time.monotonic() < deadline:
        try:
            os.killpg(pid, 0)
        except ProcessLookupError:
            return
        time.sleep(0.1)
    _signal_group(pid, signal.SIGKILL)


def stop_recorded_server(root: Path) -> bool:
    """Stop a server a previous run left running (its PID is in ``root/server.pid``)."""
    pid_file = root / "server.pid"
    if not pid_file.exists():
        return False
    with contextlib.suppress(ValueError):
        stop_process_group(int(pid_file.read_text(encoding="utf-8").strip()))
    pid_file.unlink(missing_ok=True)
    return True
