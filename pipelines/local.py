"""Run components and pipelines on this machine with ``kfp.local``, with their log in a file.

``SubprocessRunner(use_venv=False)`` runs each task as a subprocess of the current Python, so
tasks use the packages already installed (offline; nothing is pip-installed at run time).

``kfp.local`` prints every task's whole output, executor JSON included (hundreds of lines per
run). :func:`logged_to` sends all of it to a file and hands the caller, as they come, only the
lines that say where the run stands: a task starting or ending, and the ``[progress]`` lines of
training and evaluation (:mod:`mail2ticket.progress`).
"""

from __future__ import annotations

import os
import re
import threading
import warnings
from collections.abc import Callable, Iterator
from contextlib import contextmanager, redirect_stderr, redirect_stdout
from pathlib import Path

from kfp import local

from mail2ticket.progress import MARKER

# The runner warns that a custom base image is ignored: locally that is the point.
warnings.filterwarnings(
    "ignore", message="You may be attemping to run a task that uses custom", category=RuntimeWarning
)

_ANSI = re.compile(r"\x1b\[[0-9;]*m")
_TASK_STARTS = re.compile(r"Executing task '?([\w-]+)'?")
_TASK_ENDS = re.compile(r"Task '?([\w-]+)'? finished with status (\w+)")


def init_local(pipeline_root: str | Path) -> Path:
    """Point ``kfp.local`` at ``pipeline_root`` (where task outputs are written)."""
    root = Path(pipeline_root).resolve()
    root.mkdir(parents=True, exist_ok=True)
    local.init(runner=local.SubprocessRunner(use_venv=False), pipeline_root=str(root), raise_on_error=True)
    return root


def status_line(line: str) -> str | None:
    """What a line of the run's log says about where the run stands, or None for everything else."""
    text = _ANSI.sub("", line).strip()
    if MARKER in text:
        return text[text.index(MARKER) + len(MARKER) :].strip()
    if ended := _TASK_ENDS.search(text):
        return f"task {ended.group(1)}: {ended.group(2).lower()}"
    if started := _TASK_STARTS.search(text):
        return f"task {started.group(1)}: started"
    return None


@contextmanager
def logged_to(path: Path, on_status: Callable[[str], None], poll_s: float = 0.5) -> Iterator[None]:
    """Inside the block, everything printed (this process and its task subprocesses) goes to ``path``.

    Task subprocesses run unbuffered, so their lines reach the file as they are written; a
    thread follows the file and calls ``on_status`` with each :func:`status_line`.
    """
    path.parent.mkdir(parents=True, exist_ok=True)
    previous = os.environ.get("PYTHONUNBUFFERED")
    os.environ["PYTHONUNBUFFERED"] = "1"  # inherited by the task subprocesses
    stop = threading.Event()

    def follow() -> None:
        with path.open(encoding="utf-8", errors="replace") as reader:
            while True:
                line = reader.readline()
                if line:
                    status = status_line(line)
                    if status:
                        on_status(status)
                elif stop.is_set():
                    return
                else:
                    stop.wait(poll_s)

    try:
        with path.open("w", encoding="utf-8", buffering=1) as log, redirect_stdout(log), redirect_stderr(log):
            follower = threading.Thread(target=follow, name="pipeline-log", daemon=True)
            follower.start()
            try:
                yield
            finally:
                log.flush()
                stop.set()
                follower.join()
    finally:
        if previous is None:
            os.environ.pop("PYTHONUNBUFFERED", None)
        else:
            os.environ["PYTHONUNBUFFERED"] = previous


__all__ = ["init_local", "logged_to", "status_line"]
