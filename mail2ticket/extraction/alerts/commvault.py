"""Commvault job alerts and job summary mails.

Commvault's alert mail (``Alert: Job Failed``, ``Type: Job Management - Data Protection``,
``Detected Criteria``, ``Detected Time``) and its job summary both list the job as
``Label: value`` lines: ``Job ID``, ``Status``, ``CommCell``, ``Client``, ``Agent Type``,
``Instance``, ``Backup Set``, ``Subclient``, ``Backup Level``, ``Storage Policy``, ``Start
Time``, ``End Time``, ``Error Code`` and ``Failure Reason`` (which Commvault follows with
``Possible causes: 1. …``, cut off: it is advice, not the error).

Fields: ``hostname`` is the client; ``job_name`` the subclient (what the job backs up, as
the desk names it), else the backup set; ``failure_date`` the job's start date (the night
it ran), else its end or detection date; ``error_message`` the failure reason, else the
error code line. A job that completed still parses, without failure fields.
"""

from __future__ import annotations

import re

from ._dates import iso_date
from ._model import ParsedAlert, compact
from ._text import block_end, clean_lines, continued, find, labelled, value

_JOB_ID = re.compile(r"^\s*Job\s*ID\s*:\s*\d+", re.IGNORECASE)
_COMMVAULT = re.compile(
    r"^\s*(?:Agent\s+Type|CommCell|Subclient|Backup\s+Set|Storage\s+Polic(?:y|ies)\s+Used)\s*:", re.I
)
_LABEL_LINE = re.compile(r"^[A-Z][\w /()-]{1,40}:\s")
_ADVICE = re.compile(r"\s*\bPossible\s+causes?\s*:.*$", re.IGNORECASE | re.DOTALL)
_DONE = re.compile(r"^\s*Completed\s*$", re.IGNORECASE)


def _error(lines: list[str], start: int, stop: int) -> str | None:
    found = labelled(lines, (r"Failure\s+Reason", r"Reason\s+for\s+failure", r"Raison\s+de\s+l'[ée]chec"), start, stop)
    if found is not None:
        return _ADVICE.sub("", continued(lines, found, stop, _LABEL_LINE)).strip() or None
    code = value(lines, (r"Error\s+Code",), start, stop)
    return f"Error Code: {code}" if code else None


def parse(text: str, subject: str | None = None) -> ParsedAlert | None:
    """A Commvault job alert or job summary."""
    lines = clean_lines(text)
    anchor = find(lines, _JOB_ID)
    while anchor is not None:
        start = max(0, anchor - 8)
        stop = block_end(lines, anchor)
        client = value(lines, (r"Client(?:\s+Name)?",), start, stop)
        if client and find(lines, _COMMVAULT, start, stop) is not None:
            status = value(lines, (r"Status", r"Job\s+Status"), start, stop) or ""
            fields = {
                "hostname": client,
                "job_name": value(lines, (r"Subclient",), start, stop) or value(lines, (r"Backup\s+Set",), start, stop),
            }
            if not _DONE.match(status):
                moment = next(
                    (
                        found
                        for label in (r"Start\s+Time", r"End\s+Time", r"Detected\s+Time", r"Failed\s+Time")
                        if (found := value(lines, (label,), start, stop))
                    ),
                    None,
                )
                fields["failure_date"] = iso_date(moment)
                fields["error_message"] = _error(lines, start, stop)
            return ParsedAlert("commvault", "incident_sauvegarde", compact(fields))
        anchor = find(lines, _JOB_ID, anchor + 1)
    return None
