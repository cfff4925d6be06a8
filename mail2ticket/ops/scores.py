"""How good a forecast is over a held-out period: the study's figures, then scale-free ones.

The study compared each forecast with the actual period by the mean, variance and standard
deviation of both series and the mean, largest and smallest absolute error (its "erreur
moyenne", max and min). Those figures are in the series' own unit, so they cannot be
compared across series; :func:`forecast_scores` adds sMAPE and MASE for that, and the
interval's coverage and width when the forecast has one.
"""

from __future__ import annotations

import numpy as np

from mail2ticket.ops.baselines import Forecast


def _abs_mean(values: np.ndarray) -> float:
    return float(np.mean(np.abs(values))) if len(values) else float("nan")


def naive_scale(history: np.ndarray, season: int = 7) -> float:
    """MASE's denominator: the in-sample MAE of the seasonal naive forecast (``y[t] - y[t - season]``).

    Falls back to the lag-1 naive MAE when the seasonal one is 0 (a history repeating exactly
    every season) or the history is not longer than a season; NaN when that is 0 or undefined too.
    """
    history = np.asarray(history, dtype=float)
    if len(history) > season:
        seasonal = _abs_mean(history[season:] - history[:-season])
        if seasonal > 0:
            return seasonal
    lag_one = _abs_mean(np.diff(history)) if len(history) > 1 else float("nan")
    return lag_one if lag_one > 0 else float("nan")


def forecast_scores(
    actual: np.ndarray, forecast: Forecast | np.ndarray, history: np.ndarray, season: int = 7
) -> dict[str, float]:
    """Scores of ``forecast`` against ``actual`` (same length), ``history`` being what it was fitted on.

    The study's figures (variances and standard deviations are population ones, ddof 0):
    ``forecast_mean``, ``forecast_median``, ``forecast_variance``, ``forecast_std``, the same four
    for ``actual_*``, ``mean_difference``/``variance_difference``/``std_difference`` (absolute
    gaps between the two, the study's "différence" column), and ``mean_abs_error``,
    ``max_abs_error``, ``min_abs_error``.

    Then: ``mae`` (= ``mean_abs_error``, under the name other tools use); ``smape``, in percent
    from 0 to 200: mean of ``2|F - A| / (|A| + |F|)``, a day where both are 0 counting 0;
    ``mase``: ``mae`` over :func:`naive_scale` of the history (below 1: better than last
    season's values were in-sample; NaN when the history is constant). With a :class:`Forecast`
    only: ``coverage``, the share of actual days inside ``[lower, upper]``, and
    ``interval_width``, the interval's mean width (coverage alone rewards a useless, wide band).
    """
    actual = np.asarray(actual, dtype=float)
    predicted = np.asarray(forecast.mean if isinstance(forecast, Forecast) else forecast, dtype=float)
    if actual.shape != predicted.shape or actual.ndim != 1:
        raise ValueError(f"actual ({actual.shape}) and forecast ({predicted.shape}) must be 1-d of the same length")
    if len(actual) == 0:
        raise ValueError("nothing to score: empty actual period")
    if not (np.isfinite(actual).all() and np.isfinite(predicted).all()):
        raise ValueError("actual and forecast must be finite")
    errors = np.abs(predicted - actual)
    scores: dict[str, float] = {}
    for prefix, values in (("forecast", predicted), ("actual", actual)):
        scores[f"{prefix}_mean"] = float(np.mean(values))
        scores[f"{prefix}_median"] = float(np.median(values))
        scores[f"{prefix}_variance"] = float(np.var(values))
        scores[f"{prefix}_std"] = float(np.std(values))
    for name in ("mean", "variance", "std"):
        scores[f"{name}_difference"] = abs(scores[f"forecast_{name}"] - scores[f"actual_{name}"])
    scores["mean_abs_error"] = float(np.mean(errors))
    scores["max_abs_error"] = float(np.max(errors))
    scores["min_abs_error"] = float(np.min(errors))
    scores["mae"] = scores["mean_abs_error"]
    denominator = np.abs(actual) + np.abs(predicted)
    ratios = np.divide(2.0 * errors, denominator, out=np.zeros_like(errors), where=denominator > 0)
    scores["smape"] = float(100.0 * np.mean(ratios))
    scale = naive_scale(np.asarray(history, dtype=float), season)
    scores["mase"] = scores["mae"] / scale if np.isfinite(scale) else float("nan")
    if isinstance(forecast, Forecast):
        inside = (actual >= forecast.lower) & (actual <= forecast.upper)
        scores["coverage"] = float(np.mean(inside))
        scores["interval_width"] = float(np.mean(forecast.upper - forecast.lower))
    return scores


__all__ = ["forecast_scores", "naive_scale"]
