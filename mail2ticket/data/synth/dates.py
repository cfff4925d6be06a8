"""Dates and times written the many ways people write them, with their resolved value.

A client writes "hier soir", "lundi dernier", "le 3", "12/03", "2025-03-12" or "fin du
mois"; the ground truth must hold the ISO date, resolved against the e-mail's `sent_at`.
Each helper returns the phrase in several grammatical slots (`when`, `of`, `until`,
`from_`) so a writer can say "dans l'état du 12/03", "d'hier" or "jusqu'à fin juin" without
knowing which form was drawn, and the value stays consistent with the text. A phrase that
does not pin a day ("la semaine dernière") carries `value=None` and the field is left out.
"""

from __future__ import annotations

import calendar
import random
from dataclasses import dataclass
from datetime import date, datetime, timedelta

MONTHS = (
    "janvier",
    "février",
    "mars",
    "avril",
    "mai",
    "juin",
    "juillet",
    "août",
    "septembre",
    "octobre",
    "novembre",
    "décembre",
)
MONTHS_ABBR = ("janv.", "févr.", "mars", "avr.", "mai", "juin", "juil.", "août", "sept.", "oct.", "nov.", "déc.")
DAYS = ("lundi", "mardi", "mercredi", "jeudi", "vendredi", "samedi", "dimanche")
DAYS_ABBR = ("lun.", "mar.", "mer.", "jeu.", "ven.", "sam.", "dim.")
EN_MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)
EN_MONTHS_ABBR = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
EN_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
EN_DAYS_ABBR = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")

_VOWELS = tuple("aeiouyéèâAEIOUYÉ")


@dataclass(frozen=True)
class DatePhrase:
    """A date expression in its grammatical slots, and the day it denotes (or None)."""

    when: str
    of: str
    until: str
    from_: str
    value: date | None

    @property
    def iso(self) -> str | None:
        return self.value.isoformat() if self.value else None


@dataclass(frozen=True)
class TimePhrase:
    """A point in time ('cette nuit à 3h12') and its value truncated to the minute."""

    when: str
    since: str
    value: datetime

    @property
    def iso(self) -> str:
        return self.value.strftime("%Y-%m-%dT%H:%M")


def _de(text: str) -> str:
    return ("d'" if text.startswith(_VOWELS) else "de ") + text


def _num(text: str, value: date | None) -> DatePhrase:
    """Forms that take an article: 'le 12/03', 'du 12 mars', 'jusqu'au 12/03'."""
    return DatePhrase(f"le {text}", f"du {text}", f"jusqu'au {text}", f"à compter du {text}", value)


def _rel(text: str, value: date | None) -> DatePhrase:
    """Bare relative words: 'hier', 'lundi dernier', 'demain'."""
    return DatePhrase(
        text,
        _de(text),
        f"jusqu'à {text}",
        f"à partir de {text}" if not text.startswith(_VOWELS) else f"à partir d'{text}",
        value,
    )


def _en(when: str, value: date | None, bare: str | None = None) -> DatePhrase:
    b = bare or when.removeprefix("on ")
    return DatePhrase(when, f"of {b}", f"until {b}", f"from {b}", value)


def day_text(d: date) -> str:
    return "1er" if d.day == 1 else str(d.day)


def absolute(d: date, rng: random.Random, with_year: bool | None = None) -> str:
    """An absolute French rendering of `d`, drawn among common styles."""
    r = rng.random()
    if with_year is None:
        with_year = rng.random() < 0.5
    if r < 0.30:
        return d.strftime("%d/%m/%Y") if with_year else d.strftime("%d/%m")
    if r < 0.50:
        return f"{day_text(d)} {MONTHS[d.month - 1]}" + (f" {d.year}" if with_year else "")
    if r < 0.58:
        return f"{DAYS[d.weekday()]} {day_text(d)} {MONTHS[d.month - 1]}"
    if r < 0.66:
        return d.isoformat()
    if r < 0.72:
        return d.strftime("%d.%m.%Y")
    if r < 0.78:
        return d.strftime("%d/%m/%y")
    if r < 0.84:
        return f"{DAYS[d.weekday()]} {d.strftime('%d/%m')}"
    if r < 0.90:
        return d.strftime("%d-%m-%Y")
    if r < 0.95:
        return f"{d.day}/{d.month}"
    return f"{day_text(d)} {MONTHS_ABBR[d.month - 1]}" + (f" {d.year}" if with_year else "")


def absolute_en(d: date, rng: random.Random) -> str:
    r = rng.random()
    suffix = "th" if 11 <= d.day <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(d.day % 10, "th")
    if r < 0.3:
        return f"{EN_MONTHS[d.month - 1]} {d.day}{suffix}"
    if r < 0.5:
        return f"{d.day} {EN_MONTHS[d.month - 1]}"
    if r < 0.7:
        return d.isoformat()
    if r < 0.85:
        return d.strftime("%d/%m/%Y")
    return f"{EN_DAYS[d.weekday()]}, {EN_MONTHS_ABBR[d.month - 1]} {d.day}"


def past_date(
    sent: datetime, rng: random.Random, lo: int = 0, hi: int = 20, lang: str = "fr", vague: float = 0.0
) -> DatePhrase:
    """A day at `lo`..`hi` days before `sent`, written absolutely or relatively.

    With probability `vague` the phrase does not pin a day ("la semaine dernière") and its
    value is None.
    """
    today = sent.date()
    if vague and rng.random() < vague:
        if lang == "en":
            return _en(rng.choice(("last week", "a few days ago", "recently")), None)
        return _rel(
            rng.choice(
                ("la semaine dernière", "il y a quelques jours", "récemment", "début du mois", "ces derniers jours")
            ),
            None,
        )
    n = rng.randint(lo, hi)
    d = today - timedelta(days=n)
    r = rng.random()
    if lang == "en":
        if n == 0 and r < 0.6:
            return _en(rng.choice(("last night", "this morning", "today")), d)
        if n == 1 and r < 0.6:
            return _en("yesterday", d)
        if 2 <= n <= 6 and r < 0.4:
            return _en(f"last {EN_DAYS[d.weekday()]}", d)
        return _en("on " + absolute_en(d, rng), d)
    if n == 0 and r < 0.75:
        return _rel(rng.choice(("cette nuit", "ce matin", "aujourd'hui", "la nuit dernière")), d)
    if n == 1 and r < 0.7:
        return _rel(rng.choice(("hier", "hier", "hier soir", "hier matin", "hier après-midi")), d)
    if n == 2 and r < 0.5:
        return _rel("avant-hier", d)
    if 1 <= n <= 7 and r < 0.55:
        name = DAYS[d.weekday()]
        if n == 7 or rng.random() < 0.5:
            return _rel(f"{name} dernier", d)
        return _rel(rng.choice((name, f"{name} soir", f"{name} matin")), d)
    if 2 <= n <= 12 and r < 0.62:
        return _rel(f"il y a {n} jours", d)
    if n <= 25 and r < 0.72 and d.month == today.month:
        return _num(day_text(d), d)
    return _num(absolute(d, rng), d)


def last_day_of_month(year: int, month: int) -> date:
    return date(year, month, calendar.monthrange(year, month)[1])


def future_date(sent: datetime, rng: random.Random, lo: int = 1, hi: int = 90, lang: str = "fr") -> DatePhrase:
    """A day after `sent`, written absolutely or relatively ('fin du mois', 'lundi prochain')."""
    today = sent.date()
    r = rng.random()
    if lang == "en":
        d = today + timedelta(days=rng.randint(max(lo, 1), hi))
        if r < 0.15:
            eom = last_day_of_month(today.year, today.month)
            if eom > today:
                return _en("at the end of the month", eom, "the end of the month")
        if r < 0.25 and (d - today).days <= 7:
            return _en(f"next {EN_DAYS[d.weekday()]}", d)
        return _en("on " + absolute_en(d, rng), d)
    if r < 0.1:
        eom = last_day_of_month(today.year, today.month)
        if eom > today:
            return DatePhrase("fin du mois", "de fin de mois", "jusqu'à la fin du mois", "à la fin du mois", eom)
    if r < 0.2:
        m = today.month + rng.randint(0, 5)
        y = today.year + (m - 1) // 12
        m = (m - 1) % 12 + 1
        eom = last_day_of_month(y, m)
        if eom > today:
            name = MONTHS[m - 1]
            pre = "d'" if name.startswith(_VOWELS) else "de "
            return DatePhrase(f"fin {name}", f"{pre}fin {name}", f"jusqu'à fin {name}", f"fin {name}", eom)
    if r < 0.27:
        d = today + timedelta(days=1)
        return DatePhrase("demain", "de demain", "jusqu'à demain", "dès demain", d)
    if r < 0.37:
        wd = rng.randrange(7)
        delta = (wd - today.weekday()) % 7 or 7
        d = today + timedelta(days=delta)
        name = DAYS[wd]
        text = f"{name} prochain" if rng.random() < 0.6 else name
        return _rel(text, d)
    if r < 0.42:
        d = today + timedelta(days=7 - today.weekday())
        return DatePhrase(
            "la semaine prochaine",
            "de la semaine prochaine",
            "jusqu'à lundi prochain",  # "jusqu'à la semaine prochaine" would not pin a day
            "à partir de la semaine prochaine",
            d,
        )
    if r < 0.47 and today.month < 12:
        d = date(today.year, 12, 31)
        return DatePhrase("fin décembre", "de fin décembre", "jusqu'à la fin de l'année", "au 31 décembre", d)
    d = today + timedelta(days=rng.randint(max(lo, 1), hi))
    if r < 0.55 and d.month == today.month:
        return _num(day_text(d), d)
    return _num(absolute(d, rng, with_year=rng.random() < 0.6), d)


def _hm(h: int, m: int, rng: random.Random, lang: str = "fr") -> str:
    if lang == "en":
        if m == 0 and rng.random() < 0.6:
            return f"{(h % 12) or 12}{'am' if h < 12 else 'pm'}"
        return f"{h:02d}:{m:02d}"
    r = rng.random()
    if m == 0:
        return rng.choice((f"{h}h", f"{h}h00", f"{h:02d}h", f"{h:02d}:00", f"{h} h"))
    if r < 0.4:
        return f"{h}h{m:02d}"
    if r < 0.7:
        return f"{h:02d}:{m:02d}"
    if r < 0.85:
        return f"{h:02d}h{m:02d}"
    return f"{h} h {m:02d}"


def past_time(sent: datetime, rng: random.Random, lang: str = "fr", max_hours: int = 40) -> TimePhrase:
    """A moment shortly before `sent` ('cette nuit vers 3h', 'hier à 22h45', 'le 04/03 à 03:12')."""
    base = sent.replace(second=0, microsecond=0, tzinfo=None)
    delta = timedelta(minutes=15 + int(max_hours * 60 * rng.random() ** 2))
    t = base - delta
    approx = rng.random() < 0.35
    if approx:
        t = t.replace(minute=(0 if rng.random() < 0.6 else (t.minute // 15) * 15))
        if t >= base:
            t -= timedelta(hours=1)
    hm = _hm(t.hour, t.minute, rng, lang)
    vers = ("vers " if approx else "à ") if lang == "fr" else ("around " if approx else "at ")
    today = base.date()
    if lang == "en":
        if t.date() == today:
            part = "last night" if t.hour < 6 else ("this morning" if t.hour < 12 else "today")
            return TimePhrase(f"{part} {vers}{hm}", f"since {hm} {part}", t)
        if t.date() == today - timedelta(days=1):
            return TimePhrase(f"yesterday {vers}{hm}", f"since yesterday {hm}", t)
        d = absolute_en(t.date(), rng)
        return TimePhrase(f"on {d} {vers}{hm}", f"since {d} {hm}", t)
    if t.date() == today:
        if t.hour < 6:
            part = rng.choice(("cette nuit", "cette nuit", "dans la nuit"))
        elif t.hour < 12:
            part = "ce matin"
        elif t.hour < 18:
            part = rng.choice(("cet après-midi", "aujourd'hui", ""))
        else:
            part = rng.choice(("ce soir", ""))
        when = f"{part} {vers}{hm}".strip()
        since = rng.choice((f"depuis {hm} {part}".strip(), f"depuis {part} {hm}".strip()))
        return TimePhrase(when, since.replace("  ", " "), t)
    if t.date() == today - timedelta(days=1):
        part = "hier soir" if t.hour >= 18 else ("hier matin" if 6 <= t.hour < 12 else "hier")
        return TimePhrase(f"{part} {vers}{hm}", f"depuis {part} {hm}", t)
    d = absolute(t.date(), rng, with_year=rng.random() < 0.4)
    return TimePhrase(f"le {d} {vers}{hm}", f"depuis le {d} {hm}", t)


def stamp(t: datetime, fmt: str) -> str:
    """Tool-style timestamps (Nagios, Centreon, Zabbix, Veeam ...), by format key."""
    if fmt == "nagios":
        return f"{EN_DAYS_ABBR[t.weekday()]} {EN_MONTHS_ABBR[t.month - 1]} {t.day} {t:%H:%M:%S} CET {t.year}"
    if fmt == "centreon":
        return t.strftime("%d-%m-%Y %H:%M:%S")
    if fmt == "iso":
        return t.strftime("%Y-%m-%d %H:%M:%S")
    if fmt == "zabbix_date":
        return t.strftime("%Y.%m.%d")
    if fmt == "fr":
        return t.strftime("%d/%m/%Y %H:%M:%S")
    if fmt == "us":
        return t.strftime("%m/%d/%Y %I:%M:%S %p")
    if fmt == "commvault":
        return f"{EN_DAYS_ABBR[t.weekday()]} {EN_MONTHS_ABBR[t.month - 1]} {t.day:2d} {t:%H:%M:%S} {t.year}"
    if fmt == "veeam_long":
        return f"{EN_DAYS[t.weekday()]}, {t.day} {EN_MONTHS[t.month - 1]} {t.year} {t:%H:%M:%S}"
    if fmt == "veeam_fr":
        return f"{DAYS[t.weekday()]} {t.day} {MONTHS[t.month - 1]} {t.year} {t:%H:%M:%S}"
    if fmt == "mail_fr":
        return f"{DAYS_ABBR[t.weekday()]} {t.day} {MONTHS[t.month - 1]} {t.year} à {t:%H:%M}"
    if fmt == "mail_apple":
        return f"{t.day} {MONTHS[t.month - 1]} {t.year} à {t:%H:%M:%S} UTC+1"
    if fmt == "mail_outlook":
        return f"{DAYS[t.weekday()]} {t.day} {MONTHS[t.month - 1]} {t.year} {t:%H:%M}"
    if fmt == "mail_en":
        return f"{EN_DAYS_ABBR[t.weekday()]}, {EN_MONTHS_ABBR[t.month - 1]} {t.day}, {t.year} at {t:%I:%M %p}"
    raise ValueError(fmt)
