"""The review app as a local child process (``mail2ticket review serve``), started and stopped by PID.

``make demo`` leaves it running after the demo, like the MLflow server, so the demo's review
items can be decided in a browser; its PID is written under ``root`` so the next demo (or
``python -m pipelines.demo --stop``) stops it. The benchmarks start it the same way.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from dataclasses import dataclass, field
from pathlib import Path

from mail2ticket.testing import free_port, stop_process_group
from mail2ticket.testing.processes import spawn_logged, wait_until_ok


@dataclass
class LocalReviewApp:
    """A ``mail2ticket review serve`` child process whose PID file and log live under ``root``.

    Attributes:
        root: Folder of the PID file and the log.
        database_url: The review queue's SQLAlchemy URL.
        env: Extra environment of the app (its tokens: ``MAIL2TICKET_REVIEWER_TOKENS``...).
        port: Port on 127.0.0.1 (0: a free one).
        startup_timeout_s: How long the app may take to answer ``/readyz``.
    """

    root: Path
    database_url: str
    env: dict[str, str] = field(default_factory=dict)
    port: int = 0
    startup_timeout_s: float = 60.0
    process: subprocess.Popen | None = field(default=None, init=False, repr=False)

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}"

    @property
    def pid_file(self) -> Path:
        return self.root / "server.pid"

    @property
    def log_file(self) -> Path:
        return self.root / "review-app.log"

    def start(self) -> str:
        """Start the app (it migrates the database first) and wait until it is ready; returns its URL."""
        self.root.mkdir(parents=True, exist_ok=True)
        self.port = self.port or free_port()
        executable = shutil.which("mail2ticket", path=str(Path(sys.executable).parent)) or "mail2ticket"
        env = {**os.environ, **self.env, "MAIL2TICKET_REVIEW_DATABASE_URL": self.database_url}
        self.process = spawn_logged(
            [executable, "review", "serve", "--host", "127.0.0.1", "--port", str(self.port)], self.log_file, env
        )
        self.pid_file.write_text(str(self.process.pid), encoding="utf-8")
        try:
            wait_until_ok(f"{self.url}/readyz", self.process, self.startup_timeout_s, self.log_file, "the review app")
        except BaseException:
            self.stop()
            raise
        return self.url

    def stop(self) -> None:
        """Stop the app (its whole process group) and forget its PID."""
        if self.process is not None and self.process.poll() is None:
            stop_process_group(self.process.pid)
            self.process.wait()
        self.pid_file.unlink(missing_ok=True)
