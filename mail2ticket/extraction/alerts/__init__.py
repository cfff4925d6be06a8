"""Parsers of machine-written alerts: fields filled exactly and instantly, no model involved.

Monitoring and backup tools send notifications in fixed default formats; reading them by
rule is exact and free, so the extractor model only has to handle human-written mail and
whatever these parsers do not recognise. One module per format family:

- :mod:`.icinga`: Icinga 2 ``mail-*-notification.sh`` mails, Icinga 1 (Nagios layout);
- :mod:`.centreon`: Centreon's text mail (English, French) and HTML mail;
- :mod:`.nagios`: Nagios Core / Naemon ``notify-*-by-email`` mails and alert subject lines;
- :mod:`.zabbix`: Zabbix default problem / recovery messages (English, French, 3.x legacy);
- :mod:`.prtg`: PRTG default notification (English, French);
- :mod:`.veeam`: Veeam Backup & Replication / Veeam Agent job reports;
- :mod:`.commvault`: Commvault job alerts and job summaries;
- :mod:`.netbackup`: NetBackup job mails and OpsCenter failure reports.

API: :func:`parse_alert` tries :data:`PARSERS` in order on the whole e-mail (a thread is fine:
quoting, forwards and a client's note above are looked through) and returns the first
:class:`ParsedAlert`, or None when no tool format is recognised. Parsers key on several
labelled lines of a format, never on a tool's name alone, so a human e-mail that mentions
Nagios or quotes one line of an alert is not taken for a notification. A recovery (OK, UP,
Resolved) parses too (severity OK); whether it makes a ticket is the classifier's call.

Field values are copied from the mail (hostname exactly as written); dates are ISO strings
(``failure_date`` ``YYYY-MM-DD``, ``alert_time`` ``YYYY-MM-DDTHH:MM:SS``, naive local
wall-clock time); a field the notification does not state is absent. Severity mappings are
documented in each module.
"""

from __future__ import annotations

from . import centreon, commvault, icinga, nagios, netbackup, prtg, veeam, zabbix
from ._model import ParsedAlert, Parser

#: The registry, tried in order. Icinga and Centreon come before Nagios because they share
#: its layout (the Nagios parser leaves their banners to them); the order of the rest is free.
PARSERS: tuple[Parser, ...] = (
    icinga.parse,
    centreon.parse,
    nagios.parse,
    zabbix.parse,
    prtg.parse,
    veeam.parse,
    commvault.parse,
    netbackup.parse,
)


def parse_alert(text: str, subject: str | None = None) -> ParsedAlert | None:
    """The first tool notification recognised in ``text`` (an e-mail or thread), or None."""
    if not text or not text.strip():
        return None
    for parser in PARSERS:
        found = parser(text, subject)
        if found is not None:
            return found
    return None


__all__ = ["PARSERS", "ParsedAlert", "Parser", "parse_alert"]
