"""Zabbix notifications: the default problem / recovery messages of the e-mail media type.

Zabbix 5.0 to 7.x ship these message templates (4.x had them without ``Operational data``)::

    Problem started at {EVENT.TIME} on {EVENT.DATE}          subject: Problem: {EVENT.NAME}
    Problem name: {EVENT.NAME}
    Host: {HOST.NAME}
    Severity: {EVENT.SEVERITY}
    Operational data: {EVENT.OPDATA}
    Original problem ID: {EVENT.ID}

    Problem has been resolved at {EVENT.RECOVERY.TIME} on {EVENT.RECOVERY.DATE}
    Problem name: / Problem duration: / Host: / Severity: / Original problem ID:

``{EVENT.DATE}`` is ``2025.03.14``. French installations translate the templates
(``Problème démarré à … le …``, ``Nom du problème``, ``Hôte``, ``Sévérité``). Zabbix 3.x's
``Trigger: / Trigger status: / Trigger severity:`` message is read too (host from
``Item values``).

Severity (Zabbix has six levels, the taxonomy Nagios-like states): Disaster and High are
CRITICAL; Average and Warning are WARNING; Not classified is UNKNOWN; Information has no
counterpart (it is not a fault, nor a recovery) and is left out; a resolved problem is OK.
``alert_time`` is the time the mail reports: the start of a problem, the resolution of a
recovery.

Zabbix mails have no service field: the item is inside the trigger (problem) name. The
service is taken from the official templates' trigger-name shapes (``Linux: FS [/var]: Space
is low`` → ``FS [/var]``, ``Windows: "W32Time" (…) is not running`` → ``W32Time``,
``Unavailable by ICMP ping`` → ``ICMP ping``, ``High CPU utilization (…)`` → ``CPU
utilization``, ``<thing> is|has|failed|expires …`` → ``<thing>``), a substring of the
problem name; when none fits, the whole problem name is the service.
"""

from __future__ import annotations

import re

from ._dates import iso_datetime
from ._model import ParsedAlert, compact
from ._text import block_end, clean_lines, find, value

_STARTED = re.compile(
    r"^\s*(?:Problem\s+started|Probl[èe]me\s+d[ée]marr[ée])\s+(?:at|[àa])\s+(?P<time>\d{1,2}:\d{2}(?::\d{2})?)"
    r"\s+(?:on|le)\s+(?P<date>\d{4}[./-]\d{1,2}[./-]\d{1,2})",
    re.IGNORECASE,
)
_RESOLVED = re.compile(
    r"^\s*(?:Problem\s+has\s+been\s+resolved|Probl[èe]me\s+r[ée]solu)(?:\s+in\s+\S+)?\s+(?:at|[àa])\s+"
    r"(?P<time>\d{1,2}:\d{2}(?::\d{2})?)\s+(?:on|le)\s+(?P<date>\d{4}[./-]\d{1,2}[./-]\d{1,2})",
    re.IGNORECASE,
)
_TRIGGER = re.compile(r"^\s*Trigger\s*:\s*\S", re.IGNORECASE)
_ITEM_HOST = re.compile(r"^\s*\d+\.\s.*\((?P<host>[^():\s]+):[^)]*\)\s*:")
_SEVERITY = {
    "disaster": "CRITICAL",
    "désastre": "CRITICAL",
    "desastre": "CRITICAL",
    "high": "CRITICAL",
    "haute": "CRITICAL",
    "élevée": "CRITICAL",
    "average": "WARNING",
    "moyenne": "WARNING",
    "warning": "WARNING",
    "avertissement": "WARNING",
    "not classified": "UNKNOWN",
    "non classé": "UNKNOWN",
    "non classe": "UNKNOWN",
}
_TEMPLATE_PREFIX = re.compile(
    r"^(?:Linux|Windows|VMware|Exchange|Dell iDRAC|HPE? iLO|Cisco(?: IOS)?|Proxmox|Hyper-V|SNMP)\s*:\s+",
    re.IGNORECASE,
)
_SERVICE_SHAPES = (
    re.compile(r'^"(?P<svc>[^"]+)"(?:\s.*)?\sis\s+not\s+running'),  # Windows service
    re.compile(r"^(?P<svc>FS \[[^\]]+\]|[^:]+\[[^\]]+\]):\s"),  # FS [/var]: Space is low
    re.compile(r"^Unavailable by (?P<svc>.+)$", re.IGNORECASE),
    re.compile(r"^High (?P<svc>\w+ utilization)\b", re.IGNORECASE),
    re.compile(r"\bon (?P<svc>datastore \S+)$", re.IGNORECASE),
    re.compile(r"has been restarted \((?P<svc>uptime)\b"),
    re.compile(r"^(?P<svc>[^:]+?\s+status):\s"),  # MySQL status: service is down
    re.compile(r"^(?P<svc>.+?)\s+(?:is|has|have|failed|expires|exceeds|changed)\b"),
)


def zabbix_severity(word: str | None) -> str | None:
    """The taxonomy severity of a Zabbix severity name (Information: None)."""
    return _SEVERITY.get(" ".join((word or "").split()).lower())


def service_of(problem: str) -> str:
    """The monitored item named inside a trigger name (see the module's doc)."""
    name = _TEMPLATE_PREFIX.sub("", problem.strip())
    for shape in _SERVICE_SHAPES:
        match = shape.search(name)
        if match:
            return match["svc"].strip()
    return problem.strip()


def _parse_default(text: str) -> ParsedAlert | None:
    lines = clean_lines(text)
    anchor = find(lines, _STARTED)
    resolved = anchor is None
    if resolved:
        anchor = find(lines, _RESOLVED)
    if anchor is None:
        return None
    stop = block_end(lines, anchor)
    problem = value(lines, (r"Problem\s+name", r"Nom\s+du\s+probl[èe]me"), anchor, stop)
    host = value(lines, (r"Host", r"H[ôo]te"), anchor, stop)
    if not problem or not host:
        return None
    head = (_RESOLVED if resolved else _STARTED).match(lines[anchor])
    assert head is not None
    severity = "OK" if resolved else zabbix_severity(value(lines, (r"Severity", r"S[ée]v[ée]rit[ée]"), anchor, stop))
    fields = {
        "hostname": host,
        "service": service_of(problem),
        "severity": severity,
        "alert_time": iso_datetime(f"{head['date']} {head['time']}"),
    }
    return ParsedAlert("zabbix", "supervision", compact(fields))


def _parse_legacy(text: str) -> ParsedAlert | None:
    """Zabbix 1.8-3.4's default: ``Trigger:``, ``Trigger status:``, ``Trigger severity:``, items."""
    lines = clean_lines(text)
    anchor = find(lines, _TRIGGER)
    if anchor is None:
        return None
    stop = block_end(lines, anchor)
    status = value(lines, (r"Trigger\s+status",), anchor, stop)
    trigger = value(lines, (r"Trigger",), anchor, stop)
    item = find(lines, _ITEM_HOST, anchor, stop)
    if not status or not trigger or item is None:
        return None
    host_match = _ITEM_HOST.match(lines[item])
    assert host_match is not None
    ok = status.strip().upper() in {"OK", "RESOLVED"}
    severity = "OK" if ok else zabbix_severity(value(lines, (r"Trigger\s+severity",), anchor, stop))
    fields = {"hostname": host_match["host"], "service": service_of(trigger), "severity": severity}
    return ParsedAlert("zabbix", "supervision", compact(fields))


def parse(text: str, subject: str | None = None) -> ParsedAlert | None:
    """A Zabbix problem or recovery notification (default message templates)."""
    return _parse_default(text) or _parse_legacy(text)
