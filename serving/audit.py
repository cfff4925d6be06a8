"""The audit trail: one JSON line per decision the API answered with 200 (every decision traceable).

A line records who asked (a token fingerprint), when, what was decided (category, confidence,
human review or not), by which model and adapter versions, and how long each step took. The
e-mail text itself is personal data: by default only its SHA-256 is kept (enough to prove
which text was decided on, when the text is produced later), or nothing but its length
(``redact``), or the text (``keep``, for a deployment whose log store is itself protected).
With ``MAIL2TICKET_AUDIT_HASH_KEY`` set, the hash is an HMAC, so short texts cannot be
recovered by hashing guesses.

The line is written before the answer leaves the Gateway: an answered decision is always in
the log. Each line is a single ``write`` on a file opened with ``O_APPEND``, so lines from
several replicas sharing a file do not interleave.
"""

from __future__ import annotations

import contextlib
import hashlib
import hmac
import json
import os
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from serving.settings import AuditEmail

HASH_KEY_ENV = "MAIL2TICKET_AUDIT_HASH_KEY"


class AuditError(OSError):
    """The audit line could not be written: the decision must not be answered."""


def utc_now() -> str:
    return datetime.now(UTC).isoformat(timespec="milliseconds").replace("+00:00", "Z")


class AuditLog:
    """Append-only JSON-lines file."""

    def __init__(self, path: str | Path, email_mode: AuditEmail = "hash", fsync: bool = False) -> None:
        self.path = Path(path)
        self.email_mode = email_mode
        self.fsync = fsync
        key = os.environ.get(HASH_KEY_ENV)
        self._key = key.encode("utf-8") if key else None
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self._fd = os.open(self.path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o640)
        self._lock = threading.Lock()

    def text(self, value: str | None) -> dict[str, Any] | None:
        """How a piece of personal text appears in the log, per ``email_mode``."""
        if value is None:
            return None
        data = value.encode("utf-8", "surrogatepass")
        if self.email_mode == "keep":
            return {"chars": len(value), "text": value}
        if self.email_mode == "redact":
            return {"chars": len(value), "redacted": True}
        if self._key:
            return {"chars": len(value), "hmac_sha256": hmac.new(self._key, data, hashlib.sha256).hexdigest()}
        return {"chars": len(value), "sha256": hashlib.sha256(data).hexdigest()}

    def write(self, record: dict[str, Any]) -> None:
        line = (json.dumps({"time": utc_now(), **record}, ensure_ascii=False, separators=(",", ":")) + "\n").encode(
            "utf-8", "surrogatepass"
        )
        try:
            with self._lock:
                written = os.write(self._fd, line)
                if written != len(line):
                    raise OSError(f"short write to {self.path} ({written}/{len(line)} bytes)")
                if self.fsync:
                    os.fsync(self._fd)
        except OSError as exc:
            raise AuditError(f"cannot write the audit log {self.path}: {exc}") from None

    def close(self) -> None:
        with contextlib.suppress(OSError):
            os.close(self._fd)
