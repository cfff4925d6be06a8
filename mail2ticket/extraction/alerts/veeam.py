"""Veeam Backup & Replication job reports and Veeam Agent job reports (HTML mail, stripped).

The report's subject is ``[Failed] <job> (<n> VMs) 1 failed, 1 warning``; the body starts
with ``Backup job: <job>`` (``Backup Copy job``, ``Agent Backup job``, ``Replication job``…),
``Created by <user> at <date>.``, the session result (``Success``/``Warning``/``Failed``),
``<n> of <n> VMs processed``, the session date (``Monday, 14 March 2025 22:00:05``), a
summary table, then ``Details`` with one row per machine: ``Name``, ``Status``, ``Start
time``, ``End time``, ``Size``, ``Read``, ``Transferred``, ``Duration``, ``Details`` (the
error). Stripped of HTML, cells are separated by tabs or runs of spaces.

Fields: ``job_name`` from the ``… job:`` line (else the subject); ``failure_date`` is the
session date (the night the backup ran, not ``Created by``'s date); ``hostname`` and
``error_message`` only when a single machine failed (else the single one in warning): with
several culprits the mail names no one server.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ._dates import iso_date
from ._model import ParsedAlert, compact
from ._text import block_end, clean_lines, find

_JOB = re.compile(
    r"^\s*(?P<kind>(?:Agent\s+)?Backup(?:\s+Copy)?|Replication|File\s+(?:Backup|Copy)|Tape|SureBackup|"
    r"Backup\s+Copy)\s+job\s*:\s*(?P<job>\S.*?)\s*$",
    re.IGNORECASE,
)
_PROCESSED = re.compile(r"^\s*\d+\s+of\s+\d+\s+(?:VMs?|machines?|computers?|objects?|files?)\b.*processed", re.I)
_RESULT = re.compile(r"^\s*(?P<status>Success|Warning|Failed|Error)\s*$", re.IGNORECASE)
_HEADER = re.compile(r"^\s*Name\s+Status\s+Start\s+time\s+End\s+time", re.IGNORECASE)
_CELLS = re.compile(r"\t+|\s{2,}")
_CLOCK = re.compile(r"(?<!\S)\d{1,2}:\d{2}:\d{2}(?!\S)")


def _session_date(lines: Sequence[str], start: int, stop: int) -> str | None:
    """The first line that is only a date: the session's (``Created by … at`` is skipped)."""
    for index in range(start, stop):
        line = lines[index].strip()
        if not line or len(line) > 48 or line.lower().startswith("created") or not re.search(r"\d{4}", line):
            continue
        found = iso_date(line)
        if found:
            return found
    return None


def _rows(lines: Sequence[str], header: int, stop: int) -> list[tuple[str, str, str]]:
    """(name, status, details) of each machine row below the ``Details`` table header."""
    rows = []
    for index in range(header + 1, stop):
        line = lines[index].strip()
        if not line:
            if rows:
                break
            continue
        cells = _CELLS.split(line)
        if len(cells) < 2 or cells[1].lower() not in {"success", "warning", "failed", "error"}:
            break
        clocks = list(_CLOCK.finditer(line))
        details = line[clocks[min(2, len(clocks) - 1)].end() :].strip() if clocks else ""
        rows.append((cells[0], cells[1].capitalize(), details))
    return rows


def parse(text: str, subject: str | None = None) -> ParsedAlert | None:
    """A Veeam job session report."""
    lines = clean_lines(text)
    anchor = find(lines, _JOB)
    if anchor is None:
        return None
    stop = block_end(lines, anchor)
    header = find(lines, _HEADER, anchor, stop)
    processed = find(lines, _PROCESSED, anchor, stop)
    if header is None and processed is None:
        return None
    job = _JOB.match(lines[anchor])
    assert job is not None
    result_at = find(lines, _RESULT, anchor, processed if processed is not None else stop)
    result = lines[result_at].strip().capitalize() if result_at is not None else None
    rows = _rows(lines, header, stop) if header is not None else []
    failed = [row for row in rows if row[1] in {"Failed", "Error"}] or [row for row in rows if row[1] == "Warning"]
    fields: dict[str, str | None] = {"job_name": job["job"]}
    if result != "Success":
        fields["failure_date"] = _session_date(lines, anchor + 1, header if header is not None else stop)
        if len(failed) == 1:
            fields["hostname"] = failed[0][0]
            fields["error_message"] = failed[0][2]
    return ParsedAlert("veeam", "incident_sauvegarde", compact(fields))
