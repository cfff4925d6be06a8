"""The two baselines: forecasts, intervals that cover what they claim, fallbacks, counts never negative."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest

from mail2ticket.ops.baselines import BASELINES, Forecast, exponential_smoothing, seasonal_naive
from mail2ticket.ops.scores import forecast_scores

WEEK = np.array([5.0, 3.0, 2.0, 2.0, 0.0, -8.0, -10.0])


def clean_series(days: int = 420, seed: int = 0, noise: float = 2.0) -> pd.Series:
    """A level with a slow yearly swing, a weekly pattern and white noise: no anomaly."""
    rng = np.random.default_rng(seed)
    t = np.arange(days)
    values = 100 + 10 * np.sin(2 * np.pi * t / 365) + WEEK[t % 7] + rng.normal(0, noise, days)
    return pd.Series(values, index=pd.date_range("2024-01-01", periods=days), name="clean")


def rolling_scores(series: pd.Series, model: str, windows: int = 6, horizon: int = 28) -> pd.DataFrame:
    rows = []
    for window in range(windows):
        end = len(series) - window * horizon
        history, actual = series.iloc[: end - horizon], series.iloc[end - horizon : end]
        forecast = BASELINES[model](history, horizon, level=0.9)
        rows.append(forecast_scores(actual.to_numpy(), forecast, history.to_numpy()))
    return pd.DataFrame(rows)


def test_seasonal_naive_repeats_last_week() -> None:
    history = pd.Series(np.tile(np.arange(7.0), 6), index=pd.date_range("2025-01-06", periods=42))
    forecast = seasonal_naive(history, 10)
    assert isinstance(forecast, Forecast) and forecast.model == "seasonal_naive" and forecast.level == 0.9
    assert forecast.mean.tolist() == [0, 1, 2, 3, 4, 5, 6, 0, 1, 2]
    assert forecast.dates[0] == pd.Timestamp("2025-02-17") and len(forecast.dates) == 10
    assert np.array_equal(forecast.lower, forecast.mean) and np.array_equal(forecast.upper, forecast.mean)
    frame = forecast.to_frame()
    assert list(frame.columns) == ["timestamp", "model", "mean", "lower", "upper"] and len(frame) == 10


def test_seasonal_naive_interval_widens_with_the_lead() -> None:
    forecast = seasonal_naive(clean_series(), 28)
    width = forecast.upper - forecast.lower
    assert (width > 0).all() and width[21:].mean() > width[:7].mean()


def test_seasonal_naive_on_a_history_shorter_than_a_season_is_naive() -> None:
    forecast = seasonal_naive(pd.Series([3.0, 5.0, 4.0], index=pd.date_range("2025-01-01", periods=3)), 4)
    assert forecast.mean.tolist() == [4.0] * 4 and "naive" in forecast.spec


@pytest.mark.parametrize("model", sorted(BASELINES))
def test_intervals_cover_about_their_level(model: str) -> None:
    coverage = pd.concat([rolling_scores(clean_series(seed=seed), model) for seed in range(3)])["coverage"].mean()
    assert 0.8 <= coverage <= 0.98, coverage


def test_exponential_smoothing_beats_seasonal_naive_on_a_clean_seasonal_series() -> None:
    series = clean_series(noise=3.0)
    ets = rolling_scores(series, "exponential_smoothing")["mase"].mean()
    naive = rolling_scores(series, "seasonal_naive")["mase"].mean()
    assert ets < 1.0 and ets < naive, (ets, naive)


def test_exponential_smoothing_fits_the_damped_seasonal_model() -> None:
    forecast = exponential_smoothing(clean_series(), 14, level=0.8)
    assert forecast.model == "exponential_smoothing" and forecast.spec == "ETS(A,Ad,A)"
    assert forecast.level == 0.8 and (forecast.lower < forecast.mean).all() and (forecast.mean < forecast.upper).all()


def test_short_histories_fall_back_to_simpler_models() -> None:
    short = clean_series(days=20)
    assert exponential_smoothing(short, 7).spec == "ETS(A,N,N)"
    assert exponential_smoothing(clean_series(days=26), 7).spec == "ETS(A,N,A)"
    tiny = exponential_smoothing(clean_series(days=6), 7)
    assert tiny.model == "exponential_smoothing" and "naive" in tiny.spec
    assert any("seasonal naive instead" in note for note in tiny.warnings)


def test_convergence_warnings_are_recorded_not_printed() -> None:
    constant = pd.Series(5.0, index=pd.date_range("2025-01-01", periods=60))
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        forecast = exponential_smoothing(constant, 7)
    assert any("ConvergenceWarning" in note for note in forecast.warnings)
    assert np.allclose(forecast.mean, 5.0)


@pytest.mark.parametrize("model", sorted(BASELINES))
def test_counts_are_never_negative(model: str) -> None:
    rng = np.random.default_rng(3)
    counts = pd.Series(rng.poisson(0.4, 120).astype(float), index=pd.date_range("2025-01-01", periods=120))
    forecast = BASELINES[model](counts, 28)
    assert (forecast.lower >= 0).all() and (forecast.mean >= 0).all()
    signed = counts - 5.0  # not counts: free to go negative
    assert (BASELINES[model](signed, 28).lower < 0).any()


@pytest.mark.parametrize(
    ("history", "horizon", "level", "message"),
    [
        (pd.Series([1.0, 2.0], index=pd.to_datetime(["2025-01-01", "2025-01-03"])), 3, 0.9, "consecutive day"),
        (pd.Series([1.0, np.nan], index=pd.date_range("2025-01-01", periods=2)), 3, 0.9, "missing"),
        (pd.Series([1.0, 2.0]), 3, 0.9, "DatetimeIndex"),
        (pd.Series([1.0], index=pd.date_range("2025-01-01", periods=1)), 0, 0.9, "horizon"),
        (pd.Series([1.0], index=pd.date_range("2025-01-01", periods=1)), 3, 1.0, "level"),
        (pd.Series([], dtype=float, index=pd.DatetimeIndex([])), 3, 0.9, "empty history"),
    ],
)
def test_bad_histories_are_refused(history: pd.Series, horizon: int, level: float, message: str) -> None:
    for baseline in BASELINES.values():
        with pytest.raises(ValueError, match=message):
            baseline(history, horizon, level=level)
