# ruff: noqa: E501  (notification texts are kept as the tools print them)
"""Zabbix default problem / recovery messages (English, French, 3.x legacy)."""

from __future__ import annotations

from mail2ticket.extraction.alerts import parse_alert
from mail2ticket.extraction.alerts.zabbix import service_of

PROBLEM = """Problem started at 03:12:45 on 2025.03.14
Problem name: Linux: FS [/var]: Space is critically low (used > 90%)
Host: srv-web-01
Severity: High
Operational data: Space used: 95.2 GB of 100 GB
Original problem ID: 4875123
"""

RESOLVED = """Problem has been resolved at 03:40:02 on 2025.03.14
Problem name: Unavailable by ICMP ping
Problem duration: 27m 17s
Host: SW-ETAGE2
Severity: Disaster
Original problem ID: 4875124
"""

FRENCH = """Problème démarré à 14:37:10 le 2025.03.29
Nom du problème : Windows: "MSSQLSERVER" (SQL Server (MSSQLSERVER)) is not running (startup type automatic)
Hôte : VM-SQL-02
Sévérité : Moyenne
Données opérationnelles : Current state: stopped
ID du problème d'origine : 99812
"""


def test_problem() -> None:
    found = parse_alert(PROBLEM, "Problem: Linux: FS [/var]: Space is critically low (used > 90%)")
    assert found is not None and (found.parser, found.category_key) == ("zabbix", "supervision")
    assert found.fields == {
        "hostname": "srv-web-01",
        "service": "FS [/var]",
        "severity": "CRITICAL",
        "alert_time": "2025-03-14T03:12:45",
    }


def test_recovery_is_ok_at_resolution_time() -> None:
    found = parse_alert(RESOLVED)
    assert found is not None
    assert found.fields == {
        "hostname": "SW-ETAGE2",
        "service": "ICMP ping",
        "severity": "OK",
        "alert_time": "2025-03-14T03:40:02",
    }


def test_french_forwarded_with_quotes() -> None:
    text = "FYI\n\nDébut du message transféré :\n\n" + "\n".join("> " + line for line in FRENCH.splitlines())
    found = parse_alert(text)
    assert found is not None
    assert found.fields == {
        "hostname": "VM-SQL-02",
        "service": "MSSQLSERVER",
        "severity": "WARNING",
        "alert_time": "2025-03-29T14:37:10",
    }


def test_information_severity_is_left_out() -> None:
    found = parse_alert(PROBLEM.replace("Severity: High", "Severity: Information"))
    assert found is not None and "severity" not in found.fields
    found = parse_alert(PROBLEM.replace("Severity: High", "Severity: Not classified"))
    assert found is not None and found.fields["severity"] == "UNKNOWN"


def test_legacy_trigger_message() -> None:
    text = (
        "Trigger: Processor load is too high on srv-app-03\nTrigger status: PROBLEM\nTrigger severity: Warning\n"
        "Trigger URL:\n\nItem values:\n\n1. Processor load (1 min average per core) (srv-app-03:system.cpu.load[percpu,avg1]): 5.2\n"
        "2. *UNKNOWN* (*UNKNOWN*:*UNKNOWN*): *UNKNOWN*\n\nOriginal event ID: 1234"
    )
    found = parse_alert(text)
    assert found is not None
    assert found.fields == {"hostname": "srv-app-03", "service": "Processor load", "severity": "WARNING"}


def test_service_shapes_of_official_templates() -> None:
    assert service_of("High CPU utilization (over 90% for 5m)") == "CPU utilization"
    assert service_of("VMware: Free space is critically low on datastore DS_PROD_01") == "datastore DS_PROD_01"
    assert service_of("MySQL status: service is down") == "MySQL status"
    assert service_of("Something odd") == "Something odd"


def test_human_mail_is_not_an_alert() -> None:
    assert parse_alert("Zabbix indique Problem name: disque plein sur srv-web-01, vous regardez ?") is None
