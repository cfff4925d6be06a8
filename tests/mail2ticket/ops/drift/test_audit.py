"""Reading the audit log: windows, malformed lines, rotated and gzipped files (:mod:`mail2ticket.ops.drift.audit`)."""

from __future__ import annotations

import gzip
import json
from datetime import timedelta
from pathlib import Path

import numpy as np
import pytest

from mail2ticket.ops.drift import AuditLogError, CardError, DriftError, read_audit
from tests.mail2ticket.ops.drift.samples import KNOWN, T0, TRAIN_SHARES, decision, stamp, write_log


def test_read_audit_counts_malformed_lines_and_keeps_the_window(tmp_path: Path) -> None:
    path = write_log(tmp_path / "audit.jsonl", TRAIN_SHARES, 50)  # T0 .. T0 + 49 min
    good = decision(KNOWN[0], 0.9, False, T0 + timedelta(minutes=10))
    with path.open("a", encoding="utf-8") as handle:
        handle.write('{"time": "2026-03-02T08:10:00.000Z", "event": "decision", "categ\n')  # torn line
        handle.write("[1, 2]\n")  # JSON, not an object
        handle.write("\n")
        handle.write(json.dumps({**good, "category": None}) + "\n")
        handle.write(json.dumps({**good, "confidence": 1.7}) + "\n")
        handle.write(json.dumps({**good, "needs_review": "yes"}) + "\n")
        handle.write(json.dumps({**good, "time": "yesterday"}) + "\n")
        handle.write(json.dumps({"time": stamp(T0), "event": "reload", "changed": True}) + "\n")
        # Another writer's time format (an offset): parsed, in the window.
        handle.write(json.dumps({**good, "time": "2026-03-02T09:20:00+01:00", "confidence": None}) + "\n")
        handle.write(json.dumps({**good, "models": {"classifier": {"mode": {"odd": 1}}}}) + "\n")  # kept
        # The writer's format, outside the window: skipped undecoded (outside, though torn).
        handle.write('{"time":"2026-03-01T00:00:00.000Z","event":"deci\n')
    path.write_bytes(path.read_bytes() + b'{"time": "2026-03-02T08:11:00.000Z", "cat\xc3')  # torn UTF-8, no newline
    window = read_audit(path, T0 + timedelta(minutes=10), T0 + timedelta(minutes=30))
    assert window.decisions == 20 + 2  # minutes 10..29, the line with an offset (08:20 UTC), the odd models
    assert window.malformed == 7 and window.blank == 1 and window.other_events == 1
    assert window.outside_window == 30 + 1 and window.lines == 50 + 12
    assert window.malformed_examples[0] == f"{path}:51"
    assert int(np.isnan(window.confidences).sum()) == 1  # a decision without confidence is kept
    assert window.modes == {"cascade": 21, "unrecorded": 1} and window.versions == {"m2t v3": 21, "unrecorded": 1}
    assert window.first == stamp(T0 + timedelta(minutes=10)) and window.last == stamp(T0 + timedelta(minutes=29))
    whole = read_audit(path)
    assert whole.decisions == 50 + 2 and sum(whole.category_counts.values()) == 52 and whole.malformed == 7 + 1


def test_read_audit_reads_rotated_and_gzipped_files(tmp_path: Path) -> None:
    first = write_log(tmp_path / "audit.jsonl.1", TRAIN_SHARES, 30)
    compressed = tmp_path / "audit.jsonl.1.gz"
    compressed.write_bytes(gzip.compress(first.read_bytes()))
    second = write_log(tmp_path / "audit.jsonl", TRAIN_SHARES, 20, start=T0 + timedelta(hours=1), seed=1)
    window = read_audit([compressed, second])
    assert window.decisions == 50 and window.files == [str(compressed), str(second)]


def test_read_audit_errors_are_value_errors(tmp_path: Path) -> None:
    with pytest.raises(AuditLogError, match="no audit log at"):
        read_audit(tmp_path / "missing.jsonl")
    with pytest.raises(AuditLogError, match="is a directory"):
        read_audit(tmp_path)
    broken = tmp_path / "cut.jsonl.gz"
    broken.write_bytes(gzip.compress(b'{"a": 1}\n' * 1000)[:-20])
    with pytest.raises(AuditLogError, match="cannot read"):
        read_audit(broken)
    assert issubclass(AuditLogError, ValueError) and issubclass(CardError, DriftError)
