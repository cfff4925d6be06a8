"""Progress of the long loops (training steps, evaluated e-mails), readable live wherever it runs.

In a terminal it is a rich progress bar. Anywhere else (a KFP task, whose output ``kfp.local``
reads through a pipe, a CI log, a file) a bar would print nothing until it ends, so a line is
printed instead at most every ``every_s`` seconds and at the end, flushed at once::

    [progress] training: 40/100 steps, loss 0.5312, 7.9 examples/s, 1m52s left

The ``[progress]`` prefix is what ``make demo`` looks for in the pipeline's log to show where
the run stands while it keeps the rest of the log in a file.
"""

from __future__ import annotations

import sys
import time
from typing import Any, TextIO

#: The prefix of a progress line.
MARKER = "[progress]"


def _duration(seconds: float) -> str:
    seconds = max(0, round(seconds))
    if seconds < 60:
        return f"{seconds}s"
    minutes, seconds = divmod(seconds, 60)
    if minutes < 60:
        return f"{minutes}m{seconds:02d}s"
    hours, minutes = divmod(minutes, 60)
    return f"{hours}h{minutes:02d}m"


class Progress:
    """One loop's progress: ``advance`` after each unit of work, ``close`` at the end (or use ``with``).

    Args:
        stage: What runs (``training``, ``evaluating (constrained)``).
        total: How many units in all.
        unit: What a unit is, for the line (``steps``, ``e-mails``).
        items_per_unit: Items a unit processes, for the rate (a training step: its batch).
        item: What the rate counts (``e-mails``; training counts ``examples``, which are
            e-mails for the classifier and history windows for the forecaster).
        every_s: Least time between two plain lines.
        stream: Where plain lines go (default: standard output).
    """

    def __init__(
        self,
        stage: str,
        total: int,
        unit: str = "e-mails",
        items_per_unit: float = 1.0,
        item: str = "e-mails",
        every_s: float = 10.0,
        stream: TextIO | None = None,
    ) -> None:
        self.stage, self.total, self.unit = stage, total, unit
        self.items_per_unit, self.item = items_per_unit, item
        self.every_s = every_s
        self.stream = stream or sys.stdout
        self.done = 0
        self.figures: dict[str, Any] = {}
        self.started = time.monotonic()
        self._last_line = self.started
        self._bar: Any = None
        if self.stream.isatty():
            from rich.progress import BarColumn, Progress, TextColumn, TimeRemainingColumn

            self._bar = Progress(
                TextColumn("{task.description}"), BarColumn(), TextColumn("{task.completed}/{task.total}"),
                TextColumn("{task.fields[figures]}"), TimeRemainingColumn(), transient=False,
            )  # fmt: skip
            self._task = self._bar.add_task(stage, total=total, figures="")
            self._bar.start()

    def advance(self, count: int = 1, **figures: Any) -> None:
        """``count`` more units done; ``figures`` (``loss=0.53``) are shown with the next line."""
        self.done += count
        self.figures.update(figures)
        if self._bar is not None:
            self._bar.update(self._task, advance=count, figures=self._figures())
        elif time.monotonic() - self._last_line >= self.every_s or self.done >= self.total:
            self._print()

    def line(self) -> str:
        """The progress as one line: done/total, figures, items per second, time left."""
        elapsed = time.monotonic() - self.started
        parts = [f"{self.done}/{self.total} {self.unit}"]
        if self.figures:
            parts.append(self._figures())
        if elapsed > 0 and self.done:
            parts.append(f"{self.done * self.items_per_unit / elapsed:.1f} {self.item}/s")
            if self.done < self.total:
                parts.append(f"{_duration(elapsed / self.done * (self.total - self.done))} left")
            else:
                parts.append(f"done in {_duration(elapsed)}")
        return f"{MARKER} {self.stage}: " + ", ".join(parts)

    def _figures(self) -> str:
        return ", ".join(f"{name} {value:.4f}" if isinstance(value, float) else f"{name} {value}"
                         for name, value in self.figures.items())  # fmt: skip

    def _print(self) -> None:
        self._last_line = time.monotonic()
        print(self.line(), file=self.stream, flush=True)

    def close(self) -> None:
        """Stop the bar, or print the last line if the loop ended before its total."""
        if self._bar is not None:
            self._bar.stop()
        elif self.done < self.total:
            self._print()

    def __enter__(self) -> Progress:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


__all__ = ["MARKER", "Progress"]
