"""The drift check's errors: expected failures (bad input, nothing to compare), each a :class:`ValueError`.

The command and the KFP component exit with code 2 on any of them, printing the message.
"""

from __future__ import annotations


class DriftError(ValueError):
    """An expected failure of the drift check (bad input, nothing to compare); the message says what to fix."""


class CardError(DriftError):
    """The dataset card cannot be read or holds no training counts."""


class ReferenceNotFoundError(DriftError):
    """The registry has no such model version, or its runs hold no dataset card."""


class AuditLogError(DriftError):
    """An audit log that does not exist or cannot be read."""


class EmptyWindowError(DriftError):
    """No decision in the window: nothing to compare (a wrong window, or the wrong log)."""


__all__ = [
    "AuditLogError",
    "CardError",
    "DriftError",
    "EmptyWindowError",
    "ReferenceNotFoundError",
]
