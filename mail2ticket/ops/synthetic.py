"""Seeded synthetic daily series with their ground truth of injected anomalies.

Real ticket histories and customer measurements are confidential, so the forecasting and
anomaly-detection pipeline is built and judged on series whose structure and anomalies are
known by construction:

- :func:`ticket_volumes`: daily tickets per category of a French managed-services desk:
  weekdays busier than weekends, French public holidays and the August and Christmas lulls
  quiet, the last working days of the month busier for the categories that follow the
  accounting calendar, a slow trend, over-dispersed (negative binomial) counts, and three
  kinds of anomalies: ``incident_burst`` (a few days of many supervision alerts during an
  incident), ``gateway_outage`` (the mail gateway down: every category drops, since tickets
  are created from e-mails) and ``spike`` (one day of several times the usual volume);
- :func:`industrial_series`: daily electricity consumption shaped like the French national
  consumption of the forecasting study the platform starts from (winter high, summer low,
  weekends and holidays lower, weather-like autocorrelated noise), with ``spike``, ``dip`` and
  ``level_shift`` anomalies.

Both return a :class:`SyntheticSeries`: the long ``timestamp, series, value`` frame of
:mod:`mail2ticket.ops.series` and the ``timestamp, series, kind`` rows of every anomalous day.
The same arguments always give the same output; each ticket category draws from its own
stream (seed and name), so adding a category does not change the others.
"""

from __future__ import annotations

import zlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta

import numpy as np
import pandas as pd
from dateutil.easter import easter

from mail2ticket.ops.series import SERIES_COLUMNS, to_series

#: Columns of the ground truth.
ANOMALY_COLUMNS = ("timestamp", "series", "kind")


@dataclass(frozen=True)
class SyntheticSeries:
    """Generated series and the ground truth of the anomalies injected into them.

    ``frame``: long ``timestamp, series, value`` (one row per series and day, no gap).
    ``anomalies``: ``timestamp, series, kind``, one row per anomalous series and day.
    """

    frame: pd.DataFrame
    anomalies: pd.DataFrame

    def series(self, name: str) -> pd.Series:
        """One series indexed by day."""
        return to_series(self.frame, name)

    def anomalies_of(self, name: str) -> pd.DataFrame:
        """The ground truth of one series."""
        return self.anomalies[self.anomalies["series"] == name].reset_index(drop=True)


def french_holidays(years: Iterable[int]) -> dict[date, str]:
    """France's public holidays: the eight fixed ones, Easter Monday, Ascension and Whit Monday."""
    holidays: dict[date, str] = {}
    for year in years:
        fixed = {
            (1, 1): "Jour de l'an",
            (5, 1): "Fête du travail",
            (5, 8): "Victoire 1945",
            (7, 14): "Fête nationale",
            (8, 15): "Assomption",
            (11, 1): "Toussaint",
            (11, 11): "Armistice",
            (12, 25): "Noël",
        }
        holidays.update({date(year, month, day): name for (month, day), name in fixed.items()})
        sunday = easter(year)
        holidays[sunday + timedelta(days=1)] = "Lundi de Pâques"
        holidays[sunday + timedelta(days=39)] = "Ascension"
        holidays[sunday + timedelta(days=50)] = "Lundi de Pentecôte"
    return holidays


@dataclass(frozen=True)
class _Calendar:
    """Per-day facts of a date range, as arrays aligned with ``days``."""

    days: pd.DatetimeIndex
    weekday: np.ndarray
    holiday: np.ndarray
    working: np.ndarray
    month_end: np.ndarray
    august: np.ndarray
    christmas_week: np.ndarray
    years: np.ndarray

    @classmethod
    def of(cls, start: date, days: int) -> _Calendar:
        if days < 1:
            raise ValueError(f"days must be at least 1, got {days}")
        index = pd.date_range(pd.Timestamp(start), periods=days, freq="D", unit="ns")
        holidays = french_holidays(range(index[0].year, index[-1].year + 1))
        weekday = np.asarray(index.day_of_week)
        holiday = np.array([d.date() in holidays for d in index])
        working = (weekday < 5) & ~holiday
        # The last three working days of each month (month-end closing, invoicing, payroll).
        month_end = np.zeros(days, dtype=bool)
        months = index.year * 12 + index.month
        for month in np.unique(months):
            positions = np.flatnonzero((months == month) & working)
            month_end[positions[-3:]] = True
        christmas_week = (index.month == 12) & (index.day >= 24) | (index.month == 1) & (index.day <= 1)
        return cls(
            index, weekday, holiday, working, month_end, np.asarray(index.month == 8),
            np.asarray(christmas_week), np.arange(days) / 365.25,
        )  # fmt: skip


@dataclass(frozen=True)
class _Profile:
    """How a kind of ticket varies: weekly shape, quiet periods, month ends, anomalies."""

    level: float
    weekly: tuple[float, float, float, float, float, float, float]
    holiday: float
    august: float
    christmas: float
    month_end: float
    bursts: bool


#: Monitoring alerts arrive every day, at any hour; incidents bring bursts of them.
ALERTS = _Profile(24.0, (1.05, 1.0, 1.0, 1.0, 0.95, 0.55, 0.5), 0.6, 0.9, 0.8, 1.0, True)
#: Nightly backup jobs fail on any night, and are reported the next working morning.
BACKUP_INCIDENTS = _Profile(6.0, (1.45, 1.0, 0.95, 0.95, 0.9, 0.2, 0.15), 0.15, 0.85, 0.7, 1.0, False)
#: Requests that follow the accounting calendar: busier over the last working days of the month.
MONTH_END = _Profile(4.0, (1.1, 1.05, 1.0, 1.0, 0.85, 0.06, 0.03), 0.05, 0.65, 0.5, 1.8, False)
#: Everything people write during office hours.
OFFICE = _Profile(3.0, (1.15, 1.05, 1.0, 1.0, 0.85, 0.06, 0.03), 0.05, 0.65, 0.5, 1.0, False)

_MONTH_END_WORDS = ("stratégie", "restauration", "comptab", "paie", "factur", "export", "pennylane", "cegid",
                    "quadra", "sage", "clôture")  # fmt: skip


def profile_of(category: str) -> _Profile:
    """The volume profile of a ticket category, from its name."""
    name = category.lower()
    if "supervision" in name and name.startswith("incident"):
        return ALERTS
    if name.startswith("incident") and ("sauvegarde" in name or "backup" in name):
        return BACKUP_INCIDENTS
    if any(word in name for word in _MONTH_END_WORDS):
        return MONTH_END
    return OFFICE


def is_alert_category(category: str) -> bool:
    """Whether the category's tickets are monitoring alerts (they arrive at any hour)."""
    return profile_of(category) is ALERTS


def _stream(seed: int, name: str) -> np.random.Generator:
    return np.random.default_rng([seed, zlib.crc32(name.encode("utf-8"))])


def _pick_days(
    rng: np.random.Generator, candidates: np.ndarray, used: np.ndarray, n: int, length: int = 1
) -> list[int]:
    """Up to ``n`` start positions among ``candidates`` whose ``length`` days (with a day's margin) are free."""
    chosen: list[int] = []
    for position in rng.permutation(candidates):
        if len(chosen) == n:
            break
        lo, hi = max(0, position - 1), min(len(used), position + length + 1)
        if position + length <= len(used) and not used[lo:hi].any():
            used[position : position + length] = True
            chosen.append(int(position))
    return chosen


def _count(days: float, every: float, at_least: int) -> int:
    """How many anomalies of a kind a stretch of ``days`` gets: one every ``every`` days on average."""
    return max(at_least, round(days / every)) if days >= 2 * every / 3 else 0


def ticket_volumes(
    start: date,
    days: int,
    categories: Sequence[str],
    seed: int,
    *,
    levels: Mapping[str, float] | None = None,
    dispersion: float = 15.0,
) -> SyntheticSeries:
    """Daily ticket counts per category from ``start`` over ``days`` days, with injected anomalies.

    ``levels``: mean tickets on an ordinary weekday per category (default: by profile, e.g. 24
    supervision alerts); ``dispersion``: the negative binomial's size (variance = mean + mean² /
    dispersion). A mail-gateway outage hits every category on the same days; bursts hit the
    supervision alerts; spikes hit any category on a working day.
    """
    if not categories:
        raise ValueError("no category to generate")
    if len(set(categories)) != len(categories):
        raise ValueError("duplicated category names")
    cal = _Calendar.of(start, days)
    shared = np.random.default_rng([seed, 0])
    outage = np.zeros(days, dtype=bool)
    for first in _pick_days(shared, np.flatnonzero(cal.working), np.zeros(days, dtype=bool), _count(days, 240, 1)):
        length = 2 if shared.random() < 0.4 and first + 1 < days and cal.working[first + 1] else 1
        outage[first : first + length] = True
    frames, truths = [], []
    for category in categories:
        profile = profile_of(category)
        rng = _stream(seed, category)
        level = (levels or {}).get(category, profile.level * float(rng.lognormal(0.0, 0.25)))
        growth = float(rng.uniform(-0.08, 0.2))  # per year
        mean = level * np.exp(growth * cal.years) * np.asarray(profile.weekly)[cal.weekday]
        mean = mean * np.where(cal.holiday, profile.holiday, 1.0) * np.where(cal.august, profile.august, 1.0)
        mean = mean * np.where(cal.christmas_week & ~cal.holiday, profile.christmas, 1.0)
        mean = mean * np.where(cal.month_end, profile.month_end, 1.0)
        factor, kind = np.ones(days), np.full(days, "", dtype=object)
        factor[outage], kind[outage] = 0.08, "gateway_outage"
        used = outage.copy()
        if profile.bursts:
            for first in _pick_days(rng, np.arange(days), used, _count(days, 120, 1), length=4):
                length = int(rng.integers(2, 5))
                peak = float(rng.uniform(3.5, 6.0))
                factor[first : first + length] = peak * np.linspace(1.0, 0.6, length)
                kind[first : first + length] = "incident_burst"
        for position in _pick_days(rng, np.flatnonzero(cal.working), used, _count(days, 180, 1)):
            factor[position], kind[position] = float(rng.uniform(3.0, 5.0)), "spike"
        rate = rng.gamma(dispersion, mean * factor / dispersion)
        values = rng.poisson(rate).astype(float)
        frames.append(pd.DataFrame({"timestamp": cal.days, "series": category, "value": values}))
        flagged = kind != ""
        truths.append(pd.DataFrame({"timestamp": cal.days[flagged], "series": category, "kind": kind[flagged]}))
    return _result(frames, truths)


def industrial_series(
    start: date, days: int, seed: int, series: str = "electricity", *, level: float = 2.55e6
) -> SyntheticSeries:
    """Daily electricity consumption from ``start`` over ``days`` days, with injected anomalies.

    Shaped like the study's French daily consumption (2012-2020, about 2.0e6 in summer to
    3.0e6 in winter): a yearly cycle peaking in late January, weekends and holidays lower, a
    slight downward trend, AR(1) noise (weather lasts a few days). Anomalies: ``spike`` (one
    day 15-25 % up), ``dip`` (one day 15-30 % down: a plant stopped, a metering fault) and one
    ``level_shift`` (5-9 days about 12 % down).
    """
    cal = _Calendar.of(start, days)
    rng = _stream(seed, series)
    day_of_year = np.asarray(cal.days.day_of_year)
    yearly = 1.0 + 0.2 * np.cos(2 * np.pi * (day_of_year - 25) / 365.25)
    weekly = np.asarray((1.0, 1.02, 1.02, 1.02, 1.0, 0.92, 0.88))[cal.weekday]
    quiet = np.where(cal.holiday, 0.9, 1.0) * np.where(cal.christmas_week & ~cal.holiday, 0.94, 1.0)
    quiet = quiet * np.where(cal.august, 0.96, 1.0)
    noise = np.empty(days)
    noise[0] = rng.normal(0.0, 0.02)
    innovations = rng.normal(0.0, 0.014, days)
    for day in range(1, days):
        noise[day] = 0.7 * noise[day - 1] + innovations[day]
    factor, kind = np.ones(days), np.full(days, "", dtype=object)
    used = np.zeros(days, dtype=bool)
    used[:14] = True  # no anomaly in the first two weeks: every method needs some clean history
    if days >= 60:
        length = int(rng.integers(5, 10))
        for first in _pick_days(rng, np.arange(days), used, 1, length=length):
            factor[first : first + length] = 1.0 - float(rng.uniform(0.1, 0.14))
            kind[first : first + length] = "level_shift"
    for position in _pick_days(rng, np.arange(days), used, _count(days, 120, 1)):
        factor[position], kind[position] = 1.0 + float(rng.uniform(0.15, 0.25)), "spike"
    for position in _pick_days(rng, np.arange(days), used, _count(days, 120, 1)):
        factor[position], kind[position] = 1.0 - float(rng.uniform(0.15, 0.3)), "dip"
    trend = np.exp(-0.005 * cal.years)
    values = np.round(level * trend * yearly * weekly * quiet * (1.0 + noise) * factor)
    frame = pd.DataFrame({"timestamp": cal.days, "series": series, "value": values})
    flagged = kind != ""
    truth = pd.DataFrame({"timestamp": cal.days[flagged], "series": series, "kind": kind[flagged]})
    return _result([frame], [truth])


def _result(frames: list[pd.DataFrame], truths: list[pd.DataFrame]) -> SyntheticSeries:
    frame = pd.concat(frames, ignore_index=True)[list(SERIES_COLUMNS)]
    truth = pd.concat(truths, ignore_index=True)[list(ANOMALY_COLUMNS)]
    for table in (frame, truth):
        table["timestamp"] = table["timestamp"].astype("datetime64[ns]")
        table["series"] = table["series"].astype(str)
    frame = frame.sort_values(["series", "timestamp"], kind="stable").reset_index(drop=True)
    truth = truth.sort_values(["series", "timestamp"], kind="stable").reset_index(drop=True)
    truth["kind"] = truth["kind"].astype(str)
    return SyntheticSeries(frame, truth)


__all__ = [
    "ANOMALY_COLUMNS",
    "SyntheticSeries",
    "french_holidays",
    "industrial_series",
    "is_alert_category",
    "profile_of",
    "ticket_volumes",
]
