"""Dates as French e-mails write them: read them, and find the words that state a given date.

Tickets hold ISO 8601 dates, but e-mails say ``hier soir``, ``le 12/03``, ``lundi dernier`` or
``Tue Apr 11 23:49:47 2023``. :func:`parse_moment` reads such a text (dateparser, day first,
relative to the e-mail's reception time, never to the day the code runs). :func:`date_span` is
its inverse on one e-mail: the shortest words of the e-mail that read as a given date. The
extraction model is taught to write those words rather than an ISO date it would have to compute
(a small model does not do calendar arithmetic), and what it writes is read back here.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from typing import Any

from dateutil.relativedelta import relativedelta

#: Time zone of the wall-clock times French e-mails state (they almost never give an offset).
DEFAULT_TIMEZONE = "Europe/Paris"

#: Years outside this window are hallucinations (a restore to 1234), not dates of a ticket.
PLAUSIBLE_YEARS = range(1990, 2101)

# French time-of-day phrasings dateparser does not read: "14h30", "hier soir", "cette nuit".
_HOUR = re.compile(r"\b(\d{1,2})\s?h\s?(\d{2})?\b", re.IGNORECASE)
_PART_OF_DAY = r"(?:soir|matin|midi|après-midi|apres-midi|nuit|soirée|matinée)"
_TODAY_PART = re.compile(rf"\b(?:(?:cette|ce|cet)\s+{_PART_OF_DAY}|la\s+nuit\s+derni[èe]re)\b", re.IGNORECASE)
_DAY_PART = re.compile(rf"\b(hier|demain|avant-hier|après-demain)\s+{_PART_OF_DAY}\b", re.IGNORECASE)
_WEEKDAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
_LAST_WEEKDAY = re.compile(rf"\b({'|'.join(_WEEKDAYS)})\s+derni(?:er|ère)\b", re.IGNORECASE)
_NEXT_WEEKDAY = re.compile(rf"\b({'|'.join(_WEEKDAYS)})\s+prochaine?\b", re.IGNORECASE)
#: A day named alone ("samedi", "vendredi soir", "jeudi 14h"): not followed by its date, "dernier"
#: or "prochain", which say which one it is.
_BARE_WEEKDAY = re.compile(
    rf"\b({'|'.join(_WEEKDAYS)})\b(?!\s+(?:\d{{1,2}}(?:er)?\s*(?:/|\s[a-zéû]{{3,}})|derni|prochain))(?:\s+(?:à\s+)?(\d{{1,2}})\s?h\s?(\d{{2}})?\b)?",
    re.IGNORECASE,
)

_MONTHS = r"janvier|f[ée]vrier|mars|avril|mai|juin|juillet|ao[ûu]t|septembre|octobre|novembre|d[ée]cembre"
#: The start, middle or end of a month or a year, which dateparser does not read: "fin mars",
#: "fin du mois", "mi-avril", "début juin 2026", "fin de l'année", "fin 2026".
_PERIOD_PART = re.compile(
    rf"\b(fin|mi|début|debut)[- ](?:(du mois|de mois|de ce mois)|(?:d['’]|de\s+)?({_MONTHS})(?:\s+(\d{{4}}))?"
    r"|(?:de l['’]ann[ée]e|d['’]ann[ée]e)|(\d{4}))\b",
    re.IGNORECASE,
)
_NUMBER_WORDS = {
    "un": 1, "une": 1, "deux": 2, "trois": 3, "quatre": 4, "cinq": 5, "six": 6, "sept": 7, "huit": 8,
    "neuf": 9, "dix": 10, "onze": 11, "douze": 12, "quinze": 15, "vingt": 20, "trente": 30,
}  # fmt: skip
#: A length of time counted from the reception day: an access "valable 3 mois", "pour une durée de 15 jours".
_DURATION = re.compile(
    r"\b(?:pour une dur[ée]e de|d['’]une dur[ée]e de|dur[ée]e\s*:|pour|pendant|durant"
    rf"|valable)\s+(\d{{1,3}}|{'|'.join(_NUMBER_WORDS)})\s+(jours?|semaines?|mois|ans?|années?|annees?)\b",
    re.IGNORECASE,
)
#: A time of day written alone ("à 14h32", "vers 3h", "14:05"): a moment of the reception day.
_CLOCK = re.compile(r"\b([01]?\d|2[0-3])(?:\s?h\s?([0-5]\d)?|:([0-5]\d))\b(?!\s?(?:/|-|\d))", re.IGNORECASE)

#: Two reference times far apart: a text that reads as a different moment against each of them
#: depends on the reference (``hier``, ``12/03``), so without a reception time it is no date.
_PROBE_BASES = (datetime(2001, 1, 1, 0, 0), datetime(2012, 7, 15, 12, 30))


def parse_moment(text: str, received_at: datetime | None = None, search: bool = True) -> datetime | None:
    """A date or date-time written in an e-mail, ISO or French/English prose, as a naive datetime.

    ISO 8601 is read exactly (dateparser's day-first order must not swap ``2025-03-12``);
    anything else goes through dateparser, day first, relative to ``received_at`` (``hier`` is
    the day before the e-mail arrived, not before the evaluation ran). Without ``received_at``
    only absolute dates are read: a text that depends on a reference time (``hier``,
    ``lundi dernier``, ``cette nuit``, ``12/03`` without a year) gives None rather than a date
    resolved against today. A bare number is not a date, and a year outside
    :data:`PLAUSIBLE_YEARS` is rejected. ``search`` off, a text that does not read as a date as
    a whole (``l'état du 12/03``) is no date, rather than the first date found inside it.
    """
    text = " ".join(text.split())
    if not text or text.isdigit():
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        if received_at is not None:
            moment = _dateparser(text, received_at.replace(tzinfo=None), search)
        else:
            first, second = (_dateparser(text, base, search) for base in _PROBE_BASES)
            moment = first if first == second else None
    if moment is None or moment.year not in PLAUSIBLE_YEARS:
        return None
    return moment.replace(tzinfo=None, microsecond=0)  # e-mails state seconds at most


def _named_day(match: re.Match[str], base: datetime, direction: int) -> datetime:
    """The day ``match`` names (its first group), strictly before (``-1``) or after (``1``) ``base``'s day."""
    weekday = _WEEKDAYS.index(match.group(1).lower())
    return base + timedelta(days=direction * ((direction * (weekday - base.weekday())) % 7 or 7))


def _last_weekday(match: re.Match[str], base: datetime) -> str:
    """'lundi dernier' as the date of the latest Monday strictly before ``base``'s day."""
    return _named_day(match, base, -1).strftime("%d/%m/%Y")


def _next_weekday(match: re.Match[str], base: datetime) -> str:
    """'jeudi prochain' as the date of the first Thursday strictly after ``base``'s day."""
    return _named_day(match, base, 1).strftime("%d/%m/%Y")


def weekday_readings(match: re.Match[str], base: datetime) -> list[datetime]:
    """A day named alone, read both ways: the latest such day before ``base``'s, and the next one after it.

    "Samedi" in a failure report is the Saturday gone, in a request to stop a backup the
    Saturday to come; which one a field means is the date picker's to learn, from the words
    around it and the field. An hour written with the day ("jeudi 14h") is kept.
    """
    hour, minute = int(match.group(2) or 0), int(match.group(3) or 0)
    if hour > 23 or minute > 59:
        return []
    day = base.replace(hour=hour, minute=minute, second=0, microsecond=0)
    return [_named_day(match, day, -1), _named_day(match, day, 1)]


def period_readings(match: re.Match[str], base: datetime) -> list[datetime]:
    """The day "fin mars", "mi-avril", "fin du mois" or "fin de l'année" pins down against ``base``.

    A month named without its year is this year's; when that day has already passed, next year's
    is a second reading (the date picker learns which one a field means).
    """
    part, this_month, month_name, year, year_only = match.groups()
    start_of_day = base.replace(hour=0, minute=0, second=0, microsecond=0)
    if this_month:
        return [_period_day(part, start_of_day.replace(day=1))]
    if month_name is None:  # the year: its first day, its middle, its last day
        year_number = int(year_only) if year_only else base.year
        if year_number not in PLAUSIBLE_YEARS:
            return []
        month = {"fin": 12, "mi": 6}.get(part.lower(), 1)
        return [_period_day(part, start_of_day.replace(year=year_number, month=month, day=1))]
    first = start_of_day.replace(year=int(year) if year else base.year, month=_month_number(month_name), day=1)
    if first.year not in PLAUSIBLE_YEARS:
        return []
    day = _period_day(part, first)
    if year or day >= start_of_day:
        return [day]
    return [day, _period_day(part, first + relativedelta(years=1))]


def _month_number(name: str) -> int:
    folded = name.lower().replace("é", "e").replace("û", "u")
    return [m.replace("[ée]", "e").replace("[ûu]", "u") for m in _MONTHS.split("|")].index(folded) + 1


def _period_day(part: str, first: datetime) -> datetime:
    """The first, the 15th or the last day of the month starting at ``first``."""
    part = part.lower()
    if part == "fin":
        return first + relativedelta(months=1, days=-1)
    return first.replace(day=15) if part == "mi" else first


def duration_reading(match: re.Match[str], base: datetime) -> datetime:
    """The day a length of time ("pour 3 mois", "valable deux semaines") after ``base``."""
    count_text, unit = match.group(1).lower(), match.group(2).lower()
    count = int(count_text) if count_text.isdigit() else _NUMBER_WORDS[count_text]
    if unit.startswith("jour"):
        return base + relativedelta(days=count)
    if unit.startswith("semaine"):
        return base + relativedelta(weeks=count)
    if unit == "mois":
        return base + relativedelta(months=count)
    return base + relativedelta(years=count)


def clock_readings(match: re.Match[str], base: datetime) -> list[datetime]:
    """A time of day written alone, on the reception day; one later than the reception is also read the day before."""
    minute = match.group(2) or match.group(3) or 0
    moment = base.replace(hour=int(match.group(1)), minute=int(minute), second=0, microsecond=0)
    return [moment] if moment <= base else [moment, moment - timedelta(days=1)]


def _dateparser(text: str, base: datetime, search: bool = True) -> datetime | None:
    import dateparser
    from dateparser.search import search_dates

    text = _HOUR.sub(lambda m: f"{m.group(1)}:{m.group(2) or '00'}", text)
    text = _TODAY_PART.sub("aujourd'hui", text)
    text = _DAY_PART.sub(lambda m: m.group(1), text)
    text = _LAST_WEEKDAY.sub(lambda m: _last_weekday(m, base), text)
    text = _NEXT_WEEKDAY.sub(lambda m: _next_weekday(m, base), text)
    settings: dict[str, Any] = {
        "DATE_ORDER": "DMY",
        "RETURN_AS_TIMEZONE_AWARE": False,
        "REQUIRE_PARTS": ["day", "month"],
        "RELATIVE_BASE": base,
    }
    languages = ["fr", "en"]
    moment = dateparser.parse(text, languages=languages, settings=settings)
    if moment is None and search:  # "jusqu'au 30/06", "restaurer l'état du 12/03": the date inside a phrase
        found = search_dates(text, languages=languages, settings=settings)
        moment = found[0][1] if found else None
    return moment


def parse_received_at(received_at: str | datetime | None) -> datetime | None:
    """The reception time of an e-mail, or None when absent or unreadable (then relative dates are absent)."""
    if received_at is None or isinstance(received_at, datetime):
        return received_at
    try:
        return datetime.fromisoformat(received_at.strip())
    except ValueError:
        return None


#: The JSON Schema string formats of dates and date-times.
DATE_FORMATS = ("date", "date-time")

#: Longest run of words :func:`date_span` tries ("mardi 11 avril 2023 à 23h49" is six).
MAX_DATE_SPAN_WORDS = 6

#: What a span must hold to be read as a date: a date word (below), a time (``14:30``, ``9h05``)
#: or digits with a date separator (``12/03``, ``2025-03-12``). Bare numbers are left out, or
#: "20 minutes" would read as twenty minutes before the reception time.
_DATE_SHAPE = re.compile(r"\d{1,2}\s?[:h]\s?\d{2}|\d{1,4}[/.\-]\d{1,2}")
#: Words that state a date or a part of one.
_DATE_WORDS = re.compile(
    r"(?i)\b(?:hier|avant-hier|aujourd|demain|veille|nuit|matin|soir|midi|semaine|dernier|dernière|prochain|prochaine"
    r"|janv|févr|fevr|mars|avril|mai|juin|juil|août|aout|sept|oct|nov|déc|dec|"
    + "|".join(_WEEKDAYS)
    + r"|yesterday|today|tonight|monday|tuesday|wednesday|thursday|friday|saturday|sunday"
    r"|jan|feb|mar|apr|may|jun|jul|aug|sep|october|november|december)"
)
#: A word of a span: an elided article stands alone (``d'avant-hier`` is ``d'`` then ``avant-hier``).
_WORD = re.compile(r"[^\s'’]+['’]?|['’]")
#: Characters trimmed from both ends of a span: a date is not its surrounding punctuation.
_SPAN_EDGES = " \t\"'«»“”‘’`.,;:!?()[]{}<>*"


def _same_moment(moment: datetime, value: date | datetime) -> bool:
    """Whether ``moment`` states ``value``: the same day for a date, the same minute for a date-time."""
    if isinstance(value, datetime):
        return moment.replace(second=0) == value.replace(tzinfo=None, second=0, microsecond=0)
    return moment.date() == value


def _date_spans(email: str) -> Iterator[tuple[int, int, str]]:
    """Runs of one to :data:`MAX_DATE_SPAN_WORDS` words of ``email`` (whitespace collapsed) that may state a date.

    Shortest first, then in the e-mail's order; each text once. A run with no date word and no
    date or time shape (:data:`_DATE_SHAPE`) is not yielded. Offsets are into the collapsed text.
    """
    text = " ".join(email.split())
    words = [(m.start(), m.end()) for m in _WORD.finditer(text)]
    seen: set[str] = set()
    for length in range(1, MAX_DATE_SPAN_WORDS + 1):
        for first in range(len(words) - length + 1):
            start, end = words[first][0], words[first + length - 1][1]
            span = text[start:end].strip(_SPAN_EDGES)
            if not span or span in seen or not (_DATE_SHAPE.search(span) or _DATE_WORDS.search(span)):
                continue
            seen.add(span)
            offset = text.index(span, start)
            yield offset, offset + len(span), span


def date_span(email: str, value: date | datetime, received_at: datetime | None = None) -> str | None:
    """The shortest words of ``email`` that :func:`parse_moment` reads as ``value``, or None.

    A date matches on its day, a date-time on its minute. Spans of one word are tried first,
    then two, up to :data:`MAX_DATE_SPAN_WORDS`; the first one found, in the e-mail's order,
    wins. Spans with no date word and no date or time shape (:data:`_DATE_SHAPE`) are not read. The
    span is a substring of the e-mail with its whitespace runs collapsed, so the *copied, never
    invented* check finds it.
    """
    base = received_at.replace(tzinfo=None) if received_at is not None else None
    for _, _, span in _date_spans(email):
        moment = parse_moment(span, base, search=False)
        if moment is not None and _same_moment(moment, value):
            return span
    return None


def iso_value(moment: datetime, timed: bool) -> str:
    """A moment as a ticket's field compares it: ISO date, or ISO date-time to the minute."""
    return moment.strftime("%Y-%m-%dT%H:%M") if timed else moment.date().isoformat()


@dataclass(frozen=True)
class DateMention:
    """Words of an e-mail that state a moment: where they are (in the whitespace-collapsed text) and what they say."""

    start: int
    end: int
    text: str
    moment: datetime


#: The date words dateparser does not read, each with the moments it states against the reception time.
_READERS = (
    (_BARE_WEEKDAY, weekday_readings),
    (_PERIOD_PART, period_readings),
    (_DURATION, lambda match, base: [duration_reading(match, base)]),
    (_CLOCK, clock_readings),
)


def date_mentions(email: str, received_at: datetime | None = None, max_chars: int = 3_000) -> list[DateMention]:
    """Every moment the first ``max_chars`` characters of ``email`` state, in the e-mail's order.

    Each is read from its longest words: "mardi 11 avril" is one mention, not three, and
    "hier 14h30" one, not "hier" and "14h30". Relative words are read against ``received_at``;
    a day named alone ("samedi") is two mentions of the same words, the day gone and the day to
    come (:func:`weekday_readings`). The start, middle or end of a month or year, a length of time
    counted from the reception and a time alone, none of which dateparser reads, are mentions
    too (:func:`period_readings`, :func:`duration_reading`, :func:`clock_readings`).
    """
    base = received_at.replace(tzinfo=None) if received_at is not None else None
    found = []
    for start, end, span in _date_spans(email[: 2 * max_chars]):
        if start >= max_chars:
            continue
        moment = parse_moment(span, base, search=False)
        if moment is not None:
            found.append(DateMention(start, end, span, moment))
    if base is not None:
        text = " ".join(email[: 2 * max_chars].split())[:max_chars]
        for pattern, readings in _READERS:
            for match in pattern.finditer(text):
                span = match.group(0).rstrip()
                found += [DateMention(match.start(), match.start() + len(span), span, m) for m in readings(match, base)]
    found.sort(key=lambda mention: mention.start - mention.end)  # longest first
    kept: list[DateMention] = []
    for mention in found:
        inside = [o for o in kept if o.start <= mention.start and mention.end <= o.end]
        # Words inside longer words are dropped; the other reading of the very same words is kept.
        if all((o.start, o.end) == (mention.start, mention.end) and o.moment != mention.moment for o in inside):
            kept.append(mention)
    return sorted(kept, key=lambda mention: mention.start)


__all__ = [
    "DATE_FORMATS",
    "DEFAULT_TIMEZONE",
    "MAX_DATE_SPAN_WORDS",
    "PLAUSIBLE_YEARS",
    "DateMention",
    "clock_readings",
    "date_mentions",
    "date_span",
    "duration_reading",
    "iso_value",
    "parse_moment",
    "parse_received_at",
    "period_readings",
]
