"""Child servers started in their own process group, their output in a log file, waited for over HTTP.

What the local MLflow server and the review app share: each is a command whose whole process
group is stopped later by PID, and each is ready when one URL answers 200. A child that exits
while we wait fails at once with the end of its log, rather than after the whole timeout.
"""

from __future__ import annotations

import subprocess
import time
import urllib.request
from collections.abc import Mapping, Sequence
from pathlib import Path


def spawn_logged(command: Sequence[str], log_path: Path, env: Mapping[str, str]) -> subprocess.Popen:
    """Start ``command`` in a new session (its own process group), stdout and stderr to ``log_path``."""
    with log_path.open("w") as log:
        return subprocess.Popen(list(command), stdout=log, stderr=log, env=dict(env), start_new_session=True)


def log_tail(log_path: Path, chars: int = 2000) -> str:
    """The end of a child's log, for an error message."""
    return log_path.read_text(encoding="utf-8", errors="replace")[-chars:] if log_path.is_file() else ""


def wait_until_ok(url: str, process: subprocess.Popen, timeout_s: float, log_path: Path, what: str) -> None:
    """Wait until ``url`` answers 200; fail early with the log's end if ``process`` exits meanwhile."""
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"{what} exited with code {process.returncode}:\n{log_tail(log_path)}")
        try:
            with urllib.request.urlopen(url, timeout=2) as response:
                if response.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.2)
    raise TimeoutError(f"{what} is not ready on {url} after {timeout_s:.0f}s")
