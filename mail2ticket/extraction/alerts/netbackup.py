"""NetBackup notifications: the job mail (nbmail / ``ADMIN_MAIL``) and OpsCenter failure reports.

The job mail that ``nbmail`` (Windows) or ``mail`` (UNIX) sends when ``ADMIN_MAIL`` /
``USEMAIL`` is set reads::

    Backup on client <client> by <user> failed.          (or succeeded / partially succeeded)

    Policy = <policy>
    Schedule = <schedule>
    Start Time = <date>
    ...
    File list
    ---------
    <paths>

    EXIT STATUS <n>: <text>

with the subject ``NetBackup backup of client <client> exited with status <n> (<text>)``,
which is also read on its own when it starts the mail. OpsCenter's "Job Failure Summary"
report is a table ``Client  Policy  Status  Start Time`` followed by ``Status code <n>:
<text>`` lines.

Fields: ``hostname`` is the client, ``job_name`` the policy, ``failure_date`` the job's start
date, ``error_message`` the ``EXIT STATUS`` line (or the status text of the subject or
report). Status 0 is a success: such a mail parses without failure fields. In a report,
fields come from the single failed row; with several failures no server is named.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ._dates import iso_date
from ._model import ParsedAlert, compact
from ._text import block_end, clean_lines, find, message_starts, value

_JOB = re.compile(
    r"^\s*Backup\s+on\s+client\s+(?P<client>\S+)\s+by\s+\S+\s+(?P<result>(?:partially\s+)?succeeded|failed)",
    re.IGNORECASE,
)
_EXIT = re.compile(r"^\s*(?P<line>EXIT\s+STATUS\s+(?P<code>\d+)\s*:.*?)\s*$", re.IGNORECASE)
_SUBJECT = re.compile(
    r"NetBackup\s+backup\s+of\s+client\s+(?P<client>\S+)\s+exited\s+with\s+(?P<error>status\s+(?P<code>\d+)"
    r"(?:\s*\([^)]*\))?)",
    re.IGNORECASE,
)
_REPORT = re.compile(r"^\s*Client\s+Policy\s+(?:Schedule\s+)?Status\s+Start\s+Time\b", re.IGNORECASE)
_STATUS_CODE = re.compile(r"^\s*(?P<line>Status\s+code\s+(?P<code>\d+)\s*:.*?)\s*$", re.IGNORECASE)


def _parse_job(lines: Sequence[str]) -> ParsedAlert | None:
    anchor = find(lines, _JOB)
    if anchor is None:
        return None
    stop = block_end(lines, anchor)
    policy = value(lines, (r"Policy",), anchor, stop)
    if policy is None:
        return None
    head = _JOB.match(lines[anchor])
    assert head is not None
    fields = {"hostname": head["client"], "job_name": policy}
    exit_at = find(lines, _EXIT, anchor, stop)
    exit_line = _EXIT.match(lines[exit_at]) if exit_at is not None else None
    if head["result"].lower() != "succeeded" and not (exit_line and exit_line["code"] == "0"):
        fields["failure_date"] = iso_date(value(lines, (r"Start\s+Time",), anchor, stop))
        fields["error_message"] = exit_line["line"] if exit_line else None
    return ParsedAlert("netbackup", "incident_sauvegarde", compact(fields))


def _parse_subject_line(lines: Sequence[str]) -> ParsedAlert | None:
    """The subject form, trusted only where it starts a message (see :mod:`.nagios`)."""
    for start in message_starts(lines):
        match = _SUBJECT.match(lines[start].strip())
        if match:
            fields = {"hostname": match["client"]}
            if match["code"] != "0":
                fields["error_message"] = match["error"]
            return ParsedAlert("netbackup", "incident_sauvegarde", fields)
    return None


def _columns(header: str) -> list[int]:
    return [match.start() for match in re.finditer(r"(?:(?<=\s)|^)\S+(?:\s\S+)*", header)]


def _row(line: str, cells: list[str], names: list[str], cuts: list[int]) -> dict[str, str]:
    """A report row by column name; a value that overflowed into the next column is left out.

    Plain-text reports pad columns to a width: a longer client name runs into the policy with
    no space between them, and where one ends cannot be known, so both are dropped (the
    status and start time, aligned on the right, are still read).
    """
    if len(cells) == len(names):
        return dict(zip(names, cells, strict=True))
    if len(cuts) == len(names) and all(cut == 0 or cut > len(line) or line[cut - 1] == " " for cut in cuts):
        return {name: line[a:b].strip() for name, a, b in zip(names, cuts, [*cuts[1:], len(line)], strict=True)}
    return dict(zip(names[-2:], cells[-2:], strict=False)) if len(cells) >= 2 else {}


def _parse_report(lines: Sequence[str]) -> ParsedAlert | None:
    header_at = find(lines, _REPORT)
    if header_at is None:
        return None
    header = lines[header_at]
    names = [name.lower() for name in re.split(r"\t+|\s{2,}", header.strip())]
    cuts = _columns(header)
    failed: list[dict[str, str]] = []
    for line in lines[header_at + 1 : block_end(lines, header_at)]:
        if not line.strip():
            break
        cells = re.split(r"\t+|\s{2,}", line.strip())
        row = _row(line, cells, names, cuts)
        if row.get("status", "0").isdigit() and row.get("status") != "0":
            failed.append(row)
    if len(failed) != 1:
        return ParsedAlert("netbackup", "incident_sauvegarde", {}) if failed else None
    row = failed[0]
    code_at = next(
        (i for i, line in enumerate(lines) if (m := _STATUS_CODE.match(line)) and m["code"] == row["status"]), None
    )
    fields = {
        "hostname": row.get("client"),
        "job_name": row.get("policy"),
        "failure_date": iso_date(row.get("start time")),
        "error_message": _STATUS_CODE.match(lines[code_at])["line"] if code_at is not None else None,  # type: ignore[index]
    }
    return ParsedAlert("netbackup", "incident_sauvegarde", compact(fields))


def parse(text: str, subject: str | None = None) -> ParsedAlert | None:
    """A NetBackup job notification or OpsCenter failure report."""
    lines = clean_lines(text)
    return _parse_job(lines) or _parse_report(lines) or _parse_subject_line(lines)
