# ruff: noqa: E501  (notification texts are kept as the tools print them)
"""Nagios / Naemon notifications in their commands.cfg default format, as sent and as wrapped."""

from __future__ import annotations

from mail2ticket.extraction.alerts import parse_alert

SERVICE_PROBLEM = """***** Nagios *****

Notification Type: PROBLEM

Service: Disk /var
Host: srv-web-01
Address: 10.0.4.21
State: CRITICAL

Date/Time: Fri Mar 14 03:12:45 CET 2025

Additional Info:

DISK CRITICAL - free space: /var 312 MB (3.1% inode=88%);
"""

HOST_DOWN = """***** Nagios *****

Notification Type: PROBLEM
Host: SRVFIC02
State: DOWN
Address: 192.168.1.12
Info: PING CRITICAL - Packet loss = 100%

Date/Time: Mon Jan 6 22:05:01 CET 2025
"""


def test_service_problem() -> None:
    found = parse_alert(SERVICE_PROBLEM, "** PROBLEM Service Alert: srv-web-01/Disk /var is CRITICAL **")
    assert found is not None
    assert (found.parser, found.category_key) == ("nagios", "supervision")
    assert found.fields == {
        "hostname": "srv-web-01",
        "service": "Disk /var",
        "severity": "CRITICAL",
        "alert_time": "2025-03-14T03:12:45",
    }


def test_host_down_has_no_service() -> None:
    found = parse_alert(HOST_DOWN)
    assert found is not None and found.parser == "nagios"
    assert found.fields == {"hostname": "SRVFIC02", "severity": "DOWN", "alert_time": "2025-01-06T22:05:01"}


def test_recovery_is_ok() -> None:
    text = SERVICE_PROBLEM.replace("PROBLEM", "RECOVERY").replace("State: CRITICAL", "State: OK")
    found = parse_alert(text)
    assert found is not None and found.fields["severity"] == "OK"
    host_up = HOST_DOWN.replace("State: DOWN", "State: UP")
    found = parse_alert(host_up)
    assert found is not None and found.fields["severity"] == "OK"


def test_naemon_banner_is_nagios() -> None:
    found = parse_alert(SERVICE_PROBLEM.replace("***** Nagios *****", "***** Naemon *****"))
    assert found is not None and found.parser == "nagios"


def test_forwarded_under_a_note() -> None:
    text = (
        "Bonjour,\n\nPouvez-vous regarder ? Le site est lent.\n\nCordialement,\nJ. Martin\n\n"
        "---------- Forwarded message ---------\nFrom: Nagios <nagios@client.fr>\n"
        "Date: Fri, Mar 14, 2025 at 03:13 AM\nSubject: ** PROBLEM Service Alert: srv-web-01/Disk /var is CRITICAL **\n"
        "To: <dsi@client.fr>\n\n" + SERVICE_PROBLEM
    )
    found = parse_alert(text, "TR: ** PROBLEM Service Alert: srv-web-01/Disk /var is CRITICAL **")
    assert found is not None
    assert found.fields["hostname"] == "srv-web-01" and found.fields["service"] == "Disk /var"


def test_quoted_with_angle_brackets_and_extra_spaces() -> None:
    quoted = "\n".join("> " + line.replace(": ", ":   ") for line in SERVICE_PROBLEM.splitlines())
    text = "Le 14/03/2025 à 03:13, Nagios <nagios@client.fr> a écrit :\n" + quoted
    found = parse_alert("Toujours d'actualité ?\n\n" + text)
    assert found is not None
    assert found.fields == {
        "hostname": "srv-web-01",
        "service": "Disk /var",
        "severity": "CRITICAL",
        "alert_time": "2025-03-14T03:12:45",
    }


def test_flattened_by_the_ticketing_tool() -> None:
    found = parse_alert(SERVICE_PROBLEM.replace("\n", "*"))
    assert found is not None and found.fields["alert_time"] == "2025-03-14T03:12:45"


def test_subject_line_body_at_message_start() -> None:
    body = "** PROBLEM Service Alert: SRVSQL01/Disk D: is WARNING **\n\nWARNING - D: 88% used\n\nTue Feb 4 10:01:02 CET 2025"
    found = parse_alert(body)
    assert found is not None
    assert found.fields == {
        "hostname": "SRVSQL01",
        "service": "Disk D:",
        "severity": "WARNING",
        "alert_time": "2025-02-04T10:01:02",
    }
    sms = parse_alert("PROBLEM - SRVSQL01/CPU Load is CRITICAL - CRITICAL - load average: 12.1")
    assert sms is not None and sms.fields == {"hostname": "SRVSQL01", "service": "CPU Load", "severity": "CRITICAL"}


def test_human_mail_mentioning_nagios_is_not_an_alert() -> None:
    assert parse_alert("Bonjour, Nagios nous remonte une alerte CRITICAL sur SRVFIC02 depuis hier soir.") is None
    assert parse_alert("Host: SRVFIC02\nMerci de regarder, State: pas bon du tout.") is None


def test_reply_quoting_one_line_is_not_an_alert() -> None:
    text = (
        "Bonjour,\n\nC'est corrigé de notre côté.\n\nLe 14/03/2025 à 09:00, Jean <jean@client.fr> a écrit :\n"
        "> On a reçu ça :\n> ** PROBLEM Service Alert: srv-web-01/Disk /var is CRITICAL **\n> Vous regardez ?"
    )
    assert parse_alert(text) is None
