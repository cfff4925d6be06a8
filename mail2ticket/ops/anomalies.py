"""Which days are anomalous, two ways, and how well a detector finds the true ones.

- :func:`interval_anomalies`: a day outside the forecast's prediction interval (the forecast
  was made before the day was seen, so this is what monitoring does day after day);
- :func:`isolation_forest_anomalies`: scikit-learn's IsolationForest on what a robust seasonal
  decomposition does not explain (:func:`in_sample_residuals`), over a whole history at once:
  the study's choice for anomaly detection, since it needs no labels;
- :func:`detection_scores`: precision, recall and F1 of flagged days against a ground truth
  (the synthetic series' injected anomalies), matched on (series, day) with a tolerance.

Days the calendar explains (public holidays: fewer tickets, less consumption) are not
anomalies; both detectors take them in ``holidays`` and never flag them.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

import numpy as np
import pandas as pd

from mail2ticket.ops.baselines import Forecast

#: Columns of :func:`interval_anomalies`.
INTERVAL_COLUMNS = ("timestamp", "series", "value", "expected", "lower", "upper", "side", "size")
#: Columns of :func:`isolation_forest_anomalies`.
FOREST_COLUMNS = ("timestamp", "series", "residual", "zscore", "score", "side")
#: Days of the rolling window that sizes a residual (its robust z-score).
ZSCORE_WINDOW = 91
#: Days over which :func:`in_sample_residuals` smooths the trend.
TREND_DAYS = 31


def _name(values: pd.Series) -> str:
    return "" if values.name is None else str(values.name)


def _holiday_mask(index: pd.DatetimeIndex, holidays: Iterable[date] | None) -> np.ndarray:
    if not holidays:
        return np.zeros(len(index), dtype=bool)
    days = pd.DatetimeIndex([pd.Timestamp(d) for d in holidays]).normalize()
    return np.asarray(index.normalize().isin(days))


def interval_anomalies(
    actual: pd.Series, forecast: Forecast, *, holidays: Iterable[date] | None = None
) -> pd.DataFrame:
    """The forecast days whose actual value falls outside ``[lower, upper]``.

    ``actual`` is indexed by day (days outside the forecast are ignored; forecast days without
    an actual value are skipped). One row per flagged day: ``side`` is ``above`` or ``below``,
    ``size`` how far beyond the bound (always positive, in the series' unit), ``expected`` the
    forecast's mean. ``series`` is the name of ``actual``.
    """
    frame = forecast.to_frame().set_index("timestamp")
    values = actual.copy()
    values.index = pd.DatetimeIndex(values.index).normalize()
    frame["value"] = values.reindex(frame.index).astype(float)
    frame = frame[frame["value"].notna() & ~_holiday_mask(frame.index, holidays)]
    above = frame["value"] > frame["upper"]
    below = frame["value"] < frame["lower"]
    flagged = frame[above | below].copy()
    flagged["side"] = np.where(above[above | below], "above", "below")
    flagged["size"] = np.where(
        flagged["side"] == "above", flagged["value"] - flagged["upper"], flagged["lower"] - flagged["value"]
    )
    flagged = flagged.rename(columns={"mean": "expected"}).reset_index()
    flagged["series"] = _name(actual)
    flagged["timestamp"] = flagged["timestamp"].astype("datetime64[ns]")
    return flagged[list(INTERVAL_COLUMNS)].reset_index(drop=True)


def in_sample_residuals(
    history: pd.Series,
    season: int = 7,
    *,
    holidays: Iterable[date] | None = None,
    trend_days: int = TREND_DAYS,
    counts: bool | None = None,
) -> pd.Series:
    """What a robust STL decomposition (trend + ``season``-day season) leaves unexplained, per day.

    Robust fitting down-weights the anomalous days, so they stand out in the residuals instead
    of bending the trend and season around them (and, unlike ``y[t] - y[t - season]``, an
    anomaly leaves no echo a season later). The trend is smoothed over ``trend_days`` (odd): a
    month follows the yearly cycle and the August lull but not a week-long level shift.
    Counts (``counts=None``: a history of non-negative integers) are decomposed on the square
    root scale, where their noise no longer grows with the level: otherwise every busy
    weekday of a small category looks more anomalous than a quiet weekend. Holidays are
    replaced by nearby same-weekday values before the fit and get a residual of 0: the
    calendar explains them.
    """
    from statsmodels.tsa.seasonal import STL

    values = history.astype(float)
    if values.isna().any():
        raise ValueError("the history has missing values; regularize it first")
    if len(values) < 2 * season + 1:
        raise ValueError(f"in-sample residuals need at least {2 * season + 1} days, got {len(values)}")
    raw = values.to_numpy()
    if counts is None:
        counts = bool((raw >= 0).all() and np.equal(np.round(raw), raw).all())
    index = pd.DatetimeIndex(values.index)
    quiet = _holiday_mask(index, holidays)
    endog = pd.Series(np.sqrt(raw) if counts else raw, index=pd.date_range(index[0], periods=len(raw), freq="D"))
    if quiet.any():
        same_weekday = endog.groupby(endog.index.day_of_week).transform(
            lambda v: v.rolling(5, min_periods=1, center=True).median()
        )
        endog[quiet] = same_weekday[quiet]
    trend = max(trend_days | 1, season + 1 + season % 2)  # odd and longer than the season, as STL requires
    residuals = STL(endog, period=season, robust=True, trend=trend).fit().resid.to_numpy().copy()
    residuals[quiet] = 0.0
    return pd.Series(residuals, index=index, name=history.name)


def robust_zscores(residuals: pd.Series, window: int = ZSCORE_WINDOW) -> pd.Series:
    """Each residual against its neighbours: (r - rolling median) / (1.4826 x rolling MAD), centred.

    The median absolute deviation ignores the anomalies themselves; a window of noise-free
    zeros (a quiet count series) falls back to the series-wide MAD, then to the mean absolute
    residual, so a lone non-zero day still scores high rather than dividing by zero.
    """
    centre = residuals.rolling(window, min_periods=1, center=True).median()
    deviation = (residuals - centre).abs()
    mad = deviation.rolling(window, min_periods=1, center=True).median() * 1.4826
    fallback = float(deviation.median()) * 1.4826 or float(deviation.mean()) or 1.0
    mad = mad.where(mad > 0, fallback)
    return ((residuals - centre) / mad).rename(residuals.name)


def isolation_forest_anomalies(
    residuals: pd.Series,
    contamination: float | str = "auto",
    seed: int = 0,
    *,
    holidays: Iterable[date] | None = None,
) -> pd.DataFrame:
    """The days an IsolationForest isolates quickly, on features of the residuals.

    Features per day: the residual, its robust z-score (:func:`robust_zscores`) and the mean
    z-score of the 3 days centred on it (a few days off together: bursts, level shifts).
    ``contamination``: the share of days to flag, or ``"auto"`` (scikit-learn's threshold of
    the original paper). One row per flagged day: ``score`` is the forest's anomaly score
    (higher: more anomalous), ``side`` the residual's sign (``above``/``below``).
    """
    from sklearn.ensemble import IsolationForest

    values = residuals.astype(float)
    if values.isna().any():
        raise ValueError("residuals have missing values")
    if len(values) < 10:
        raise ValueError(f"an isolation forest needs at least 10 days of residuals, got {len(values)}")
    zscores = robust_zscores(values)
    features = np.column_stack(
        [values.to_numpy(), zscores.to_numpy(), zscores.rolling(3, min_periods=1, center=True).mean().to_numpy()]
    )
    forest = IsolationForest(n_estimators=200, contamination=contamination, random_state=seed)
    labels = forest.fit_predict(features)
    scores = -forest.score_samples(features)
    flagged = (labels == -1) & ~_holiday_mask(pd.DatetimeIndex(values.index), holidays)
    out = pd.DataFrame(
        {
            "timestamp": pd.DatetimeIndex(values.index[flagged]).normalize().astype("datetime64[ns]"),
            "series": _name(residuals),
            "residual": values.to_numpy()[flagged],
            "zscore": zscores.to_numpy()[flagged],
            "score": scores[flagged],
            "side": np.where(values.to_numpy()[flagged] >= 0, "above", "below"),
        }
    )
    return out[list(FOREST_COLUMNS)]


def detection_scores(flagged: pd.DataFrame, truth: pd.DataFrame, tolerance_days: int = 0) -> dict[str, float]:
    """Precision, recall and F1 of flagged days against the true anomalous days.

    Both frames have ``timestamp`` and ``series`` (without ``series`` on either side, days are
    matched on the timestamp alone). A flagged day is a hit when a true day of the same series
    lies within ``tolerance_days``; a true day is found when a flagged day lies within it.
    ``precision`` = hits / flagged days, ``recall`` = found / true days (each pair counted
    once); with nothing flagged precision is 0, with nothing to find recall is 0, and with
    neither all three are 1. Restrict ``truth`` to the period that was searched first.
    Also returned: ``flagged``, ``truth``, ``hits`` and ``found`` (counts).
    """
    if tolerance_days < 0:
        raise ValueError(f"tolerance_days must be >= 0, got {tolerance_days}")
    keys = ["series", "timestamp"] if "series" in flagged and "series" in truth else ["timestamp"]
    left, right = _days(flagged, keys), _days(truth, keys)
    hits = _matched(left, right, keys, tolerance_days)
    found = _matched(right, left, keys, tolerance_days)
    n_flagged, n_truth = len(left), len(right)
    if n_flagged == 0 and n_truth == 0:
        precision = recall = f1 = 1.0
    else:
        precision = hits / n_flagged if n_flagged else 0.0
        recall = found / n_truth if n_truth else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
    return {
        "precision": precision,
        "recall": recall,
        "f1": f1,
        "flagged": float(n_flagged),
        "truth": float(n_truth),
        "hits": float(hits),
        "found": float(found),
    }


def _days(frame: pd.DataFrame, keys: list[str]) -> pd.DataFrame:
    out = frame[keys].copy()
    out["timestamp"] = pd.to_datetime(out["timestamp"]).dt.normalize()
    if "series" in out:
        out["series"] = out["series"].astype(str)
    return out.drop_duplicates().reset_index(drop=True)


def _matched(these: pd.DataFrame, others: pd.DataFrame, keys: list[str], tolerance: int) -> int:
    """How many rows of ``these`` have a row of ``others`` (same series) within ``tolerance`` days."""
    if these.empty or others.empty:
        return 0
    group = [k for k in keys if k != "timestamp"]
    count = 0
    other_days = {
        name: np.sort(part["timestamp"].to_numpy().astype("datetime64[D]").astype(np.int64))
        for name, part in (others.groupby(group) if group else [((), others)])
    }
    for name, part in these.groupby(group) if group else [((), these)]:
        targets = other_days.get(name)
        if targets is None:
            continue
        days = part["timestamp"].to_numpy().astype("datetime64[D]").astype(np.int64)
        position = np.searchsorted(targets, days)
        before = np.abs(days - targets[np.clip(position - 1, 0, len(targets) - 1)])
        after = np.abs(targets[np.clip(position, 0, len(targets) - 1)] - days)
        count += int((np.minimum(before, after) <= tolerance).sum())
    return count


__all__ = [
    "FOREST_COLUMNS",
    "INTERVAL_COLUMNS",
    "TREND_DAYS",
    "ZSCORE_WINDOW",
    "detection_scores",
    "in_sample_residuals",
    "interval_anomalies",
    "isolation_forest_anomalies",
    "robust_zscores",
]
