"""Command-line pieces shared by the ``mail2ticket`` command groups."""

from __future__ import annotations

import json
from typing import Any

import typer


def key_values(items: list[str] | None) -> dict[str, Any]:
    """``key=value`` pairs; values parsed as JSON when they can be (numbers, lists, booleans, objects)."""
    result: dict[str, Any] = {}
    for item in items or []:
        key, sep, value = item.partition("=")
        if not sep or not key:
            raise typer.BadParameter(f"{item!r}: expected key=value")
        try:
            result[key] = json.loads(value)
        except json.JSONDecodeError:
            result[key] = value
    return result


__all__ = ["key_values"]
