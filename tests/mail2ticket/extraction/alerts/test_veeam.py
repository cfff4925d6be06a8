# ruff: noqa: E501  (notification texts are kept as the tools print them)
"""Veeam Backup & Replication and Veeam Agent job reports (HTML mail, stripped to text)."""

from __future__ import annotations

from mail2ticket.extraction.alerts import parse_alert

JOB = """Backup job: BCK_PROD_DAILY
Created by CLIENT\\svc-veeam at 12/05/2023 14:33.
Failed
3 of 3 VMs processed

Friday, 14 March 2025 22:00:05
Success\t2\tStart time\t22:00:05\tTotal size\t1.2 TB\tBackup size\t120 GB
Warning\t0\tEnd time\t23:10:44\tData read\t300 GB\tDedupe\t2.1x
Error\t1\tDuration\t1:10:39\tTransferred\t110 GB\tCompression\t1.8x

Details
Name\tStatus\tStart time\tEnd time\tSize\tRead\tTransferred\tDuration\tDetails
SRVSQL01\tFailed\t22:00:05\t22:31:10\t500 GB\t120 GB\t40 GB\t0:31:05\tError: VSSControl: Failed to freeze guest over network, wait timeout
SRVFIC01\tSuccess\t22:31:10\t23:00:00\t600 GB\t150 GB\t60 GB\t0:28:50
SRVDC01\tSuccess\t23:00:00\t23:10:44\t100 GB\t30 GB\t10 GB\t0:10:44

Veeam Backup & Replication 12.1.2.172
"""


def test_single_failed_vm() -> None:
    found = parse_alert(JOB, "[Failed] BCK_PROD_DAILY (3 VMs) 1 failed")
    assert found is not None and (found.parser, found.category_key) == ("veeam", "incident_sauvegarde")
    assert found.fields == {
        "job_name": "BCK_PROD_DAILY",
        "failure_date": "2025-03-14",
        "hostname": "SRVSQL01",
        "error_message": "Error: VSSControl: Failed to freeze guest over network, wait timeout",
    }


def test_spaces_instead_of_tabs_and_us_date() -> None:
    text = JOB.replace("\t", "   ").replace("Friday, 14 March 2025 22:00:05", "03/04/2025 10:00:05 PM")
    found = parse_alert(text)
    assert found is not None
    assert found.fields["failure_date"] == "2025-03-04"
    assert found.fields["error_message"] == "Error: VSSControl: Failed to freeze guest over network, wait timeout"


def test_two_failed_vms_name_no_server() -> None:
    text = JOB.replace("SRVFIC01\tSuccess", "SRVFIC01\tFailed")
    found = parse_alert(text)
    assert found is not None
    assert found.fields == {"job_name": "BCK_PROD_DAILY", "failure_date": "2025-03-14"}


def test_agent_job_forwarded() -> None:
    agent = (
        "Agent Backup job: BCK_LAPTOP-RH\nCreated by CLIENT\\svc-veeam at 01/02/2024 09:00.\nWarning\n"
        "1 of 1 machines processed\n\n14/03/2025 21:00:00\n\nDetails\n"
        "Name\tStatus\tStart time\tEnd time\tSize\tRead\tTransferred\tDuration\tDetails\n"
        "PC-RH-07\tWarning\t21:00:00\t21:20:00\t50 GB\t5 GB\t2 GB\t0:20:00\tWarning: 14 files were skipped because they were locked.\n"
    )
    text = (
        "Encore un avertissement.\n\nDe : Veeam <veeam@client.fr>\nEnvoyé : vendredi 14 mars 2025 21:21\nÀ : dsi@client.fr\nObjet : [Warning] BCK_LAPTOP-RH\n\n"
        + agent
    )
    found = parse_alert(text)
    assert found is not None
    assert found.fields == {
        "job_name": "BCK_LAPTOP-RH",
        "failure_date": "2025-03-14",
        "hostname": "PC-RH-07",
        "error_message": "Warning: 14 files were skipped because they were locked.",
    }


def test_success_report_has_no_failure_fields() -> None:
    text = JOB.replace("\nFailed\n", "\nSuccess\n").replace("SRVSQL01\tFailed", "SRVSQL01\tSuccess")
    found = parse_alert(text)
    assert found is not None and found.fields == {"job_name": "BCK_PROD_DAILY"}


def test_human_mail_is_not_a_report() -> None:
    assert parse_alert("Bonjour, le Backup job: BCK_PROD_DAILY a échoué cette nuit, merci de relancer.") is None
