"""The result type shared by every alert parser (kept apart so parsers need not import the registry)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class ParsedAlert:
    """A recognised tool notification and the ticket fields it states.

    ``fields`` holds taxonomy field names only, with values copied from the mail (strings
    verbatim, dates as ISO strings); a field the notification does not state is absent.
    """

    parser: str
    category_key: str
    fields: dict[str, Any] = field(default_factory=dict)


#: A parser: the whole e-mail text (possibly a thread) and its subject → an alert, or None.
Parser = Callable[[str, "str | None"], "ParsedAlert | None"]


def compact(fields: dict[str, Any]) -> dict[str, Any]:
    """``fields`` without the ones the mail did not state (None or empty)."""
    return {name: value for name, value in fields.items() if value not in (None, "")}
