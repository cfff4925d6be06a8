"""The synthetic series: determinism, the desk's calendar, the study's electricity shape, the injected anomalies."""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd
import pytest

from mail2ticket.ops.series import SERIES_COLUMNS, validate_series
from mail2ticket.ops.synthetic import (
    ANOMALY_COLUMNS,
    french_holidays,
    industrial_series,
    profile_of,
    ticket_volumes,
)

SUPERVISION = "Incidents/Supervision"
BACKUP = "Incidents/Backup #BCS/Sauvegarde"
RESTORE = "Demande de service/Backup #BCS/Restauration qualifiée"
OFFICE = "Demande de service/Microsoft 365/Teams"
START, DAYS = date(2023, 1, 2), 911


@pytest.fixture(scope="module")
def volumes():
    return ticket_volumes(START, DAYS, [SUPERVISION, BACKUP, RESTORE, OFFICE], seed=0)


def _normal(volumes, name: str) -> pd.Series:
    """The days of a series without injected anomaly."""
    series = volumes.series(name)
    return series[~series.index.isin(volumes.anomalies_of(name)["timestamp"])]


def test_french_holidays_include_the_movable_ones() -> None:
    holidays = french_holidays([2024])
    assert len(holidays) == 11
    assert holidays[date(2024, 4, 1)] == "Lundi de Pâques"
    assert holidays[date(2024, 5, 9)] == "Ascension"
    assert holidays[date(2024, 5, 20)] == "Lundi de Pentecôte"
    assert date(2024, 7, 14) in holidays and date(2024, 11, 11) in holidays


def test_same_seed_same_series_and_categories_are_independent(volumes) -> None:
    again = ticket_volumes(START, DAYS, [SUPERVISION, BACKUP, RESTORE, OFFICE], seed=0)
    pd.testing.assert_frame_equal(again.frame, volumes.frame)
    pd.testing.assert_frame_equal(again.anomalies, volumes.anomalies)
    other = ticket_volumes(START, DAYS, [SUPERVISION, BACKUP, RESTORE, OFFICE], seed=1)
    assert not other.frame["value"].equals(volumes.frame["value"])
    alone = ticket_volumes(START, DAYS, [OFFICE], seed=0)
    pd.testing.assert_series_equal(alone.series(OFFICE), volumes.series(OFFICE))


def test_frame_follows_the_series_contract(volumes) -> None:
    assert list(volumes.frame.columns) == list(SERIES_COLUMNS)
    assert list(volumes.anomalies.columns) == list(ANOMALY_COLUMNS)
    pd.testing.assert_frame_equal(validate_series(volumes.frame), volumes.frame)
    assert len(volumes.frame) == 4 * DAYS and (volumes.frame["value"] >= 0).all()
    assert (volumes.frame["value"] == volumes.frame["value"].round()).all()


def test_profiles_by_category_name() -> None:
    assert profile_of(SUPERVISION).bursts
    assert profile_of(RESTORE).month_end > 1.0
    assert profile_of(OFFICE).month_end == 1.0


def test_weekends_are_quieter_than_weekdays(volumes) -> None:
    for name, most in ((OFFICE, 0.15), (RESTORE, 0.15), (BACKUP, 0.35), (SUPERVISION, 0.75)):
        series = _normal(volumes, name)
        weekend = series[series.index.day_of_week >= 5].mean()
        weekday = series[series.index.day_of_week < 5].mean()
        assert weekend < most * weekday, (name, weekend, weekday)
    alerts = _normal(volumes, SUPERVISION)
    assert alerts[alerts.index.day_of_week >= 5].mean() > 0.3 * alerts[alerts.index.day_of_week < 5].mean()


def test_public_holidays_are_quiet(volumes) -> None:
    holidays = pd.DatetimeIndex(list(french_holidays(range(2023, 2026))))
    series = _normal(volumes, OFFICE)
    weekdays = series[series.index.day_of_week < 5]
    on_holiday = weekdays[weekdays.index.isin(holidays)]
    assert len(on_holiday) >= 20
    assert on_holiday.mean() < 0.2 * weekdays[~weekdays.index.isin(holidays)].mean()


def test_month_ends_are_busier_for_accounting_categories(volumes) -> None:
    def ratio(name: str) -> float:
        series = _normal(volumes, name)
        working = series[(series.index.day_of_week < 5) & (series.index.month != 8)]
        last_days = working.groupby(working.index.to_period("M")).tail(3)
        return last_days.mean() / working[~working.index.isin(last_days.index)].mean()

    assert ratio(RESTORE) > 1.4
    assert 0.8 < ratio(OFFICE) < 1.2


def test_injected_anomalies_are_what_they_say(volumes) -> None:
    truth = volumes.anomalies
    assert set(truth["kind"]) == {"incident_burst", "gateway_outage", "spike"}
    assert set(truth.loc[truth["kind"] == "incident_burst", "series"]) == {SUPERVISION}
    outages = truth[truth["kind"] == "gateway_outage"]
    assert outages.groupby("timestamp")["series"].nunique().eq(4).all()  # every category at once
    for name in (SUPERVISION, OFFICE):
        series, normal = volumes.series(name), _normal(volumes, name)
        usual = normal[normal.index.day_of_week < 5].median()
        mine = volumes.anomalies_of(name)
        by_kind = {kind: series[mine.loc[mine["kind"] == kind, "timestamp"]].mean() for kind in set(mine["kind"])}
        assert by_kind["spike"] > 2.0 * usual
        assert by_kind["gateway_outage"] < 0.35 * usual
    alerts = volumes.series(SUPERVISION)
    bursts = volumes.anomalies_of(SUPERVISION).query("kind == 'incident_burst'")["timestamp"]
    assert alerts[bursts].mean() > 2.5 * _normal(volumes, SUPERVISION).median()
    assert 4 <= len(truth[truth["kind"] == "spike"]) // 4 <= 7  # about one every 180 days


def test_industrial_series_is_shaped_like_the_studys() -> None:
    generated = industrial_series(date(2012, 1, 1), 3 * 365, seed=0)
    series = generated.series("electricity")
    assert series.name == "electricity" and len(series) == 3 * 365
    assert 1.5e6 < series.median() < 3.2e6
    monthly = series.groupby(series.index.month).mean()
    assert monthly[[12, 1, 2]].mean() > 1.3 * monthly[[6, 7, 8]].mean()  # winter high
    normal = series[~series.index.isin(generated.anomalies["timestamp"])]
    weekly = normal.groupby(normal.index.day_of_week).mean()
    assert weekly[[5, 6]].max() < weekly[[1, 2, 3]].min()
    assert set(generated.anomalies["kind"]) == {"spike", "dip", "level_shift"}
    shift = generated.anomalies.query("kind == 'level_shift'")
    assert 5 <= len(shift) <= 9 and shift["timestamp"].diff().dropna().eq(pd.Timedelta(days=1)).all()
    ratio = series / series.rolling(15, center=True, min_periods=1).median()
    for kind, low, high in (("spike", 1.08, 1.5), ("dip", 0.6, 0.92)):
        days = generated.anomalies.query("kind == @kind")["timestamp"]
        assert low < ratio[days].mean() < high, (kind, ratio[days].mean())
    again = industrial_series(date(2012, 1, 1), 3 * 365, seed=0)
    assert np.array_equal(again.frame["value"], generated.frame["value"])


def test_arguments_are_checked() -> None:
    with pytest.raises(ValueError, match="no category"):
        ticket_volumes(START, 10, [], 0)
    with pytest.raises(ValueError, match="duplicated"):
        ticket_volumes(START, 10, ["a", "a"], 0)
    with pytest.raises(ValueError, match="at least 1"):
        industrial_series(START, 0, 0)
