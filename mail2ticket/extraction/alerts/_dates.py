"""Timestamps as monitoring and backup tools print them, read exactly, as naive wall-clock time.

The tools' formats are fixed, so they are read by pattern (fast, and no day/month guessing
where the format says which is which); anything else goes through the project's
:func:`~mail2ticket.extraction.dates.parse_moment` (dateparser, French day-first order).
Time zones (``CET``, ``+0100``, ``(UTC+01:00)``) are dropped: the ticket holds the local
wall-clock time the mail states, as :func:`~mail2ticket.extraction.schema.validate_fields`
expects.

Ambiguous numeric dates: ``03/04/2025 10:00:05 PM`` (12-hour clock) is US month-first, as
Windows tools in US locale write it; without AM/PM the French day-first order applies unless
the first number cannot be a month.
"""

from __future__ import annotations

import re
from datetime import datetime

from mail2ticket.extraction.dates import PLAUSIBLE_YEARS, parse_moment

_MONTHS = {
    name: number
    for number, names in enumerate(
        (
            ("jan", "january", "janvier", "janv"),
            ("feb", "february", "fevrier", "février", "fev", "fév", "févr"),
            ("mar", "march", "mars"),
            ("apr", "april", "avril", "avr"),
            ("may", "mai"),
            ("jun", "june", "juin"),
            ("jul", "july", "juillet", "juil"),
            ("aug", "august", "aout", "août"),
            ("sep", "sept", "september", "septembre"),
            ("oct", "october", "octobre"),
            ("nov", "november", "novembre"),
            ("dec", "december", "decembre", "décembre", "déc"),
        ),
        start=1,
    )
    for name in names
}
_MONTH = r"(?P<month>[^\W\d_]{3,9})\.?"
_TIME = r"(?P<hour>\d{1,2})[:h](?P<minute>\d{2})(?::(?P<second>\d{2}))?(?:\s*(?P<ampm>[AaPp]\.?[Mm]\.?))?"
_PATTERNS = (
    # 2025-03-14 10:23:45 +0100 / 2025-03-14T10:23:45 / 2025.03.14 10:23:45
    re.compile(rf"(?P<year>\d{{4}})[-./](?P<m>\d{{1,2}})[-./](?P<d>\d{{1,2}})(?:[T\s]+{_TIME})?"),
    # 14-03-2025 10:23:45, 14/03/2025 22:00, 03/14/2025 10:00:05 PM
    re.compile(rf"(?P<a>\d{{1,2}})[-./](?P<b>\d{{1,2}})[-./](?P<year>\d{{4}})(?:[\s,]+(?:at\s+|à\s+)?{_TIME})?"),
    # Fri Mar 14 10:23:45 CET 2025 (Nagios $LONGDATETIME$, Commvault, ctime)
    re.compile(rf"{_MONTH}\s+(?P<day>\d{{1,2}}),?\s+{_TIME}(?:\s+[A-Z]{{2,5}}[+-]?\d*)?\s+(?P<year>\d{{4}})"),
    # Monday, 14 March 2025 22:00:05 / vendredi 14 mars 2025 à 22:00
    re.compile(rf"(?P<day>\d{{1,2}})(?:er)?\s+{_MONTH}\s+(?P<year>\d{{4}})(?:[\s,]+(?:at\s+|à\s+)?{_TIME})?"),
    # March 14, 2025 10:00:05 PM
    re.compile(rf"{_MONTH}\s+(?P<day>\d{{1,2}}),?\s+(?P<year>\d{{4}})(?:[\s,]+(?:at\s+)?{_TIME})?"),
)


def _hour(match: re.Match[str]) -> int:
    hour = int(match["hour"])
    ampm = (match["ampm"] or "").lower().replace(".", "")
    if ampm == "pm" and hour < 12:
        hour += 12
    if ampm == "am" and hour == 12:
        hour = 0
    return hour


def _day_month(match: re.Match[str]) -> tuple[int, int] | None:
    groups = match.groupdict()
    if groups.get("m"):
        return int(groups["d"]), int(groups["m"])
    if groups.get("a"):
        first, second = int(groups["a"]), int(groups["b"])
        if first > 12:
            month_first = False
        elif second > 12:
            month_first = True
        else:  # a 12-hour clock means a US locale, hence month first
            month_first = groups.get("ampm") is not None
        return (second, first) if month_first else (first, second)
    month = _MONTHS.get(groups["month"].lower())
    return (int(groups["day"]), month) if month else None


def read_moment(text: str) -> tuple[datetime, bool] | None:
    """The first tool timestamp in ``text`` and whether it had a time of day."""
    for pattern in _PATTERNS:
        for match in pattern.finditer(text):
            day_month = _day_month(match)
            if day_month is None:
                continue
            try:
                if match["hour"] is None:
                    return datetime(int(match["year"]), day_month[1], day_month[0]), False
                moment = datetime(
                    int(match["year"]),
                    day_month[1],
                    day_month[0],
                    _hour(match),
                    int(match["minute"]),
                    int(match["second"] or 0),
                )
            except ValueError:
                continue
            if moment.year in PLAUSIBLE_YEARS:
                return moment, True
    moment = parse_moment(text) if re.search(r"\d{4}", text) else None
    return (moment, True) if moment else None


def iso_datetime(text: str | None) -> str | None:
    """``YYYY-MM-DDTHH:MM:SS`` of the timestamp in ``text`` (None without a time of day)."""
    found = read_moment(text) if text else None
    if found is None or not found[1]:
        return None
    return found[0].isoformat(timespec="seconds")


def iso_date(text: str | None) -> str | None:
    """``YYYY-MM-DD`` of the date in ``text``."""
    found = read_moment(text) if text else None
    return found[0].date().isoformat() if found else None
