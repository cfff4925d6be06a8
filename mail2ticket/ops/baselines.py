"""The forecasts any other model must beat: seasonal naive and exponential smoothing.

The study behind the forecasting pipeline compared LLMs fine-tuned on daily series with
exponential smoothing, which matched or beat them. So the pipeline keeps both classical
baselines: :func:`seasonal_naive` (next week repeats last week; the yardstick of MASE) and
:func:`exponential_smoothing` (statsmodels' ETS: additive error, damped additive trend,
additive weekly season). Both give a prediction interval at ``level``, used as the anomaly
band by :mod:`mail2ticket.ops.anomalies`. Forecasts of a non-negative history (ticket counts)
are clipped at 0.
"""

from __future__ import annotations

import logging
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

logger = logging.getLogger(__name__)

#: Fewest in-sample errors at a lead time for their empirical quantiles to make an interval.
MIN_RESIDUALS = 10


@dataclass(frozen=True)
class Forecast:
    """A point forecast with its prediction interval, one value per forecast day.

    ``model``: the baseline's name (a key of :data:`BASELINES`, or another model's name);
    ``dates``: the forecast days, the day after the history's last one onwards;
    ``mean``: the point forecast; ``lower``/``upper``: the prediction interval's bounds;
    ``level``: the interval's nominal coverage (0.9: nine actual days in ten inside);
    ``spec``: the model actually fitted (e.g. ``ETS(A,Ad,A)``, or a fallback);
    ``warnings``: what the fit warned about (convergence...), recorded rather than printed.
    """

    model: str
    dates: pd.DatetimeIndex
    mean: np.ndarray
    lower: np.ndarray
    upper: np.ndarray
    level: float
    spec: str = ""
    warnings: tuple[str, ...] = field(default_factory=tuple)

    def __post_init__(self) -> None:
        lengths = {len(self.dates), len(self.mean), len(self.lower), len(self.upper)}
        if len(lengths) != 1:
            raise ValueError(f"forecast {self.model}: dates, mean, lower and upper differ in length")

    @property
    def horizon(self) -> int:
        return len(self.dates)

    def to_frame(self) -> pd.DataFrame:
        """``timestamp, model, mean, lower, upper``: one row per forecast day."""
        return pd.DataFrame(
            {"timestamp": self.dates, "model": self.model, "mean": self.mean, "lower": self.lower, "upper": self.upper}
        )


def _check(history: pd.Series, horizon: int, level: float) -> np.ndarray:
    """The history's values, once it is a gap-free daily series without missing values."""
    if horizon < 1:
        raise ValueError(f"horizon must be at least 1 day, got {horizon}")
    if not 0.0 < level < 1.0:
        raise ValueError(f"level must be between 0 and 1 (exclusive), got {level}")
    if len(history) == 0:
        raise ValueError("empty history: nothing to forecast from")
    if not isinstance(history.index, pd.DatetimeIndex):
        raise ValueError("the history must be indexed by days (a DatetimeIndex)")
    steps = np.diff(history.index.to_numpy()).astype("timedelta64[s]").astype(np.int64)
    if len(steps) and (steps != 86_400).any():
        raise ValueError("the history must have one value per consecutive day; regularize it first")
    values = history.to_numpy(dtype=float)
    if not np.isfinite(values).all():
        raise ValueError("the history has missing or infinite values; regularize it first")
    return values


def _dates(history: pd.Series, horizon: int) -> pd.DatetimeIndex:
    return pd.date_range(history.index[-1] + pd.Timedelta(days=1), periods=horizon, freq="D")


def _clip(values: np.ndarray, history: np.ndarray, *arrays: np.ndarray) -> tuple[np.ndarray, ...]:
    """Counts are never negative: clip at 0 when the history is."""
    if (history >= 0).all():
        return tuple(np.clip(a, 0.0, None) for a in (values, *arrays))
    return (values, *arrays)


def seasonal_naive(history: pd.Series, horizon: int, season: int = 7, level: float = 0.9) -> Forecast:
    """Each day repeats the same day of the last season (with ``season=7``: last week).

    The interval is empirical: at a lead of k seasons, the quantiles of the in-sample errors
    the method makes k seasons ahead (``y[t] - y[t - k * season]``), added to the forecast. When
    fewer than :data:`MIN_RESIDUALS` such errors exist, one-season errors widened by ``sqrt(k)``
    stand in. A history shorter than a season and a day falls back to the last value (naive).
    """
    values = _check(history, horizon, level)
    n = len(values)
    period = season if n > season else 1
    steps = np.arange(horizon)
    mean = values[n - period + steps % period]
    leads = steps // period + 1
    alpha = 1.0 - level
    lower, upper = np.empty(horizon), np.empty(horizon)
    notes: list[str] = []
    one_season = values[period:] - values[:-period]
    for lead in np.unique(leads):
        lag = lead * period
        errors = values[lag:] - values[:-lag] if n > lag else np.empty(0)
        scale = 1.0
        if len(errors) < MIN_RESIDUALS:
            errors, scale = one_season, float(np.sqrt(lead))
        if len(errors) == 0:
            low = high = 0.0
            notes.append("no in-sample error to size the interval: zero width")
        else:
            low, high = np.quantile(errors, [alpha / 2, 1 - alpha / 2]) * scale
        at = leads == lead
        lower[at], upper[at] = mean[at] + low, mean[at] + high
    mean, lower, upper = _clip(mean, values, lower, upper)
    spec = f"seasonal naive (season {period})" if period > 1 else "naive (history shorter than a season)"
    return Forecast(
        "seasonal_naive", _dates(history, horizon), mean, lower, upper, level, spec, tuple(dict.fromkeys(notes))
    )


#: Exponential-smoothing specifications, tried in order: (name, trend, damped, seasonal, fewest days).
ETS_SPECS: tuple[tuple[str, str | None, bool, bool, int], ...] = (
    ("ETS(A,Ad,A)", "add", True, True, 3),
    ("ETS(A,N,A)", None, False, True, 2),
    ("ETS(A,N,N)", None, False, False, 0),
)


def exponential_smoothing(history: pd.Series, horizon: int, season: int = 7, level: float = 0.9) -> Forecast:
    """statsmodels' ETS: additive error, damped additive trend, additive season of ``season`` days.

    A history too short for a specification (fewer than 3 seasons + 10 days for the damped
    trend, 2 seasons + 10 days for the season alone), or a fit that fails or forecasts
    non-finite values, falls back to the next, simpler one of :data:`ETS_SPECS`, and finally to
    :func:`seasonal_naive`. The interval is statsmodels' ``get_prediction(...).summary_frame``
    at ``alpha = 1 - level``. Warnings of the fit (convergence) are not printed but recorded in
    :attr:`Forecast.warnings` and logged at debug level.
    """
    values = _check(history, horizon, level)
    from statsmodels.tsa.exponential_smoothing.ets import ETSModel

    notes: list[str] = []
    n = len(values)
    endog = pd.Series(values, index=pd.date_range(history.index[0], periods=n, freq="D"))
    for name, trend, damped, seasonal, seasons in ETS_SPECS:
        if seasonal and (season < 2 or n < seasons * season + 10):
            continue
        if n < 10:
            break
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            try:
                model = ETSModel(
                    endog, error="add", trend=trend, damped_trend=damped,
                    seasonal="add" if seasonal else None, seasonal_periods=season if seasonal else None,
                )  # fmt: skip
                fitted = model.fit(disp=False)
                frame = fitted.get_prediction(start=n, end=n + horizon - 1).summary_frame(alpha=1.0 - level)
            except (ValueError, np.linalg.LinAlgError, FloatingPointError) as exc:
                notes.append(f"{name}: fit failed ({exc}); trying a simpler model")
                continue
        notes += [f"{name}: {w.category.__name__}: {w.message}" for w in caught]
        mean, lower, upper = (frame[c].to_numpy(dtype=float) for c in ("mean", "pi_lower", "pi_upper"))
        if not (np.isfinite(mean).all() and np.isfinite(lower).all() and np.isfinite(upper).all()):
            notes.append(f"{name}: non-finite forecast; trying a simpler model")
            continue
        mean, lower, upper = _clip(mean, values, lower, upper)
        return _forecast(history, horizon, mean, lower, upper, level, name, notes)
    notes.append(f"no exponential smoothing fits {n} days: seasonal naive instead")
    naive = seasonal_naive(history, horizon, season, level)
    return _forecast(history, horizon, naive.mean, naive.lower, naive.upper, level, naive.spec, notes)


def _forecast(
    history: pd.Series, horizon: int, mean: np.ndarray, lower: np.ndarray, upper: np.ndarray, level: float,
    spec: str, notes: list[str],
) -> Forecast:  # fmt: skip
    unique = tuple(dict.fromkeys(notes))
    for note in unique:
        logger.debug("exponential smoothing of %s: %s", history.name, note)
    return Forecast("exponential_smoothing", _dates(history, horizon), mean, lower, upper, level, spec, unique)


Baseline = Callable[..., Forecast]
#: The baselines by name: each takes ``(history, horizon, season=7, level=0.9)``.
BASELINES: dict[str, Baseline] = {"seasonal_naive": seasonal_naive, "exponential_smoothing": exponential_smoothing}

__all__ = ["BASELINES", "ETS_SPECS", "MIN_RESIDUALS", "Baseline", "Forecast", "exponential_smoothing", "seasonal_naive"]
