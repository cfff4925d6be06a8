"""Centreon text mails (English default, French translation) and HTML mail, stripped."""

from __future__ import annotations

from mail2ticket.extraction.alerts import parse_alert

ENGLISH = """***** centreon Notification *****

Notification Type: PROBLEM

Service: Ping
Host: SRVFIC02
Address: 10.0.0.12
State: CRITICAL

Date/Time: 14-03-2025 02:10:33

Additional Info:

CRITICAL - 10.0.0.12: rta nan, lost 100%
"""

FRENCH = """***** Centreon *****

Type de notification : PROBLEM

Service : Espace disque D:
Hôte : SRV-ERP-01
Adresse : 10.0.0.30
État : WARNING

Date/Heure : 03-02-2025 14:05:00

Informations complémentaires :

WARNING - D:\\ 88% used
"""

HTML = """Centreon notification

PROBLEM

Host\tsrvdc01
Service\tNTP
Status\tWARNING
Duration\t0d 1h 3m 2s
Date\t2025-03-14 08:01:02
Output\tNTP WARNING: Offset 62 secs
"""


def test_english_default() -> None:
    found = parse_alert(ENGLISH, "** PROBLEM SRVFIC02/Ping is CRITICAL **")
    assert found is not None and (found.parser, found.category_key) == ("centreon", "supervision")
    assert found.fields == {
        "hostname": "SRVFIC02",
        "service": "Ping",
        "severity": "CRITICAL",
        "alert_time": "2025-03-14T02:10:33",
    }


def test_centreon_split_date_and_time() -> None:
    text = ENGLISH.replace("Date/Time: 14-03-2025 02:10:33", "Date/Time: 14-03-2025 Time: 02:10:33")
    found = parse_alert(text)
    assert found is not None and found.fields["alert_time"] == "2025-03-14T02:10:33"


def test_french_labels() -> None:
    found = parse_alert(FRENCH)
    assert found is not None and found.parser == "centreon"
    assert found.fields == {
        "hostname": "SRV-ERP-01",
        "service": "Espace disque D:",
        "severity": "WARNING",
        "alert_time": "2025-02-03T14:05:00",
    }


def test_french_recovery_forwarded_from_outlook() -> None:
    text = (
        "Pour info, c'est revenu.\n\n-------- Message transféré --------\nSujet : \t[Centreon] RECOVERY\n"
        "Date : \tlundi 3 février 2025 14:20\nDe : \tCentreon <centreon@client.fr>\nPour : \tdsi@client.fr\n\n"
        + FRENCH.replace("PROBLEM", "RECOVERY").replace("État : WARNING", "État : OK")
    )
    found = parse_alert(text)
    assert found is not None and found.fields["severity"] == "OK" and found.fields["hostname"] == "SRV-ERP-01"


def test_html_stripped_tab_or_next_line() -> None:
    found = parse_alert(HTML)
    assert found is not None and found.parser == "centreon"
    assert found.fields == {
        "hostname": "srvdc01",
        "service": "NTP",
        "severity": "WARNING",
        "alert_time": "2025-03-14T08:01:02",
    }
    stacked = parse_alert(HTML.replace("\t", "\n"))
    assert stacked is not None and stacked.fields == found.fields


def test_human_mail_is_not_an_alert() -> None:
    assert parse_alert("Bonjour, on a une alerte Centreon sur le ping de SRVFIC02 depuis cette nuit.") is None
