"""Nagios-format notifications: Nagios Core, Naemon, Icinga 1 and Centreon's default e-mails.

Nagios Core's sample ``commands.cfg`` defines the format the others kept
(``notify-service-by-email`` / ``notify-host-by-email``)::

    ***** Nagios *****

    Notification Type: $NOTIFICATIONTYPE$

    Service: $SERVICEDESC$
    Host: $HOSTALIAS$
    Address: $HOSTADDRESS$
    State: $SERVICESTATE$

    Date/Time: $LONGDATETIME$

    Additional Info:

    $SERVICEOUTPUT$

with the subject ``** $NOTIFICATIONTYPE$ Service Alert: $HOSTALIAS$/$SERVICEDESC$ is
$SERVICESTATE$ **``; the host variant has ``Host``, ``State`` (UP/DOWN/UNREACHABLE),
``Address``, ``Info`` and no ``Service``. Naemon ships the same commands; Icinga 1 and
Centreon changed the banner (``***** Icinga *****``, ``***** centreon Notification *****``),
Centreon its date (``$DATE$ Time: $TIME$``) and, in French deployments, the labels
(``Type de notification``, ``Hôte``, ``État``, ``Date/Heure``). One reader serves them all;
the banner (or the subject) says which tool wrote it, and each tool's parser keeps only its own.

Besides the block, the subject line alone (``** PROBLEM Service Alert: h/s is CRITICAL **``,
or the SMS-style ``PROBLEM - h/s is CRITICAL - output``) is accepted when it *starts* a
message (the mail itself or a forwarded one): then it is the notification, not a mention.
"""

from __future__ import annotations

import re
from collections.abc import Sequence

from ._dates import iso_datetime
from ._model import ParsedAlert, compact
from ._text import block_end, clean_lines, find, message_starts, severity_of_state, value

_ANCHOR = re.compile(r"^\s*(?:Notification\s+Type|Type\s+de\s+notification)\s*:", re.IGNORECASE)
_CENTREON_TYPE = re.compile(r"^\s*Type\s*:\s*[A-Z]+\s*$")  # Centreon's "Type:$NOTIFICATIONTYPE$"
_BANNER = re.compile(r"\*{3,}\s*(?P<tool>[^*]*?)\s*\*{3,}")
_HOST = (r"H[ôo]te", r"Host")
_SERVICE = (r"Service",)
_STATE = (r"[ÉE]tat", r"State")
_DATE = (r"Date\s*/\s*(?:Time|Heure)", r"Date\s*/\s*Hour", r"Date")
_SHORT = re.compile(
    r"^\W*(?P<type>PROBLEM|RECOVERY|ACKNOWLEDGEMENT|FLAPPING\w*|DOWNTIME\w*|CUSTOM)\s*"
    r"(?:(?P<label>(?:Service|Host)\s+Alert|alerte\s+(?:service|h[ôo]te))\s*:\s*|-\s+)?"
    r"(?P<host>[^/\s]+)(?:\s*/\s*(?P<service>.+?))?\s+(?:is|est)\s+(?P<state>[A-Z]+)!?"
    r"(?:\s*\*\*\s*|\s+-\s+(?P<output>.*))?$",
)
_DATE_LINE = re.compile(r"^\s*(?:Date(?:/Time)?\s*:\s*)?(?:[A-Z][a-z]{2}\s+[A-Z][a-z]{2}\s+\d|\d{1,4}[-/.]\d)")


def family_of(banner: str | None, subject: str | None, french: bool) -> str:
    """Which tool wrote a Nagios-format mail: banner first, then French labels, then subject."""
    for hint in (banner or "", "centreon" if french else "", subject or ""):
        low = hint.lower()
        if "centreon" in low:
            return "centreon"
        if "icinga" in low:
            return "icinga"
        if "nagios" in low or "naemon" in low:
            return "nagios"
    return "nagios"


def _banner(lines: Sequence[str], anchor: int) -> str | None:
    for index in range(max(0, anchor - 4), anchor):
        match = _BANNER.search(lines[index])
        if match and match["tool"]:
            return match["tool"]
    return None


def _anchor(lines: Sequence[str]) -> int | None:
    found = find(lines, _ANCHOR)
    if found is not None:
        return found
    for index, line in enumerate(lines):  # Centreon's own default: banner, then "Type:PROBLEM"
        if _CENTREON_TYPE.match(line) and _banner(lines, index):
            return index
    return None


def _alert_time(raw: str | None) -> str | None:
    """ISO time of the ``Date/Time`` value, Centreon's split ``$DATE$ Time: $TIME$`` included."""
    if raw and re.search(r"\bTime\s*:", raw):  # Centreon: "Date/Time: 03-14-2025 Time: 10:23:45"
        raw = re.sub(r"\s*\bTime\s*:\s*", " ", raw)
    return iso_datetime(raw)


def read_block(text: str, subject: str | None = None) -> tuple[str, dict[str, str]] | None:
    """(tool family, fields) of the Nagios-format block in ``text``, or None."""
    lines = clean_lines(text)
    anchor = _anchor(lines)
    if anchor is not None:
        start, stop = max(0, anchor - 1), block_end(lines, anchor)
        host = value(lines, _HOST, start, stop)
        state = value(lines, _STATE, start, stop)
        if host and state:
            french = bool(re.match(r"\s*Type\s+de", lines[anchor], re.IGNORECASE))
            fields = {
                "hostname": host,
                "service": value(lines, _SERVICE, start, stop),
                "severity": severity_of_state(state),
                "alert_time": _alert_time(value(lines, _DATE, start, stop)),
            }
            return family_of(_banner(lines, anchor), subject, french), compact(fields)
    return _read_short(lines, subject)


def _read_short(lines: Sequence[str], subject: str | None) -> tuple[str, dict[str, str]] | None:
    """The one-line form, where it starts a message; the date from the lines just below."""
    for start in message_starts(lines):
        match = _SHORT.match(lines[start].strip())
        if match is None or (match["label"] is None and match["output"] is None and "-" not in lines[start]):
            continue
        stop = block_end(lines, start)
        moment = None
        for index in range(start + 1, min(stop, start + 12)):
            if _DATE_LINE.match(lines[index]) and len(lines[index].strip()) <= 48:
                moment = iso_datetime(lines[index])
                if moment:
                    break
        fields = {
            "hostname": match["host"],
            "service": match["service"],
            "severity": severity_of_state(match["state"]),
            "alert_time": moment,
        }
        french = bool(match["label"] and match["label"].lower().startswith("alerte"))
        return family_of(None, subject, french), compact(fields)
    return None


def parse(text: str, subject: str | None = None) -> ParsedAlert | None:
    """A Nagios (or Naemon) notification; Icinga's and Centreon's are left to their parsers."""
    found = read_block(text, subject)
    if found is None or found[0] != "nagios":
        return None
    return ParsedAlert("nagios", "supervision", found[1])
