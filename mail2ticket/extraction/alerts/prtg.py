"""PRTG Network Monitor notifications (default e-mail template, English or French).

PRTG's default template (``%device %name %status %down (%message)`` as subject and title)
lists ``Sensor``, ``Status``, ``Date/Time``, ``Last Result``, ``Last Message``, ``Probe``,
``Group``, ``Device``, ``Last Scan``, ``Last Up``, ``Last Down``, ``Uptime``…, as
``Label: value`` in the text part or a two-column table once HTML is stripped; a French
PRTG says ``Capteur``, ``Appareil``, ``Statut … depuis``, ``Dernier message``. ``Device``
is ``name (address)``: the hostname is the name. The sensor is the service.

Severity: PRTG states are sensor states, and the taxonomy takes the state "as the monitoring
tool reports it", so ``Down`` (also Partial/Acknowledged/ESCALATION) is DOWN - the sensor
is down, even when the device itself answers; ``Warning`` and ``Unusual`` are WARNING,
``Up`` is OK, ``Unknown`` is UNKNOWN; ``Paused`` is left out. ``alert_time`` is the
``Date/Time`` line, else the ``… since <time>`` of the status (never ``Last Scan``).
"""

from __future__ import annotations

import re

from ._dates import iso_datetime
from ._model import ParsedAlert, compact
from ._text import block_end, clean_lines, labelled, strip_address, value

_SENSOR = (r"Sensor", r"Capteur")
_DEVICE = (r"Device", r"Appareil", r"P[ée]riph[ée]rique")
_STATUS = (r"Status", r"Statut", r"[ÉE]tat")
_STATES = (
    (re.compile(r"^(?:Down|En\s+[ée]chec|Erreur|Error)\b", re.IGNORECASE), "DOWN"),
    (re.compile(r"^(?:Warning|Avertissement|Unusual|Inhabituel)\b", re.IGNORECASE), "WARNING"),
    (re.compile(r"^(?:Up|OK|Disponible|Succ[èe]s)\b", re.IGNORECASE), "OK"),
    (re.compile(r"^(?:Unknown|Inconnu)\b", re.IGNORECASE), "UNKNOWN"),
)
_SINCE = re.compile(r"\b(?:since|depuis)\s+(?P<moment>.+)$", re.IGNORECASE)
_PRTG = re.compile(r"PRTG|State\s+Trigger|Last\s+Scan|Dernier\s+scan|Last\s+Message|Dernier\s+message", re.I)


def prtg_severity(status: str) -> str | None:
    """DOWN, WARNING, OK or UNKNOWN for a PRTG status (see the module's doc)."""
    return next((severity for pattern, severity in _STATES if pattern.match(status.strip())), None)


def parse(text: str, subject: str | None = None) -> ParsedAlert | None:
    """A PRTG sensor notification: Sensor, Device and Status lines next to each other."""
    lines = clean_lines(text)
    found = labelled(lines, _SENSOR)
    while found is not None:
        start = max(0, found.index - 12)
        stop = min(block_end(lines, found.index), found.index + 25)
        device = value(lines, _DEVICE, start, stop)
        status = value(lines, _STATUS, start, stop)
        if device and status and any(_PRTG.search(line) for line in lines[start:stop]):
            since = _SINCE.search(status)
            moment = value(lines, (r"Date\s*/\s*(?:Time|Heure)",), start, stop) or (since and since["moment"])
            fields = {
                "hostname": strip_address(device),
                "service": found.value,
                "severity": prtg_severity(status),
                "alert_time": iso_datetime(moment),
            }
            return ParsedAlert("prtg", "supervision", compact(fields))
        found = labelled(lines, _SENSOR, found.index + 1)
    return None
