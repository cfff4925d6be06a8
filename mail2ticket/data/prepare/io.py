"""Reading a ticket-system export (CSV or Parquet, local or s3://) and writing the prepared JSONL.

The export has the columns ``Numéro de ticket``, ``Description``, ``Catégorie du ticket`` and
``Message``, and may have ``Date de création`` (kept when present, for the daily counts; any other
column is ignored). A problem with the file as a whole (missing or renamed columns, an empty file,
the wrong encoding) is a :class:`~mail2ticket.data.prepare.config.PrepareError` that names it; a
problem confined to a row is counted and the row is dropped later.
"""

from __future__ import annotations

import difflib
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from mail2ticket.data.prepare.config import CATEGORY, OPTIONAL_COLUMNS, REQUIRED_COLUMNS, TICKET, PrepareError
from mail2ticket.data.prepare.steps import mask_pii
from mail2ticket.storage import StorageError, read_bytes


@dataclass
class RawExport:
    """The export as read: the four columns (and the optional ones found) as strings, plus unparseable rows."""

    table: pa.Table
    unparseable_rows: int
    undecodable_rows: int = 0

    @property
    def raw_rows(self) -> int:
        return self.table.num_rows + self.unparseable_rows


def _kept_columns(found: Sequence[str]) -> list[str]:
    """The four required columns, then the optional ones the export has; every other column is ignored."""
    return [*REQUIRED_COLUMNS, *(c for c in OPTIONAL_COLUMNS if c in found)]


def _check_columns(found: Sequence[str], source: str) -> None:
    missing = [c for c in REQUIRED_COLUMNS if c not in found]
    if not missing:
        return
    hints = []
    for column in missing:
        close = difflib.get_close_matches(column, list(found), n=1, cutoff=0.6)
        hints.append(f"{column!r}" + (f" (found {close[0]!r}: renamed?)" if close else ""))
    raise PrepareError(
        f"{source}: missing column(s) {', '.join(hints)}; the export must have the columns "
        f"{', '.join(repr(c) for c in REQUIRED_COLUMNS)}; found {', '.join(repr(c) for c in found)}"
    )


def _decode_check(data: bytes, encoding: str, source: str) -> tuple[bytes, int]:
    """Return UTF-8 bytes for pyarrow and how many lines held undecodable bytes.

    A few bad bytes are a row problem (those rows are dropped later: they keep a U+FFFD
    marker); a file where many lines fail is in another encoding, which is a file problem.
    """
    if encoding.lower().replace("_", "-") not in ("utf-8", "utf8", "utf-8-sig"):
        try:
            return data.decode(encoding).encode("utf-8"), 0
        except (UnicodeDecodeError, LookupError) as exc:
            raise PrepareError(f"{source}: cannot decode as {encoding}: {exc}") from None
    try:
        data.decode("utf-8")
        return data, 0
    except UnicodeDecodeError:
        pass
    lines = data.split(b"\n")
    bad = 0
    for line in lines:
        try:
            line.decode("utf-8")
        except UnicodeDecodeError:
            bad += 1
    if bad > max(1, len(lines) // 100):
        guess = "latin-1/cp1252" if _looks_latin1(data) else "not UTF-8"
        raise PrepareError(
            f"{source}: the file is not UTF-8 ({bad} of {len(lines)} lines fail to decode; it looks "
            f"like {guess}); re-export it as UTF-8 or pass encoding='latin-1'"
        )
    return data.decode("utf-8", errors="replace").encode("utf-8"), bad


def _looks_latin1(data: bytes) -> bool:
    accented = sum(data.count(bytes([b])) for b in (0xE9, 0xE8, 0xE0, 0xE7, 0xEA))
    return accented > 0


def sniff_delimiter(header: str, candidates: str = ";,\t|") -> str:
    """The candidate that occurs most in a CSV header line (the first one listed on a tie)."""
    counts = {d: header.count(d) for d in candidates}
    return max(counts, key=lambda d: counts[d])


def read_export(uri: str | Path, encoding: str = "utf-8") -> RawExport:
    """Read a CSV or Parquet export (local path or s3:// URI) into a string table."""
    source = str(uri)
    try:
        data = read_bytes(source)
    except StorageError as exc:
        raise PrepareError(str(exc)) from None
    if not data.strip():
        raise PrepareError(f"{source}: the file is empty")
    if data[:4] == b"PAR1" or source.lower().endswith(".parquet"):
        return _read_parquet(data, source)
    return _read_csv(data, source, encoding)


def _read_parquet(data: bytes, source: str) -> RawExport:
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(pa.BufferReader(data))
    except (pa.ArrowInvalid, OSError) as exc:
        raise PrepareError(f"{source}: not a readable Parquet file: {exc}") from None
    _check_columns(table.column_names, source)
    names = _kept_columns(table.column_names)
    columns = [table.column(c).cast(pa.string()) for c in names]
    return RawExport(pa.table(dict(zip(names, columns, strict=True))), 0)


def _read_csv(data: bytes, source: str, encoding: str) -> RawExport:
    import pyarrow.csv as pacsv

    data, undecodable = _decode_check(data, encoding, source)
    if data.startswith(b"\xef\xbb\xbf"):
        data = data[3:]
    header_line = data.split(b"\n", 1)[0].decode("utf-8", errors="replace").strip("\r")
    delimiter = sniff_delimiter(header_line)
    found = list(pd.read_csv(io.StringIO(header_line), sep=delimiter, nrows=0).columns)
    _check_columns([c.strip() for c in found], source)
    unparseable = 0

    def skip_invalid(_row: Any) -> str:
        nonlocal unparseable
        unparseable += 1
        return "skip"

    try:
        table = pacsv.read_csv(
            pa.BufferReader(data),
            read_options=pacsv.ReadOptions(block_size=1 << 24),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter, newlines_in_values=True, invalid_row_handler=skip_invalid
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={c: pa.string() for c in found},
                strings_can_be_null=True,
                quoted_strings_can_be_null=False,
            ),
        )
    except pa.ArrowInvalid as exc:
        raise PrepareError(f"{source}: not a readable CSV export: {exc}") from None
    table = table.rename_columns([c.strip() for c in table.column_names])
    table = table.select(_kept_columns(table.column_names))
    return RawExport(table, unparseable, undecodable)


def read_ground_truth(uri: str | Path) -> dict[str, dict[str, Any]]:
    """Read the generator's companion file (JSON lines keyed by ``ticket_id``)."""
    try:
        data = read_bytes(str(uri))
    except StorageError as exc:
        raise PrepareError(str(exc)) from None
    truth: dict[str, dict[str, Any]] = {}
    for number, line in enumerate(data.decode("utf-8").splitlines(), start=1):
        if not line.strip():
            continue
        try:
            record = json.loads(line)
            truth[str(record["ticket_id"])] = record
        except (json.JSONDecodeError, KeyError, TypeError):
            raise PrepareError(f"{uri}: line {number} is not a ground-truth record") from None
    return truth


def to_records(
    frame: pd.DataFrame, truth: dict[str, dict[str, Any]] | None = None, mask: bool = False
) -> list[dict[str, Any]]:
    """Rows of the train/test JSONL files."""
    records = []
    sources = frame["source_category"] if "source_category" in frame else frame[CATEGORY]
    for ticket, category, email, source in zip(frame[TICKET], frame[CATEGORY], frame["email"], sources, strict=True):
        known = (truth or {}).get(ticket, {})
        record: dict[str, Any] = {
            "email": mask_pii(email) if mask else email,
            "category": category,
            "ticket_id": ticket,
            "fields": known.get("fields", {}),
        }
        if source != category:  # an `unknown` ticket keeps the category it came from
            record["source_category"] = source
        if known.get("received_at"):
            record["received_at"] = known["received_at"]
        records.append(record)
    return records


def write_jsonl(records: Iterable[dict[str, Any]], path: str | Path) -> int:
    count = 0
    with open(path, "w", encoding="utf-8") as handle:
        for record in records:
            handle.write(json.dumps(record, ensure_ascii=False) + "\n")
            count += 1
    return count
