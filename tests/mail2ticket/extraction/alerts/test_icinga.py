"""Icinga 2 mail-*-notification.sh mails and Icinga 1's Nagios-layout ones."""

from __future__ import annotations

from mail2ticket.extraction.alerts import parse_alert

SERVICE = """***** Service Monitoring on icinga2-master *****

Disk C: on SRVAPP04 is CRITICAL!

Info:    CRITICAL - C:\\ Total: 99.45 GB - Used: 97.1 GB (97.63%)

When:    2025-03-14 10:23:45 +0100
Service: disk-c
Host:    SRVAPP04
IPv4:	 10.1.2.3
"""

HOST = """***** Host Monitoring on icinga2-master *****

SW-CORE-01 is DOWN!

Info:    CRITICAL - Host Unreachable (10.0.0.1)

When:    2025-03-14 10:25:00 +0100
Host:    SW-CORE-01
IPv4:	 10.0.0.1
"""


def test_service_notification_prefers_object_names() -> None:
    found = parse_alert(SERVICE, "[PROBLEM] Disk C: on SRVAPP04 is CRITICAL!")
    assert found is not None and (found.parser, found.category_key) == ("icinga", "supervision")
    assert found.fields == {
        "hostname": "SRVAPP04",
        "service": "disk-c",
        "severity": "CRITICAL",
        "alert_time": "2025-03-14T10:23:45",
    }


def test_host_notification() -> None:
    found = parse_alert(HOST)
    assert found is not None
    assert found.fields == {"hostname": "SW-CORE-01", "severity": "DOWN", "alert_time": "2025-03-14T10:25:00"}


def test_recovery() -> None:
    found = parse_alert(SERVICE.replace("is CRITICAL!", "is OK!"))
    assert found is not None and found.fields["severity"] == "OK"


def test_icinga1_nagios_layout_quoted() -> None:
    text = (
        "***** Icinga  *****\n\nNotification Type: PROBLEM\n\nService: HTTP\nHost: web-02\nAddress: 10.0.0.8\n"
        "State: WARNING\n\nDate/Time: 2025-03-14 10:23:45 +0100\n\nAdditional Info: HTTP WARNING: 404 Not Found\n"
    )
    quoted = "Pour info\n\n" + "\n".join("> " + line for line in text.splitlines())
    found = parse_alert(quoted)
    assert found is not None and found.parser == "icinga"
    assert found.fields == {
        "hostname": "web-02",
        "service": "HTTP",
        "severity": "WARNING",
        "alert_time": "2025-03-14T10:23:45",
    }


def test_human_mail_is_not_an_alert() -> None:
    assert parse_alert("Icinga dit que SRVAPP04 is CRITICAL! Pouvez-vous regarder ?") is None
