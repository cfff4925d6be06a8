"""PSI and chi-square (:mod:`mail2ticket.ops.drift.statistics`)."""

from __future__ import annotations

import math

import pytest
from scipy.stats import chisquare

from mail2ticket.ops.drift import chi_square, psi
from tests.mail2ticket.ops.drift.samples import KNOWN, TRAIN


def test_psi_of_identical_distributions_is_zero() -> None:
    assert psi([500, 300, 200], [0.5, 0.3, 0.2]) == pytest.approx(0.0, abs=1e-12)
    assert psi([5, 3, 2], [50, 30, 20]) == pytest.approx(0.0, abs=1e-12)  # counts or shares


def test_psi_matches_its_formula_and_floors_empty_bins() -> None:
    expected = 0.4 * math.log(0.9 / 0.5) + (-0.4) * math.log(0.1 / 0.5)
    assert psi([0.5, 0.5], [0.9, 0.1]) == pytest.approx(expected)
    # A bin empty in the reference: its share is raised to epsilon, the PSI is finite and large.
    value = psi([1.0, 0.0], [0.99, 0.01], epsilon=1e-4)
    floor = (0.99 - 1.0) * math.log(0.99) + (0.01 - 1e-4) * math.log(0.01 / 1e-4)
    assert value == pytest.approx(floor) and value > 0.04
    assert math.isfinite(psi([1.0, 0.0], [0.0, 1.0]))


def test_a_shifted_mix_passes_the_usual_threshold_and_a_small_one_does_not() -> None:
    train = [TRAIN[c] for c in KNOWN]
    assert psi(train, [0.52, 0.29, 0.19]) < 0.1
    assert psi(train, [0.15 / 0.9, 0.15 / 0.9, 0.6 / 0.9]) > 0.2


def test_chi_square_is_scipy_on_expected_counts() -> None:
    observed = [60, 25, 15]
    statistic, p_value, dof = chi_square(observed, [0.5, 0.3, 0.2])
    reference = chisquare(observed, [50, 30, 20])
    assert (statistic, p_value, dof) == (pytest.approx(reference.statistic), pytest.approx(reference.pvalue), 2)
    assert chi_square([50, 30, 20], [5, 3, 2])[1] == pytest.approx(1.0)
    assert chi_square([10], [1.0]) == (0.0, 1.0, 0)  # one bin: no test
    # A served category absent from the reference: an enormous statistic, no division by zero.
    assert chi_square([50, 30, 20], [0.6, 0.4, 0.0])[1] < 1e-12
