"""Calibration: the temperature, per-category review thresholds, the automation they give, the cascade's threshold."""

from __future__ import annotations

import math
import random

import pytest

from mail2ticket.calibration import (
    ALWAYS_REVIEW,
    Answers,
    Calibration,
    apply_temperature,
    automation,
    calibrate,
    cascade_threshold,
    fit_temperature,
    review_thresholds,
)
from mail2ticket.taxonomy import UNKNOWN, load_taxonomy

A, B = "Incidents/Supervision", "Demande de service/Backup #BCS/Restauration qualifiée"


def test_temperature_keeps_the_ranking_and_undoes_overconfidence() -> None:
    row = {A: 0.9, B: 0.08, UNKNOWN: 0.02}
    softer = apply_temperature(row, 2.0)
    assert max(softer, key=softer.get) == A and softer[A] < 0.9 and math.isclose(sum(softer.values()), 1.0)
    rng = random.Random(0)
    rows, truths = [], []
    for _ in range(400):  # always 0.99 sure, right 70 % of the time: over-confident
        truth = rng.choice([A, B])
        predicted = truth if rng.random() < 0.7 else (B if truth == A else A)
        rows.append({predicted: 0.99, (B if predicted == A else A): 0.01})
        truths.append(truth)
    temperature = fit_temperature(rows, truths)
    assert temperature > 2.0  # the fitted confidence of the answer comes down near 0.7
    assert 0.6 < max(apply_temperature(rows[0], temperature).values()) < 0.8


def test_thresholds_reach_the_target_precision_per_category() -> None:
    answers = Answers()
    for confidence, right in [(0.95, True)] * 10 + [(0.7, True)] * 5 + [(0.6, False)] * 5:
        answers.predicted.append(A)
        answers.confidence.append(confidence)
        answers.truth.append(A if right else B)
    thresholds = review_thresholds(answers, 0.95, [A, B, UNKNOWN])
    assert thresholds[A] == 0.7  # 15 right of 15 at or above 0.7; adding the 0.6 ones falls to 75 %
    assert thresholds[B] == 0.7  # no answers of its own: the pooled threshold
    assert UNKNOWN not in thresholds
    rate, precision = automation(answers, lambda label: thresholds.get(label, ALWAYS_REVIEW))
    assert rate == pytest.approx(15 / 20) and precision == 1.0


def test_a_category_that_never_reaches_the_target_is_always_reviewed() -> None:
    answers = Answers([A] * 10, [0.99] * 10, [B] * 10)
    assert review_thresholds(answers, 0.95, [A])[A] == ALWAYS_REVIEW


def test_calibrate_round_trips_through_the_adapter_metadata() -> None:
    rows = [{A: 0.8, B: 0.2}] * 20 + [{A: 0.3, B: 0.7}] * 20
    truths = [A] * 20 + [B] * 20
    calibration = calibrate(rows, truths, load_taxonomy().labels_with_unknown, 0.95)
    assert calibration.validation_examples == 40 and calibration.validation_accepted_precision == 1.0
    assert Calibration.from_dict(calibration.to_dict()) == calibration
    assert calibration.threshold(UNKNOWN) == ALWAYS_REVIEW
    with pytest.raises(ValueError, match="target precision"):
        calibrate(rows, truths, [A, B], 1.5)


def test_cascade_threshold_maximises_accuracy_and_prefers_the_classical_model_on_ties() -> None:
    classical = [{A: 0.95, B: 0.05}, {A: 0.9, B: 0.1}, {A: 0.55, B: 0.45}, {A: 0.52, B: 0.48}]
    llm = [{A: 0.2, B: 0.8}, {A: 0.1, B: 0.9}, {A: 0.1, B: 0.9}, {A: 0.1, B: 0.9}]
    truths = [A, A, B, B]  # the classical model right down to 0.9, the LLM right below it
    assert cascade_threshold(classical, llm, truths) == 0.9
    # Both right everywhere: every threshold ties, and the LLM is not asked for what it does no better.
    assert cascade_threshold(classical, [{A: 0.9, B: 0.1}] * 4, [A] * 4) == 0.0
