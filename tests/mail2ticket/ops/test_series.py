"""The long series shape: reading (CSV, Parquet, s3://), every refusal's message, calendars, counts, hold-outs."""

from __future__ import annotations

from pathlib import Path

import pandas as pd
import pytest

from mail2ticket.data.prepare import CATEGORY
from mail2ticket.data.prepare import CREATED as EXPORT_CREATED
from mail2ticket.ops.series import (
    CREATED,
    SERIES_COLUMNS,
    SeriesError,
    daily_counts,
    parse_timestamps,
    read_series,
    regularize,
    split_holdout,
    to_series,
    write_series,
)


def write(path: Path, text: str) -> Path:
    path.write_text(text, encoding="utf-8")
    return path


def test_created_is_the_exports_column() -> None:
    assert CREATED == EXPORT_CREATED == "Date de création"


def test_read_series_normalises_days_sorts_and_types(tmp_path: Path) -> None:
    path = write(
        tmp_path / "s.csv",
        "timestamp;series;value;comment\n"
        "2025-01-03 10:00;b;4;x\n"
        "02/01/2025;b;3,5;x\n"
        "2025-01-01T23:30:00+00:00;a;1;\n"  # 00:30 on 2 January in Paris
        "2025-01-01;a;2;\n",
    )
    frame = read_series(path)
    assert list(frame.columns) == list(SERIES_COLUMNS)
    assert frame["timestamp"].dtype == "datetime64[ns]" and frame["value"].dtype == float
    assert frame["series"].tolist() == ["a", "a", "b", "b"]
    days = frame["timestamp"].dt.strftime("%Y-%m-%d").tolist()
    assert days == ["2025-01-01", "2025-01-02", "2025-01-02", "2025-01-03"]
    assert frame["value"].tolist() == [2.0, 1.0, 3.5, 4.0]


def test_write_then_read_round_trips_csv_and_parquet(tmp_path: Path) -> None:
    frame = read_series(write(tmp_path / "s.csv", "timestamp,series,value\n2025-01-02,x,1.5\n2025-01-01,x,2\n"))
    for name in ("out/s.csv", "out/s.parquet"):
        write_series(frame, tmp_path / name)
        pd.testing.assert_frame_equal(read_series(tmp_path / name), frame)
    assert (tmp_path / "out/s.csv").read_text().splitlines()[1] == "2025-01-01,x,2.0"


def test_s3_round_trip(s3_bucket: str, tmp_path: Path) -> None:
    frame = read_series(write(tmp_path / "s.csv", "timestamp,series,value\n2025-01-01,x,1\n"))
    uri = f"s3://{s3_bucket}/series/s.parquet"
    assert write_series(frame, uri) == uri
    pd.testing.assert_frame_equal(read_series(uri), frame)
    with pytest.raises(SeriesError, match="no such object"):
        read_series(f"s3://{s3_bucket}/series/absent.csv")


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("", "the file is empty"),
        ("timestamp,series,value\n", "no rows"),
        ("timestamp,serie,valeur\n2025-01-01,a,1\n", r"missing column\(s\) 'series', 'value'.*found 'timestamp'"),
        ("timestamp,series,value\n2025-01-01,a,1\nhier,a,2\n", r"unparsable timestamp\(s\) \(line 3: 'hier'\)"),
        ("timestamp,series,value\n2025-01-01,a,douze\n", r"non-numeric or missing value\(s\) \(line 2: 'douze'\)"),
        ("timestamp,series,value\n2025-01-01,a,\n", r"non-numeric or missing value\(s\) \(line 2: ''\)"),
        ("timestamp,series,value\n2025-01-01,,1\n", r"blank series name"),
        (
            "timestamp,series,value\n2025-01-01 08:00,a,1\n2025-01-01 09:00,a,2\n",
            r"duplicated \(series, day\) pair\(s\) \('a', 2025-01-01\) \(2 rows\).*aggregate",
        ),
    ],
)
def test_bad_files_are_refused_with_a_clear_message(tmp_path: Path, text: str, message: str) -> None:
    path = write(tmp_path / "bad.csv", text)
    with pytest.raises(SeriesError, match=message) as error:
        read_series(path)
    assert str(path) in str(error.value)


def test_missing_file_and_broken_parquet(tmp_path: Path) -> None:
    with pytest.raises(SeriesError, match="no such file"):
        read_series(tmp_path / "absent.csv")
    with pytest.raises(SeriesError, match="not a readable Parquet file"):
        read_series(write(tmp_path / "broken.parquet", "PAR1 not really"))


def test_parse_timestamps_keeps_time_and_marks_garbage() -> None:
    parsed = parse_timestamps(["2025-03-12 09:14", "12/03/2025 09:14", "", "n/a", None])
    assert parsed.iloc[0] == parsed.iloc[1] == pd.Timestamp("2025-03-12 09:14")
    assert parsed.iloc[2:].isna().all()


def test_regularize_fills_or_interpolates_missing_days() -> None:
    frame = pd.DataFrame(
        {"timestamp": ["2025-01-01", "2025-01-04", "2025-01-02", "2025-01-03"], "series": ["a", "a", "b", "b"],
         "value": [1.0, 4.0, 5.0, 6.0]}
    )  # fmt: skip
    filled = regularize(frame)
    assert to_series(filled, "a").tolist() == [1.0, 0.0, 0.0, 4.0]
    assert to_series(filled, "b").index.strftime("%d").tolist() == ["02", "03"]  # each series its own span
    assert to_series(regularize(frame, fill=None), "a").tolist() == [1.0, 2.0, 3.0, 4.0]


def test_daily_counts_zero_fills_a_common_calendar() -> None:
    tickets = pd.DataFrame(
        {CREATED: ["2025-01-01 09:00", "2025-01-03 10:00", "2025-01-03 17:00", "03/01/2025 08:00"],
         CATEGORY: ["Sauvegarde", "Sauvegarde", "Supervision", "Sauvegarde"]}
    )  # fmt: skip
    counts = daily_counts(tickets)
    assert list(counts.columns) == list(SERIES_COLUMNS)
    assert to_series(counts, "Sauvegarde").tolist() == [1.0, 0.0, 2.0]
    assert to_series(counts, "Supervision").tolist() == [0.0, 0.0, 1.0]
    assert counts["value"].sum() == len(tickets)


def test_daily_counts_refuses_undated_tickets() -> None:
    tickets = pd.DataFrame({CREATED: ["2025-01-01", " "], CATEGORY: ["a", "b"]})
    with pytest.raises(SeriesError, match=r"blank or unparsable 'Date de création' \(line 3: ' '\)"):
        daily_counts(tickets)
    with pytest.raises(SeriesError, match="no column 'Date'"):
        daily_counts(tickets, time_column="Date")


def _days(name: str, n: int) -> pd.DataFrame:
    return pd.DataFrame({"timestamp": pd.date_range("2025-01-01", periods=n), "series": name, "value": range(n)})


def test_split_holdout_keeps_the_last_days_of_each_series() -> None:
    frame = pd.concat([_days("a", 70), _days("b", 42)])
    history, held = split_holdout(frame, 14)
    assert held.groupby("series").size().tolist() == [14, 14]
    assert history.groupby("series").size().tolist() == [56, 28]
    assert to_series(held, "a").index[0] == pd.Timestamp("2025-01-01") + pd.Timedelta(days=56)
    assert to_series(history, "b").iloc[-1] == 27.0


def test_split_holdout_refuses_short_series() -> None:
    frame = pd.concat([_days("long", 70), _days("short", 41)])
    with pytest.raises(SeriesError, match=r"needs 42 days = 2 x horizon \+ 14\): 'short' \(41 days\)"):
        split_holdout(frame, 14)
    with pytest.raises(SeriesError, match="at least 1 day"):
        split_holdout(frame, 0)
