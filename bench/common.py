"""What every benchmark shares: run a measurement in a fresh child process.

A spawned child starts with nothing loaded, so the peak RSS it reports
(``ru_maxrss``) is its own run's, not the parent's or a previous run's.
"""

from __future__ import annotations

import multiprocessing as mp
import resource
from collections.abc import Callable
from typing import Any


def peak_rss_bytes() -> int:
    """Peak resident set size of this process so far (Linux reports KiB)."""
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def in_child(target: Callable[..., None], *args: Any) -> dict:
    """Run ``target(*args, queue)`` in a spawned process and return what it put on the queue."""
    context = mp.get_context("spawn")
    queue = context.Queue()
    process = context.Process(target=target, args=(*args, queue))
    process.start()
    result = queue.get()
    process.join()
    if process.exitcode:
        raise SystemExit(f"{target.__name__} failed with exit code {process.exitcode}")
    return result
