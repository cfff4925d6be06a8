"""The checks and the report of a window against the reference (:mod:`mail2ticket.ops.drift.checks`)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from mail2ticket.ops.drift import DriftConfig, EmptyWindowError, psi, run_drift
from tests.mail2ticket.ops.drift.samples import (
    KNOWN,
    SHIFTED,
    T0,
    TRAIN_SHARES,
    report_of,
    write_card,
    write_log,
)


def test_the_training_mix_served_is_no_drift(tmp_path: Path) -> None:
    report = report_of(tmp_path, TRAIN_SHARES)
    assert not report.drifted and report.exit_code == 0
    assert {c.name: c.status for c in report.checks} == {
        "category_psi": "pass", "category_chi2": "pass", "unknown_rate": "pass", "review_rate": "pass",
        "confidence_psi": "pass",
    }  # fmt: skip
    assert report.category_psi < 0.02 and report.confidence.psi < 0.05
    assert report.unknown_rate_reference == pytest.approx(100 / 1100, abs=1e-6)
    assert sum(r.served for r in report.categories) + round(report.unknown_rate * 2000) == 2000
    assert report.categories[0].category == KNOWN[0] and report.categories[0].train_share == pytest.approx(0.5)


def test_a_shifted_mix_is_drift_with_exit_code_1(tmp_path: Path) -> None:
    report = report_of(tmp_path, SHIFTED)
    failed = {c.name for c in report.failed}
    assert failed == {"category_psi", "category_chi2"} and report.exit_code == 1
    served = {r.category: r.served_share for r in report.categories}
    assert served[KNOWN[2]] == pytest.approx(0.6 / 0.9, abs=0.03)
    # The figure is the PSI of the served counts, recomputed here from the rows.
    rows = report.categories
    assert report.category_psi == pytest.approx(psi([r.train for r in rows], [r.served for r in rows]))
    assert "category_psi" in report.summary() and report.metrics()["drifted"] == 1.0


def test_unknown_review_and_confidence_shifts_are_drift(tmp_path: Path) -> None:
    unknown_heavy = {**{c: TRAIN_SHARES[c] * 0.6 / (1 - TRAIN_SHARES["unknown"]) for c in KNOWN}, "unknown": 0.4}
    report = report_of(tmp_path, unknown_heavy, confidence=(0.2, 0.7))
    failed = {c.name for c in report.failed}
    assert {"unknown_rate", "review_rate", "confidence_psi"} <= failed
    assert report.unknown_rate == pytest.approx(0.4, abs=0.04)
    assert report.review_rate > 0.6 > report.review_rate_reference
    assert report.confidence.served_mean < report.confidence.reference_mean - 0.2


def test_checks_without_a_reference_are_skipped_not_passed(tmp_path: Path) -> None:
    report = report_of(tmp_path, TRAIN_SHARES, with_confidences=False, confidence_ks_threshold=0.1)
    status = {c.name: (c.status, c.note) for c in report.checks}
    assert status["review_rate"] == ("skipped", "no reference review rate")
    assert status["confidence_psi"] == ("skipped", "no reference confidences")
    assert status["confidence_ks"][0] == "skipped"
    assert "confidence_psi" not in report.metrics() and not report.drifted


def test_unseen_categories_are_reported_and_drift(tmp_path: Path) -> None:
    shares = {**TRAIN_SHARES, "Demande de service/Jamais vue": 0.2}
    report = report_of(tmp_path, shares)
    assert report.unseen_categories == ["Demande de service/Jamais vue"]
    unseen = next(r for r in report.categories if r.category == "Demande de service/Jamais vue")
    assert unseen.train == 0 and unseen.served > 0 and unseen.psi_term > 0.2
    assert {c.name for c in report.failed} >= {"category_psi", "category_chi2"}


def test_an_empty_window_is_a_clear_error(tmp_path: Path) -> None:
    path = write_log(tmp_path / "audit.jsonl", TRAIN_SHARES, 10)
    card = write_card(tmp_path / "card.json")
    config = DriftConfig(since=T0 + timedelta(days=1), until=T0 + timedelta(days=2))
    with pytest.raises(EmptyWindowError, match=r"no decision in the window .* 10 decisions outside the window"):
        run_drift(path, config, card=card)
