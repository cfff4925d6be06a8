"""Icinga notifications: Icinga 2's ``mail-*-notification.sh`` mails and Icinga 1's Nagios ones.

Icinga 2 (``/etc/icinga2/scripts/mail-service-notification.sh``) writes::

    ***** Service Monitoring on $ICINGA2HOST *****

    $SERVICEDISPLAYNAME on $HOSTDISPLAYNAME is $SERVICESTATE!

    Info:    $SERVICEOUTPUT

    When:    $LONGDATETIME          (2025-03-14 10:23:45 +0100)
    Service: $SERVICENAME
    Host:    $HOSTNAME
    IPv4:    $HOSTADDRESS

and for hosts ``***** Host Monitoring on … *****`` / ``$HOSTDISPLAYNAME is $HOSTSTATE!``,
subject ``[$NOTIFICATIONTYPE] … is $STATE!``. Translated copies of the script use ``Quand``,
``Hôte`` and ``… sur … est …``. The object names (``Host:``, ``Service:``) win over the
display names of the headline, which are read only when the labels are missing. Icinga 1 and
early Icinga 2 sample configs kept the Nagios layout under ``***** Icinga *****``: that is
:mod:`.nagios`' reader.
"""

from __future__ import annotations

import re

from . import nagios
from ._dates import iso_datetime
from ._model import ParsedAlert, compact
from ._text import block_end, clean_lines, find, severity_of_state, value

_BANNER = re.compile(r"\*{3,}\s*(?P<kind>Service|Host|H[ôo]te)\s+(?:Monitoring|Supervision)\b", re.IGNORECASE)
_HEADLINE = re.compile(
    r"^\s*(?:(?P<service>.+?)\s+(?:on|sur)\s+)?(?P<host>\S.*?)\s+(?:is|est)\s+(?P<state>[A-Z]+)\s*!\s*$"
)
_SUBJECT = re.compile(
    r"\[(?P<type>[A-Z]+)\]\s*(?:(?P<service>.+?)\s+(?:on|sur)\s+)?(?P<host>\S+?)\s+(?:is|est)\s+(?P<state>[A-Z]+)"
)


def _parse_icinga2(text: str, subject: str | None) -> ParsedAlert | None:
    lines = clean_lines(text)
    banner = find(lines, _BANNER)
    if banner is None:
        return None
    stop = block_end(lines, banner)
    when = value(lines, (r"When", r"Quand", r"Date"), banner, stop)
    host = value(lines, (r"Host", r"H[ôo]te"), banner, stop)
    service = value(lines, (r"Service",), banner, stop)
    headline_at = find(lines, _HEADLINE, banner + 1, stop)
    headline = _HEADLINE.match(lines[headline_at]) if headline_at is not None else None
    if headline is None and subject:
        headline = _SUBJECT.search(subject)
    if headline is None or not (host or headline["host"]):
        return None
    is_service = _BANNER.match(lines[banner].strip()) and "service" in lines[banner].lower()
    fields = {
        "hostname": host or headline["host"],
        "service": (service or headline["service"]) if is_service else None,
        "severity": severity_of_state(headline["state"]),
        "alert_time": iso_datetime(when),
    }
    return ParsedAlert("icinga", "supervision", compact(fields))


def parse(text: str, subject: str | None = None) -> ParsedAlert | None:
    """An Icinga 2 notification, or an Icinga 1 one in the Nagios layout."""
    found = _parse_icinga2(text, subject)
    if found is not None:
        return found
    block = nagios.read_block(text, subject)
    if block is not None and block[0] == "icinga":
        return ParsedAlert("icinga", "supervision", block[1])
    return None
