"""Metrics: unmatched predictions count as wrong; the confusion matrix has an UNMAPPED column."""

from __future__ import annotations

from pathlib import Path

import pytest

from mail2ticket.evaluation.metrics import classification_report, plot_confusion_matrix

LABELS = ["A", "B", "C", "unknown"]


def test_paper_metrics_with_unmatched() -> None:
    y_true = ["A", "A", "A", "B", "B", "C"]
    y_pred = ["A", "A", None, "B", "A", "not-a-label"]
    report = classification_report(y_true, y_pred, LABELS, latencies_s=[0.1, 0.2, 0.3, 0.4, 0.5, 0.6])
    assert (report.matched, report.unmatched) == (4, 2)
    assert report.match_rate == pytest.approx(4 / 6)
    assert report.accuracy == pytest.approx(3 / 6)
    per_class = {c.label: c for c in report.per_class}
    assert per_class["A"].precision == pytest.approx(2 / 3) and per_class["A"].recall == pytest.approx(2 / 3)
    assert per_class["B"].f1 == pytest.approx(2 / 3) and per_class["C"].f1 == 0.0
    assert report.macro_f1 == pytest.approx((2 / 3 + 2 / 3 + 0) / 3)
    assert "unknown" not in per_class  # absent from the test set: not averaged in
    assert report.confusion[0] == [2, 0, 0, 0, 1]  # A: 2 right, 1 unmapped
    assert report.confusion[2] == [0, 0, 0, 0, 1]  # C: unmapped
    assert report.latency_ms["p50"] == pytest.approx(350.0)
    assert report.as_metrics()["unmatched"] == 2.0


def test_bad_inputs() -> None:
    with pytest.raises(ValueError, match="no examples"):
        classification_report([], [], LABELS)
    with pytest.raises(ValueError, match="2 true labels but 1 predictions"):
        classification_report(["A", "B"], ["A"], LABELS)


def test_confusion_png(tmp_path: Path) -> None:
    report = classification_report(["A", "B", "C"], ["A", None, "C"], LABELS)
    path = plot_confusion_matrix(report, tmp_path / "cm.png")
    assert path.read_bytes()[:4] == b"\x89PNG"
