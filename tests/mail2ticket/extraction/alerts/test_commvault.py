"""Commvault job alerts and job summaries."""

from __future__ import annotations

from mail2ticket.extraction.alerts import parse_alert

ALERT = """Alert: Data Protection Job Failed
Type: Job Management - Data Protection
Detected Criteria: Job Failed
Detected Time: Sat Mar 15 01:02:03 2025
CommCell: CS-BCS-PRD
User: admin
Job ID: 4512877
Status: Failed
Storage Policies Used: SP_CLI_30J
Client: SRVERP01
Agent Type: Windows File System
Subclient: SC_ERP_DATA
Backup Level: Incremental
Start Time: Fri Mar 14 22:15:00 2025
End Time: Sat Mar 15 01:02:03 2025
Failure Reason: Error Code: [19:599] Loss of control process cvd. Possible causes: 1. The control process has
unexpectedly died. 2. The communication to the control process machine went down.
"""


def test_alert() -> None:
    found = parse_alert(ALERT, "Commvault Alert: Job Failed - SRVERP01 - Job ID 4512877")
    assert found is not None and (found.parser, found.category_key) == ("commvault", "incident_sauvegarde")
    assert found.fields == {
        "hostname": "SRVERP01",
        "job_name": "SC_ERP_DATA",
        "failure_date": "2025-03-14",
        "error_message": "Error Code: [19:599] Loss of control process cvd.",
    }


def test_summary_wrapped_reason_and_backup_set_fallback() -> None:
    text = (
        "Job Summary\n\nJob ID: 778\nStatus: Failed\nCommCell: CV01\nClient: lnx-db-02\nAgent Type: Linux File System\n"
        "Backup Set: defaultBackupSet\nStart Time: 03/14/2025 10:15:00 PM\n"
        "Failure Reason: Error Code: [32:392] Writing to the media\nfailed.\n\nPlease check the job details."
    )
    found = parse_alert(text)
    assert found is not None
    assert found.fields == {
        "hostname": "lnx-db-02",
        "job_name": "defaultBackupSet",
        "failure_date": "2025-03-14",
        "error_message": "Error Code: [32:392] Writing to the media failed.",
    }


def test_forwarded_quoted() -> None:
    text = "Merci de relancer.\n\nLe 15/03/2025 à 01:05, Commvault a écrit :\n" + "\n".join(
        "> " + line for line in ALERT.splitlines()
    )
    found = parse_alert(text)
    assert found is not None and found.fields["hostname"] == "SRVERP01"


def test_human_mail_is_not_an_alert() -> None:
    assert parse_alert("Le Job ID: 4512877 est en échec, Client: SRVERP01, merci de regarder.") is None
