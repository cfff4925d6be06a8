"""Forecast scores on small arrays computed by hand."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest

from mail2ticket.ops.baselines import Forecast
from mail2ticket.ops.scores import forecast_scores, naive_scale

ACTUAL = np.array([10.0, 20.0, 30.0, 0.0])
PREDICTED = np.array([12.0, 18.0, 30.0, 0.0])
HISTORY = np.arange(1.0, 10.0)  # seasonal (lag 7) errors: 8-1 = 7, 9-2 = 7


def test_the_studys_figures() -> None:
    scores = forecast_scores(ACTUAL, PREDICTED, HISTORY)
    assert scores["forecast_mean"] == 15.0 and scores["actual_mean"] == 15.0
    assert scores["forecast_median"] == 15.0 and scores["actual_median"] == 15.0
    assert scores["forecast_variance"] == pytest.approx((9 + 9 + 225 + 225) / 4)  # population variance
    assert scores["actual_variance"] == pytest.approx((25 + 25 + 225 + 225) / 4)
    assert scores["forecast_std"] == pytest.approx(math.sqrt(117))
    assert scores["actual_std"] == pytest.approx(math.sqrt(125))
    assert scores["mean_difference"] == 0.0 and scores["variance_difference"] == pytest.approx(8.0)
    assert scores["std_difference"] == pytest.approx(math.sqrt(125) - math.sqrt(117))
    assert scores["mean_abs_error"] == scores["mae"] == 1.0
    assert scores["max_abs_error"] == 2.0 and scores["min_abs_error"] == 0.0


def test_smape_counts_zero_over_zero_as_zero() -> None:
    scores = forecast_scores(ACTUAL, PREDICTED, HISTORY)
    assert scores["smape"] == pytest.approx(100 * (4 / 22 + 4 / 38 + 0 + 0) / 4)
    assert forecast_scores(np.array([0.0, 5.0]), np.array([0.0, 0.0]), HISTORY)["smape"] == pytest.approx(100.0)
    assert forecast_scores(np.array([1.0]), np.array([-1.0]), HISTORY)["smape"] == pytest.approx(200.0)


def test_mase_scales_by_the_in_sample_seasonal_naive() -> None:
    assert naive_scale(HISTORY) == 7.0
    assert forecast_scores(ACTUAL, PREDICTED, HISTORY)["mase"] == pytest.approx(1 / 7)
    assert forecast_scores(ACTUAL, PREDICTED, HISTORY, season=2)["mase"] == pytest.approx(1 / 2)


def test_mase_falls_back_to_lag_one_then_nan() -> None:
    weekly = np.tile([1.0, 3.0, 1.0, 3.0, 1.0, 3.0, 1.0], 3)  # repeats every 7 days exactly
    assert naive_scale(weekly) == pytest.approx(36 / 20)  # 18 of the 20 day-to-day steps are 2
    assert forecast_scores(ACTUAL, PREDICTED, weekly)["mase"] == pytest.approx(20 / 36)
    assert naive_scale(np.array([4.0, 5.0])) == 1.0  # shorter than a season: lag 1
    assert math.isnan(forecast_scores(ACTUAL, PREDICTED, np.full(20, 3.0))["mase"])


def test_coverage_and_width_only_with_an_interval() -> None:
    forecast = Forecast(
        "hand", pd.date_range("2025-01-01", periods=4), PREDICTED,
        lower=np.array([11.0, 15.0, 25.0, -1.0]), upper=np.array([13.0, 21.0, 35.0, 1.0]), level=0.9,
    )  # fmt: skip
    scores = forecast_scores(ACTUAL, forecast, HISTORY)
    assert scores["coverage"] == 0.75  # 10 is below [11, 13]
    assert scores["interval_width"] == pytest.approx((2 + 6 + 10 + 2) / 4)
    assert scores["mae"] == 1.0
    assert "coverage" not in forecast_scores(ACTUAL, PREDICTED, HISTORY)


def test_keys_are_snake_case_floats() -> None:
    scores = forecast_scores(ACTUAL, PREDICTED, HISTORY)
    assert all(key == key.lower() and " " not in key for key in scores)
    assert all(isinstance(value, float) for value in scores.values())


def test_mismatched_or_empty_inputs_are_refused() -> None:
    with pytest.raises(ValueError, match="same length"):
        forecast_scores(ACTUAL, PREDICTED[:3], HISTORY)
    with pytest.raises(ValueError, match="empty"):
        forecast_scores(np.array([]), np.array([]), HISTORY)
    with pytest.raises(ValueError, match="finite"):
        forecast_scores(np.array([np.nan]), np.array([1.0]), HISTORY)
