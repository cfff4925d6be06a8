"""The report as JSON and PNG (:mod:`mail2ticket.ops.drift.outputs`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mail2ticket.ops.drift import write_outputs
from tests.mail2ticket.ops.drift.samples import SHIFTED, report_of


def test_outputs_are_json_and_png(tmp_path: Path) -> None:
    report = report_of(tmp_path, SHIFTED)
    paths = write_outputs(report, tmp_path / "out")
    written = json.loads(paths["report"].read_text(encoding="utf-8"))
    assert written["drifted"] is True and written["category_psi"] == pytest.approx(report.category_psi)
    assert [c["name"] for c in written["checks"] if c["status"] == "drift"] == ["category_psi", "category_chi2"]
    assert paths["plot"].read_bytes()[:4] == b"\x89PNG"
