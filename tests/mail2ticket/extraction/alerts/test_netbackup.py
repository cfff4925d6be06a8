"""NetBackup job mails and OpsCenter failure reports."""

from __future__ import annotations

from mail2ticket.extraction.alerts import parse_alert

JOB = """Backup on client srvfic01.client.local by root failed.

Policy = POL_WIN_SRVFIC01
Schedule = Daily-Incr
Start Time = 03/14/2025 10:00:05 PM
Master = nbu-master-01

File list
---------
ALL_LOCAL_DRIVES

EXIT STATUS 58: can't connect to client
"""

REPORT = """OpsCenter Report: Job Failure Summary
Master Server: nbu-master-01
Report period: last 24 hours

Client                Policy                      Status  Start Time
srvdc01               POL_WIN_SRVDC01             0       03/14/2025 10:00:05 PM
srvsql02              POL_SQL_SRVSQL02            96      03/14/2025 10:07:05 PM
srvapp03              POL_WIN_SRVAPP03            0       03/14/2025 10:14:05 PM

Status code 96: unable to allocate new media for backup, storage unit has none available

1 job(s) failed out of 3.
"""


def test_job_mail() -> None:
    found = parse_alert(JOB, "NetBackup: backup of srvfic01.client.local failed")
    assert found is not None and (found.parser, found.category_key) == ("netbackup", "incident_sauvegarde")
    assert found.fields == {
        "hostname": "srvfic01.client.local",
        "job_name": "POL_WIN_SRVFIC01",
        "failure_date": "2025-03-14",
        "error_message": "EXIT STATUS 58: can't connect to client",
    }


def test_successful_job_has_no_failure_fields() -> None:
    text = JOB.replace("failed.", "succeeded.").replace("EXIT STATUS 58: can't connect to client", "EXIT STATUS 0: ok")
    found = parse_alert(text)
    assert found is not None and found.fields == {"hostname": "srvfic01.client.local", "job_name": "POL_WIN_SRVFIC01"}


def test_opscenter_report() -> None:
    found = parse_alert("FYI\n\n---------- Forwarded message ---------\nFrom: NetBackup <nbu@client.fr>\n\n" + REPORT)
    assert found is not None
    assert found.fields == {
        "hostname": "srvsql02",
        "job_name": "POL_SQL_SRVSQL02",
        "failure_date": "2025-03-14",
        "error_message": "Status code 96: unable to allocate new media for backup, storage unit has none available",
    }


def test_subject_form_at_message_start() -> None:
    found = parse_alert("NetBackup backup of client srvfic01 exited with status 58 (can't connect to client)")
    assert found is not None
    assert found.fields == {"hostname": "srvfic01", "error_message": "status 58 (can't connect to client)"}


def test_human_mail_is_not_an_alert() -> None:
    text = "Bonjour, la sauvegarde NetBackup de srvfic01 a échoué (status 58). Pouvez-vous relancer ?"
    assert parse_alert(text) is None
    quoted = (
        "OK merci.\n\nOn Fri, Mar 14, 2025, Jean wrote:\n> NetBackup backup of client srvfic01 exited with status 58"
    )
    assert parse_alert(quoted) is None
