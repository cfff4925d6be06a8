"""Reading the audit log: the decisions of a window, and an account of every line read.

Local files (``.gz`` ones decompressed) are read line by line; ``s3://`` logs are downloaded
first (:func:`_local_logs`). A line that is not a well-formed decision is counted and skipped,
never fatal.
"""

from __future__ import annotations

import gzip
import json
import tempfile
from collections import Counter
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import IO, Any

import numpy as np

from mail2ticket.ops.drift.config import as_utc
from mail2ticket.ops.drift.errors import AuditLogError

#: How every line of the audit writer starts (``serving.audit.AuditLog``: compact JSON, the time first).
WRITER_PREFIX = b'{"time":"'
#: How many malformed lines the report names (file and line number).
MALFORMED_EXAMPLES = 10


@dataclass
class AuditWindow:
    """The decisions of one window of the audit log, and an account of every line read."""

    category_counts: Counter[str]
    confidences: np.ndarray
    """One per decision; NaN where the decision recorded none."""
    needs_review: np.ndarray
    files: list[str]
    lines: int = 0
    """Lines read, blank ones included."""
    blank: int = 0
    malformed: int = 0
    """Lines that are not JSON, or decisions without a usable category, confidence, review flag or time."""
    malformed_examples: list[str] = field(default_factory=list)
    other_events: int = 0
    """Well-formed lines that are not decisions (``reload``)."""
    outside_window: int = 0
    modes: Counter[str] = field(default_factory=Counter)
    """Classifier kind per decision (``models.classifier.mode``: llm, cascade, classical)."""
    versions: Counter[str] = field(default_factory=Counter)
    """Classifier per decision: ``NAME vVERSION``, or how it was served (``base``, ``pinned``)."""
    endpoints: Counter[str] = field(default_factory=Counter)
    first: str | None = None
    last: str | None = None

    @property
    def decisions(self) -> int:
        return int(self.needs_review.size)

    def account(self) -> dict[str, Any]:
        return {
            "files": self.files, "lines": self.lines, "decisions": self.decisions, "blank": self.blank,
            "malformed": self.malformed, "malformed_examples": self.malformed_examples,
            "other_events": self.other_events, "outside_window": self.outside_window,
            "first_decision": self.first, "last_decision": self.last,
        }  # fmt: skip


def _time_key(value: datetime) -> str:
    """The audit log's own time format (``2025-03-01T08:00:00.000Z``): strings in it sort as times."""
    return as_utc(value).strftime("%Y-%m-%dT%H:%M:%S.%f")[:-3] + "Z"


@contextmanager
def _open_lines(path: Path) -> Iterator[IO[bytes]]:
    try:
        handle: IO[bytes] = gzip.open(path, "rb") if path.suffix == ".gz" else open(path, "rb")  # noqa: SIM115
    except FileNotFoundError:
        raise AuditLogError(f"no audit log at {path}") from None
    except IsADirectoryError:
        raise AuditLogError(f"{path} is a directory, not an audit log") from None
    except OSError as exc:
        raise AuditLogError(f"cannot read the audit log {path}: {exc.strerror or exc}") from None
    with handle:
        try:
            yield handle
        except (OSError, EOFError) as exc:  # a truncated or corrupt .gz, a read error
            raise AuditLogError(f"cannot read the audit log {path}: {exc}") from None


def read_audit(
    path: str | Path | Sequence[str | Path], since: datetime | None = None, until: datetime | None = None
) -> AuditWindow:
    """The decisions of the audit log(s) ``path`` with ``since <= time < until`` (either bound optional).

    Files are read line by line (``.gz`` ones decompressed); lines that are not well-formed
    decisions are counted (``malformed``, the first few named) and skipped. A line the audit
    writer wrote (``{"time":"…Z",`` first) whose time is outside the window is counted in
    ``outside_window`` without being decoded: a long log costs little beyond its window.
    """
    paths = [Path(p) for p in ([path] if isinstance(path, str | Path) else path)]
    if not paths:
        raise AuditLogError("no audit log given")
    low = _time_key(since) if since else None
    high = _time_key(until) if until else None
    low_b, high_b = (low.encode() if low else None), (high.encode() if high else None)
    bounded = low is not None or high is not None
    low_dt, high_dt = (as_utc(since) if since else None), (as_utc(until) if until else None)
    counts: Counter[str] = Counter()
    confidences: list[float] = []
    review: list[bool] = []
    window = AuditWindow(counts, np.empty(0), np.empty(0, dtype=bool), [str(p) for p in paths])
    modes, versions, endpoints = window.modes, window.versions, window.endpoints
    loads, nan = json.loads, float("nan")
    first = last = None
    lines = blank = malformed = other = outside = 0
    examples = window.malformed_examples

    for file in paths:
        with _open_lines(file) as handle:
            for number, raw in enumerate(handle, 1):
                lines += 1
                # The writer's lines open with their time: one outside the window is skipped undecoded.
                if bounded and raw.startswith(WRITER_PREFIX) and raw[32:34] == b'Z"':
                    key = raw[9:33]
                    if (low_b is not None and key < low_b) or (high_b is not None and key >= high_b):
                        outside += 1
                        continue
                try:
                    record = loads(raw)
                except ValueError:  # JSONDecodeError, and UnicodeDecodeError of a torn multi-byte character
                    if raw.strip():
                        malformed += 1
                        if len(examples) < MALFORMED_EXAMPLES:
                            examples.append(f"{file}:{number}")
                    else:
                        blank += 1
                    continue
                if type(record) is not dict:
                    malformed += 1
                    if len(examples) < MALFORMED_EXAMPLES:
                        examples.append(f"{file}:{number}")
                    continue
                if record.get("event") != "decision":
                    other += 1
                    continue
                stamp = record.get("time")
                category = record.get("category")
                confidence = record.get("confidence")
                flag = record.get("needs_review")
                if (
                    type(stamp) is not str
                    or type(category) is not str
                    or not category
                    or type(flag) is not bool
                    or not (confidence is None or (type(confidence) in (float, int) and 0 <= confidence <= 1))
                ):
                    malformed += 1
                    if len(examples) < MALFORMED_EXAMPLES:
                        examples.append(f"{file}:{number}")
                    continue
                if (
                    len(stamp) == 24 and stamp[-1] == "Z" and stamp[10] == "T"
                ):  # the writer's format: compare as strings
                    if (low is not None and stamp < low) or (high is not None and stamp >= high):
                        outside += 1
                        continue
                else:
                    try:
                        moment = as_utc(datetime.fromisoformat(stamp))
                    except ValueError:
                        malformed += 1
                        if len(examples) < MALFORMED_EXAMPLES:
                            examples.append(f"{file}:{number}")
                        continue
                    if (low_dt is not None and moment < low_dt) or (high_dt is not None and moment >= high_dt):
                        outside += 1
                        continue
                    stamp = _time_key(moment)  # first and last compare in the writer's format
                counts[category] += 1
                confidences.append(nan if confidence is None else float(confidence))
                review.append(flag)
                models = record.get("models")
                classifier = models.get("classifier") if type(models) is dict else None
                if type(classifier) is dict:
                    mode = classifier.get("mode")
                    modes[mode if type(mode) is str else "unrecorded"] += 1
                    version = classifier.get("version")
                    versions[
                        f"{classifier.get('registered_model')} v{version}"
                        if version
                        else str(classifier.get("serving") or "unrecorded")
                    ] += 1
                endpoints[str(record.get("endpoint"))] += 1
                if first is None or stamp < first:
                    first = stamp
                if last is None or stamp > last:
                    last = stamp

    window.confidences = np.array(confidences, dtype=float)
    window.needs_review = np.array(review, dtype=bool)
    window.lines, window.blank, window.malformed = lines, blank, malformed
    window.other_events, window.outside_window = other, outside
    window.first, window.last = first, last
    return window


@contextmanager
def _local_logs(paths: Sequence[str | Path]) -> Iterator[list[Path]]:
    """Local copies of the ``s3://`` logs (deleted afterwards); local paths as they are."""
    from mail2ticket.storage import StorageError, download, is_s3, local_path

    with tempfile.TemporaryDirectory(prefix="mail2ticket-audit-") as scratch:
        local: list[Path] = []
        for index, path in enumerate(paths):
            if is_s3(path):
                name = str(path).rstrip("/").rsplit("/", 1)[-1] or "audit.jsonl"
                try:
                    local.append(download(path, Path(scratch) / f"{index}-{name}"))
                except StorageError as exc:
                    raise AuditLogError(str(exc)) from None
            else:
                local.append(local_path(path))
        yield local


__all__ = [
    "MALFORMED_EXAMPLES",
    "WRITER_PREFIX",
    "AuditWindow",
    "read_audit",
]
