"""Answer normalisation: copied values checked against the e-mail, dates never resolved against today."""

from __future__ import annotations

from datetime import datetime

from mail2ticket.extraction.schema import copied_from, keep_copied, validate_fields
from mail2ticket.taxonomy import load_taxonomy

TAXONOMY = load_taxonomy()
RESTORE = TAXONOMY.by_key("restauration")
CREATION = TAXONOMY.by_key("strategie_creation")
RECEIVED = datetime(2025, 3, 14, 9, 30)  # a Friday

EMAIL = (
    "Bonjour,\n\nPouvez-vous restaurer le dossier \\\\srvfic01\\compta\\2024 du serveur SRVFIC01\n"
    'dans l\'état du 12/03 vers  D:\\Restore ? Le job "BCK_SRVFIC01_DAILY" a échoué.\n'
    "> Erreur : Access is\n> denied (0x80070005)\nMerci"
)


def test_a_copied_value_is_kept_only_if_the_email_contains_it() -> None:
    assert copied_from("\\\\srvfic01\\compta\\2024", EMAIL) == "\\\\srvfic01\\compta\\2024"
    assert copied_from("\\\\srvfic01\\compta\\2025", EMAIL) is None  # invented
    assert copied_from("\\\\SRVFIC01\\compta\\2024", EMAIL) is None  # paths keep their case
    assert copied_from("BCK_SRVFIC01_DAILY", EMAIL) == "BCK_SRVFIC01_DAILY"
    assert copied_from("BCK_SRVFIC01_WEEKLY", EMAIL) is None


def test_whitespace_quotes_and_edge_punctuation_do_not_count() -> None:
    assert copied_from("vers D:\\Restore", EMAIL) == "vers D:\\Restore"  # two spaces in the e-mail
    assert copied_from('"BCK_SRVFIC01_DAILY".', EMAIL) == "BCK_SRVFIC01_DAILY"  # trimmed, then found
    assert copied_from("« D:\\Restore »", EMAIL) == "D:\\Restore"
    assert copied_from("D:", "Disque D: plein") == "D:"  # found as written: the colon stays
    # An error message wrapped over quoted reply lines is still the e-mail's text.
    assert copied_from("Access is denied (0x80070005)", EMAIL) == "Access is denied (0x80070005)"
    assert copied_from("   ", EMAIL) is None and copied_from('""', EMAIL) is None


def test_hostnames_are_looked_for_without_case_and_take_the_emails_spelling() -> None:
    assert copied_from("srvfic01", "alerte sur SRVFIC01 depuis cette nuit", ignore_case=True) == "SRVFIC01"
    assert copied_from("srvfic01", "alerte sur SRVFIC01 depuis cette nuit") is None  # case counts otherwise
    assert copied_from("SRVFIC02", "alerte sur SRVFIC01", ignore_case=True) is None
    # A host named inside a job name too: its spelling where it stands alone wins.
    assert copied_from("srvsql01", "job BCK_SRVSQL01_DAILY sur SrvSql01", ignore_case=True) == "SrvSql01"
    assert copied_from("SRVSQL01", "job BCK_SRVSQL01_DAILY sur SrvSql01", ignore_case=True) == "SRVSQL01"  # as written


def test_lists_lose_the_elements_the_email_does_not_contain_and_are_never_empty() -> None:
    email = "Merci d'ajouter SRVAPP12 et srvapp13 à la sauvegarde."
    assert keep_copied(["srvapp12", "SRVAPP13", "SRVAPP14"], email, ignore_case=True) == ["SRVAPP12", "srvapp13"]
    assert keep_copied(["SRVAPP12", "srvapp12"], email, ignore_case=True) == ["SRVAPP12"]  # one host, once
    assert keep_copied(["SRVAPP99"], email, ignore_case=True) is None  # absent, not []
    assert keep_copied([], email) is None and keep_copied(None, email) is None
    assert keep_copied(12, email) is None  # not text: not copied


def test_validate_fields_enforces_the_copied_fields_it_is_given() -> None:
    raw = {"hostname": "SrvFic01", "source_path": "\\\\srvfic01\\compta\\2023", "destination_path": "D:\\Restore",
           "restore_type": "dossier", "restore_date": "12/03"}  # fmt: skip
    fields = validate_fields(RESTORE.json_schema(), raw, RECEIVED, email=EMAIL, copied=RESTORE.copied_fields)
    assert fields == {
        "restore_date": "2025-03-12",
        "restore_type": "dossier",  # an enum: chosen, not copied
        "destination_path": "D:\\Restore",
        "hostname": "srvfic01",  # the e-mail's spelling (its first occurrence, in the path)
    }  # the invented source path is gone
    # Without the e-mail (or without the list of copied fields) nothing is checked.
    assert "source_path" in validate_fields(RESTORE.json_schema(), raw, RECEIVED, copied=RESTORE.copied_fields)
    assert "source_path" in validate_fields(RESTORE.json_schema(), raw, RECEIVED, email=EMAIL)
    lists = validate_fields(CREATION.json_schema(), {"hostnames": ["SRVX"], "paths": "D:\\Restore, E:\\Data",
                                                     "retention": "30 jours"},
                            email=EMAIL, copied=CREATION.copied_fields)  # fmt: skip
    assert lists == {"paths": ["D:\\Restore"], "retention": "30 jours"}  # retention is free text, not copied


def test_relative_dates_are_absent_without_a_reception_time() -> None:
    schema = RESTORE.json_schema()
    assert validate_fields(schema, {"restore_date": "hier"}) == {}  # absent, not the day before today
    assert validate_fields(schema, {"restore_date": "hier"}, "2025-03-14T09:30") == {"restore_date": "2025-03-13"}
