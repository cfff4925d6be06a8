"""Labelled JSON-lines files: every way a file can be wrong is one clear error naming the line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mail2ticket.data.records import DatasetError, read_labelled_jsonl


def write_jsonl(path: Path, rows: list) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def test_bad_data_files(tmp_path: Path) -> None:
    with pytest.raises(DatasetError, match="line 1 has no 'category'"):
        read_labelled_jsonl(write_jsonl(tmp_path / "a.jsonl", [{"email": "x"}]))
    with pytest.raises(DatasetError, match="no 'email' and no 'category'"):
        read_labelled_jsonl(write_jsonl(tmp_path / "b.jsonl", [{"text": "x"}]))
    (tmp_path / "c.jsonl").write_text("not json\n", encoding="utf-8")
    with pytest.raises(DatasetError, match="line 1 is not JSON"):
        read_labelled_jsonl(tmp_path / "c.jsonl")
    (tmp_path / "d.jsonl").write_text("\n", encoding="utf-8")
    with pytest.raises(DatasetError, match="the test set is empty"):
        read_labelled_jsonl(tmp_path / "d.jsonl")
    with pytest.raises(DatasetError, match="no such file"):
        read_labelled_jsonl(tmp_path / "absent.jsonl")
