"""Labelled JSON-lines files (local or ``s3://``), read with an error that names the file and the line.

Training and evaluation read what preparation wrote (``train.jsonl``, ``test.jsonl``) and any
hand-written set in the same format: one JSON object per line. A file that cannot be read, is
not UTF-8, or holds a line that is not a JSON object is refused as a whole, with the line
number, rather than evaluated in part.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from mail2ticket.storage import StorageError, read_bytes


class DatasetError(ValueError):
    """A labelled file that cannot be used; the message names the file, the line and the problem."""


def jsonl_objects(uri: str | Path) -> Iterator[tuple[int, dict[str, Any]]]:
    """``(line number, object)`` for every non-blank line of ``uri``; anything else is a :class:`DatasetError`."""
    try:
        text = read_bytes(str(uri)).decode("utf-8")
    except StorageError as exc:
        raise DatasetError(str(exc)) from None
    except UnicodeDecodeError:
        raise DatasetError(f"{uri}: not UTF-8 text") from None
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
        except json.JSONDecodeError:
            raise DatasetError(f"{uri}: line {number} is not JSON") from None
        if not isinstance(record, dict):
            raise DatasetError(f"{uri}: line {number} is not a JSON object")
        yield number, record


def read_labelled_jsonl(uri: str | Path) -> list[dict[str, Any]]:
    """Records with a non-empty ``email`` and ``category``; anything else is a clear error."""
    records = []
    for number, record in jsonl_objects(uri):
        missing = [k for k in ("email", "category") if not isinstance(record.get(k), str) or not record[k].strip()]
        if missing:
            raise DatasetError(f"{uri}: line {number} has no {' and no '.join(repr(k) for k in missing)}")
        records.append(record)
    if not records:
        raise DatasetError(f"{uri}: no examples (the test set is empty)")
    return records


__all__ = ["DatasetError", "jsonl_objects", "read_labelled_jsonl"]
