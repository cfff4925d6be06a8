"""Centreon notifications: the Nagios-style text mail (English or French) and the HTML one.

Centreon's default ``service-notify-by-email`` command keeps the Nagios layout under a
``***** centreon Notification *****`` banner; French deployments translate the labels
(``Type de notification``, ``Hôte``, ``État``, ``Date/Heure``, ``Informations
complémentaires``). Both are read by :mod:`.nagios`' reader. Newer Centreon versions send an
HTML mail (a ``Centreon notification`` title, the notification type, then a table ``Host``,
``Service``, ``Status``, ``Duration``, ``Date``, ``Output``) that reaches us HTML-stripped:
``Label<TAB>value`` or label and value on consecutive lines.
"""

from __future__ import annotations

import re

from . import nagios
from ._dates import iso_datetime
from ._model import ParsedAlert, compact
from ._text import block_end, clean_lines, find, severity_of_state, value

_HTML_TITLE = re.compile(r"^\s*Centreon\s+notification\s*$", re.IGNORECASE)


def _parse_html(text: str) -> ParsedAlert | None:
    lines = clean_lines(text)
    title = find(lines, _HTML_TITLE)
    if title is None:
        return None
    stop = min(block_end(lines, title), title + 40)
    host = value(lines, (r"Host", r"H[ôo]te"), title, stop)
    status = value(lines, (r"Status", r"[ÉE]tat", r"Statut"), title, stop)
    if not host or not status:
        return None
    fields = {
        "hostname": host,
        "service": value(lines, (r"Service",), title, stop),
        "severity": severity_of_state(status),
        "alert_time": iso_datetime(value(lines, (r"Date", r"Date\s*/\s*(?:Time|Heure)"), title, stop)),
    }
    return ParsedAlert("centreon", "supervision", compact(fields))


def parse(text: str, subject: str | None = None) -> ParsedAlert | None:
    """A Centreon notification, text (EN/FR) or HTML-stripped."""
    found = nagios.read_block(text, subject)
    if found is not None and found[0] == "centreon":
        return ParsedAlert("centreon", "supervision", found[1])
    return _parse_html(text)
