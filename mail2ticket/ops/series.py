"""Daily time series in one long shape: ``timestamp, series, value``, one row per series and day.

Everything the forecasting pipeline reads or writes is this shape, whatever its source: the
daily ticket counts per category that the preparation derives from the export's
``Date de création`` (:func:`daily_counts`), a customer's industrial measurements, or the
synthetic series of :mod:`mail2ticket.ops.synthetic`. A file that breaks the shape is a
:class:`SeriesError` whose message names the problem and a few offending rows, so a wrong upload
fails at the first step rather than as a forecast of nonsense.

Timestamps are days: any time of day is dropped (a tz-aware time first goes to the desk's
``Europe/Paris`` day), and they are tz-naive ``datetime64[ns]``.
"""

from __future__ import annotations

import io
import tempfile
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from mail2ticket.data.prepare.config import CATEGORY, CREATED
from mail2ticket.data.prepare.io import sniff_delimiter
from mail2ticket.storage import StorageError, is_s3, local_path, read_bytes, upload

#: The long shape of every series file.
SERIES_COLUMNS = ("timestamp", "series", "value")
#: The day a tz-aware time falls on is the French desk's day.
LOCAL_TIMEZONE = "Europe/Paris"
#: Time formats of French exports tried after ISO 8601 (day first).
FRENCH_FORMATS = ("%d/%m/%Y %H:%M:%S", "%d/%m/%Y %H:%M", "%d/%m/%Y")
#: How many offending rows an error message quotes.
_EXAMPLES = 3


class SeriesError(ValueError):
    """A series file or frame that breaks the ``timestamp, series, value`` contract; the message says how."""


def parse_timestamps(values: Iterable[object]) -> pd.Series:
    """Times as tz-naive ``datetime64[ns]`` (NaT where blank or unparsable), keeping the time of day.

    ISO 8601 first (``2025-03-12``, ``2025-03-12 09:14``, with or without an offset), then the
    day-first French formats of :data:`FRENCH_FORMATS` (``12/03/2025 09:14``). A tz-aware time is
    converted to :data:`LOCAL_TIMEZONE` before its zone is dropped, so it lands on the desk's day.
    """
    series = values if isinstance(values, pd.Series) else pd.Series(list(values), dtype=object)
    if pd.api.types.is_datetime64_any_dtype(series.dtype):
        return _naive(pd.to_datetime(series))
    text = series.astype("string").str.strip()
    text = text.mask(text == "")
    try:
        parsed = pd.to_datetime(text, format="ISO8601", errors="coerce")
    except ValueError:  # mixed offsets (summer and winter time): through UTC
        parsed = pd.to_datetime(text, format="ISO8601", errors="coerce", utc=True)
    parsed = _naive(parsed)
    for fmt in FRENCH_FORMATS:
        missing = parsed.isna() & text.notna()
        if not missing.any():
            break
        parsed = parsed.mask(missing, _naive(pd.to_datetime(text[missing], format=fmt, errors="coerce")))
    return parsed.astype("datetime64[ns]")


def _naive(parsed: pd.Series) -> pd.Series:
    if isinstance(parsed.dtype, pd.DatetimeTZDtype):
        parsed = parsed.dt.tz_convert(LOCAL_TIMEZONE).dt.tz_localize(None)
    return parsed.astype("datetime64[ns]")


def _rows(mask: pd.Series, frame: pd.DataFrame, column: str) -> str:
    """A few offending rows for an error message, numbered as lines of a CSV with a header."""
    bad = frame.loc[mask.to_numpy(), column].head(_EXAMPLES)
    quoted = ", ".join(f"line {index + 2}: {value!r}" for index, value in bad.items())
    more = int(mask.sum()) - len(bad)
    return quoted + (f" and {more} more" if more > 0 else "")


def validate_series(frame: pd.DataFrame, source: str = "series") -> pd.DataFrame:
    """The frame in the contract's form, or a :class:`SeriesError` naming what is wrong.

    Checks the three columns, parses timestamps to days and values to floats (a decimal comma is
    accepted), refuses duplicated (series, day) pairs (an hourly file must be aggregated first)
    and returns the rows sorted by series then timestamp with a fresh index. Other columns are
    dropped.
    """
    missing = [c for c in SERIES_COLUMNS if c not in frame.columns]
    if missing:
        found = ", ".join(repr(str(c)) for c in frame.columns) or "none"
        raise SeriesError(
            f"{source}: missing column(s) {', '.join(repr(c) for c in missing)}; a series file has the columns "
            f"{', '.join(SERIES_COLUMNS)}; found {found}"
        )
    frame = frame.reset_index(drop=True)
    if frame.empty:
        raise SeriesError(f"{source}: no rows; a series file needs at least one (timestamp, series, value) row")
    timestamps = parse_timestamps(frame["timestamp"])
    if timestamps.isna().any():
        raise SeriesError(
            f"{source}: unparsable timestamp(s) ({_rows(timestamps.isna(), frame, 'timestamp')}); "
            "write dates as YYYY-MM-DD (or DD/MM/YYYY)"
        )
    names = frame["series"].astype("string").str.strip()
    if (names.isna() | (names == "")).any():
        raise SeriesError(f"{source}: blank series name(s) ({_rows(names.isna() | (names == ''), frame, 'series')})")
    values = _numbers(frame["value"])
    if values.isna().any():
        raise SeriesError(
            f"{source}: non-numeric or missing value(s) ({_rows(values.isna(), frame, 'value')}); "
            "every row needs a number"
        )
    if not np.isfinite(values.to_numpy()).all():
        raise SeriesError(f"{source}: infinite value(s) ({_rows(~np.isfinite(values), frame, 'value')})")
    out = pd.DataFrame({"timestamp": timestamps.dt.normalize(), "series": names.astype(str), "value": values})
    duplicated = out.duplicated(["series", "timestamp"], keep=False)
    if duplicated.any():
        pairs = out.loc[duplicated, ["series", "timestamp"]].drop_duplicates().head(_EXAMPLES)
        quoted = ", ".join(f"({s!r}, {t:%Y-%m-%d})" for s, t in pairs.itertuples(index=False))
        raise SeriesError(
            f"{source}: duplicated (series, day) pair(s) {quoted} ({int(duplicated.sum())} rows); one value per "
            "series and day: aggregate intra-day measurements first"
        )
    return out.sort_values(["series", "timestamp"], kind="stable").reset_index(drop=True)


def _numbers(values: pd.Series) -> pd.Series:
    """Floats, with a French decimal comma accepted (``12,5``); NaN where not a number."""
    if pd.api.types.is_numeric_dtype(values.dtype) and not pd.api.types.is_bool_dtype(values.dtype):
        return values.astype(float)
    text = values.astype("string").str.strip()
    numbers = pd.to_numeric(text.astype(object), errors="coerce").astype(float)
    comma = numbers.isna() & text.str.fullmatch(r"[-+]?\d+,\d+").fillna(False).astype(bool)
    if comma.any():
        numbers[comma] = text[comma].str.replace(",", ".", regex=False).astype(object).astype(float)
    return numbers


def read_series(uri: str | Path) -> pd.DataFrame:
    """Read a ``timestamp, series, value`` CSV or Parquet file (local path or ``s3://``), validated.

    See :func:`validate_series` for what is checked and how the frame comes back; a CSV may use
    ``,``, ``;`` or tab as delimiter.
    """
    source = str(uri)
    try:
        data = read_bytes(source)
    except StorageError as exc:
        raise SeriesError(str(exc)) from None
    if not data.strip():
        raise SeriesError(f"{source}: the file is empty")
    if data[:4] == b"PAR1" or source.lower().endswith(".parquet"):
        try:
            frame = pd.read_parquet(io.BytesIO(data))
        except Exception as exc:  # pyarrow raises several types for a broken file
            raise SeriesError(f"{source}: not a readable Parquet file: {exc}") from None
    else:
        text = data.decode("utf-8-sig", errors="replace")
        delimiter = sniff_delimiter(text.split("\n", 1)[0], ",;\t|")
        try:
            frame = pd.read_csv(io.StringIO(text), sep=delimiter, dtype=str, keep_default_na=False)
        except (pd.errors.ParserError, ValueError) as exc:
            raise SeriesError(f"{source}: not a readable CSV file: {' '.join(str(exc).split())}") from None
        frame.columns = [str(c).strip() for c in frame.columns]
    return validate_series(frame, source)


def write_series(frame: pd.DataFrame, path: str | Path) -> str:
    """Write a series frame as CSV (days as ``YYYY-MM-DD``) or Parquet (by suffix), locally or to ``s3://``.

    The frame is validated first, so what is written always reads back with :func:`read_series`.
    Returns where it was written.
    """
    clean = validate_series(frame, "frame to write")
    target = str(path)
    parquet = target.lower().endswith(".parquet")
    if is_s3(target):
        with tempfile.TemporaryDirectory() as work:
            staged = Path(work) / ("series.parquet" if parquet else "series.csv")
            _write_local(clean, staged, parquet)
            return upload(staged, target)
    destination = local_path(target)
    destination.parent.mkdir(parents=True, exist_ok=True)
    _write_local(clean, destination, parquet)
    return target


def _write_local(frame: pd.DataFrame, path: Path, parquet: bool) -> None:
    if parquet:
        frame.to_parquet(path, index=False)
    else:
        frame.to_csv(path, index=False, date_format="%Y-%m-%d", lineterminator="\n")


def regularize(frame: pd.DataFrame, fill: float | None = 0.0) -> pd.DataFrame:
    """Every series on a complete daily calendar, from its own first day to its own last day.

    A missing day is ``fill`` (0 for counts: no ticket that day), or, with ``fill=None``, linearly
    interpolated between its neighbours (for measurements, where a gap is a missed reading).
    """
    clean = validate_series(frame, "frame")
    parts = []
    for name, group in clean.groupby("series", sort=True):
        days = pd.date_range(group["timestamp"].iloc[0], group["timestamp"].iloc[-1], freq="D", unit="ns")
        values = group.set_index("timestamp")["value"].reindex(days)
        values = values.interpolate(method="time") if fill is None else values.fillna(float(fill))
        parts.append(pd.DataFrame({"timestamp": days, "series": name, "value": values.to_numpy(dtype=float)}))
    return pd.concat(parts, ignore_index=True)


def daily_counts(tickets: pd.DataFrame, time_column: str = CREATED, category_column: str = CATEGORY) -> pd.DataFrame:
    """Tickets per category and day, zero-filled: one series per category on a common calendar.

    The calendar runs from the first to the last creation day of all tickets, so a category
    with no ticket on a day counts 0 that day (a quiet day is data, not a gap). A blank or
    unparsable creation time is a :class:`SeriesError`: filter such tickets first (the
    preparation counts and drops them).
    """
    for column in (time_column, category_column):
        if column not in tickets.columns:
            raise SeriesError(f"tickets: no column {column!r}; found {', '.join(map(repr, tickets.columns))}")
    if tickets.empty:
        raise SeriesError("tickets: no rows to count")
    tickets = tickets.reset_index(drop=True)
    times = parse_timestamps(tickets[time_column])
    if times.isna().any():
        raise SeriesError(f"tickets: blank or unparsable {time_column!r} ({_rows(times.isna(), tickets, time_column)})")
    categories = tickets[category_column].astype(str).str.strip()
    days = times.dt.normalize()
    counts = pd.crosstab(days, categories)
    calendar = pd.date_range(days.min(), days.max(), freq="D", unit="ns")
    counts = counts.reindex(calendar, fill_value=0)
    counts.index.name, counts.columns.name = "timestamp", "series"
    long = counts.stack().rename("value").reset_index()
    long["value"] = long["value"].astype(float)
    long["timestamp"] = long["timestamp"].astype("datetime64[ns]")
    long["series"] = long["series"].astype(str)
    return long.sort_values(["series", "timestamp"], kind="stable").reset_index(drop=True)[list(SERIES_COLUMNS)]


def split_holdout(frame: pd.DataFrame, horizon: int) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Per series, the last ``horizon`` days held out: (history, held-out period).

    A series needs at least ``2 * horizon + 14`` days: enough history for two weekly seasons
    beyond a horizon's worth, which the baselines' intervals and MASE scaling rely on.
    """
    if horizon < 1:
        raise SeriesError(f"horizon must be at least 1 day, got {horizon}")
    clean = validate_series(frame, "frame")
    needed = 2 * horizon + 14
    lengths = clean.groupby("series")["timestamp"].size()
    short = lengths[lengths < needed]
    if len(short):
        listed = ", ".join(f"{name!r} ({n} days)" for name, n in short.head(_EXAMPLES).items())
        raise SeriesError(
            f"series too short for a {horizon}-day hold-out (needs {needed} days = 2 x horizon + 14): {listed}"
            + (f" and {len(short) - _EXAMPLES} more" if len(short) > _EXAMPLES else "")
        )
    cutoff = clean.groupby("series")["timestamp"].transform("max") - pd.Timedelta(days=horizon)
    held = clean["timestamp"] > cutoff
    return clean[~held].reset_index(drop=True), clean[held].reset_index(drop=True)


def to_series(frame: pd.DataFrame, name: str) -> pd.Series:
    """One series of a long frame as a ``pd.Series`` indexed by day (what the baselines take)."""
    rows = frame[frame["series"] == name]
    if rows.empty:
        known = ", ".join(repr(s) for s in sorted(frame["series"].unique())[:10])
        raise SeriesError(f"no series {name!r} in the frame; series: {known}")
    values = rows.set_index(pd.DatetimeIndex(rows["timestamp"], name="timestamp"))["value"].astype(float)
    return values.sort_index().rename(name)


__all__ = [
    "CREATED",
    "FRENCH_FORMATS",
    "LOCAL_TIMEZONE",
    "SERIES_COLUMNS",
    "SeriesError",
    "daily_counts",
    "parse_timestamps",
    "read_series",
    "regularize",
    "split_holdout",
    "to_series",
    "validate_series",
    "write_series",
]
