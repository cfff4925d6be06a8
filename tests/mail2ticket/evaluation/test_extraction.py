"""Field-level accuracy of the extraction agents: comparison rules, counts, data checks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mail2ticket.data.records import DatasetError
from mail2ticket.evaluation.extraction import (
    FUZZY_THRESHOLD,
    ExtractionResult,
    comparable,
    evaluate_extraction,
    fuzzy_match,
    read_extraction_jsonl,
    render_table,
    score_example,
    values_match,
    write_extraction_outputs,
)
from mail2ticket.extraction import agents_for
from mail2ticket.taxonomy import load_taxonomy

TAXONOMY = load_taxonomy()
AGENTS = agents_for(TAXONOMY)
SUPERVISION = AGENTS["Incidents/Supervision"]
CREATION = AGENTS["Demande de service/Backup #BCS/Stratégie de sauvegarde/Création"]
DATE = {"type": "string", "format": "date"}
DATETIME = {"type": "string", "format": "date-time"}
LIST = {"type": "array", "items": {"type": "string"}}


def test_values_are_compared_after_normalisation() -> None:
    assert comparable(DATE, "12/03/2025") == comparable(DATE, "2025-03-12") == "2025-03-12"
    # Date-times to the minute, on the wall-clock time (the ground truth has no offset).
    assert comparable(DATETIME, "2023-01-19T12:51") == comparable(DATETIME, "2023-01-19T12:51:41+01:00")
    assert comparable(DATETIME, "2023-01-19T12:51") != comparable(DATETIME, "2023-01-19T13:51")
    assert comparable(LIST, ["SRV01", "srv02"]) == comparable(LIST, ["Srv02", "srv01 "])
    assert comparable(LIST, ["SRV01"]) != comparable(LIST, ["SRV01", "SRV02"])
    assert comparable({"type": "string"}, "Quotidienne après 20h.") == comparable(
        {"type": "string"}, "quotidienne apres 20h"
    )
    assert comparable(LIST, []) is None and comparable({"type": "string"}, None) is None
    assert comparable({"type": "boolean"}, False) is False


def test_slots_count_absent_fields_and_invented_ones() -> None:
    scores: dict = {}
    truth = {
        "hostname": "SRVBDD03",
        "service": "Memory-Usage",
        "severity": "CRITICAL",
        "alert_time": "2023-01-19T16:45",
    }
    perfect = {
        "hostname": "srvbdd03",
        "service": "Memory-Usage",
        "severity": "CRITICAL",
        "alert_time": "2023-01-19T16:45:14+01:00",
    }
    row = score_example(SUPERVISION, {"fields": truth}, perfect, scores)
    assert row["all_correct"] and row["wrong_fields"] == []
    # Second e-mail: the truth has no severity and the agent invents one; it misses the hostname.
    row = score_example(
        SUPERVISION, {"fields": {"hostname": "A", "service": "Ping"}}, {"service": "ping", "severity": "OK"}, scores
    )
    assert row["wrong_fields"] == ["hostname", "severity"]
    by_field = {s.field: s for s in scores.values()}
    assert [by_field[f].support for f in SUPERVISION.fields] == [2, 2, 2, 2]
    assert by_field["hostname"].accuracy == 0.5 and by_field["hostname"].recall == 0.5
    assert by_field["hostname"].precision == 1.0
    assert by_field["severity"].accuracy == 0.5 and by_field["severity"].precision == 0.5
    assert by_field["alert_time"].accuracy == 1.0  # right once, rightly absent once
    result = ExtractionResult(list(scores.values()), [row, row])
    summary = result.summary()
    assert summary["slots"] == 8 and summary["accuracy"] == 6 / 8
    assert summary["exact_match"] == 0.0
    table = render_table(result)
    assert "severity" in table and "overall: 2 e-mails, 8 field slots, accuracy 0.7500" in table


def write_rows(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def test_reading_ground_truth_files(tmp_path: Path) -> None:
    truth_row = {
        "first_email": "Alerte sur SRV01",
        "category": "Incidents/Supervision",
        "fields": {"hostname": "SRV01"},
    }
    [record] = read_extraction_jsonl(write_rows(tmp_path / "truth.jsonl", [truth_row]))
    assert record["email"] == "Alerte sur SRV01"  # the corpus ground truth is accepted as is
    no_fields = [{"email": "x", "category": "Incidents/Supervision", "fields": {}}]
    with pytest.raises(DatasetError, match="--ground-truth"):
        read_extraction_jsonl(write_rows(tmp_path / "empty.jsonl", no_fields))
    with pytest.raises(DatasetError, match="not in the taxonomy"):
        read_extraction_jsonl(write_rows(tmp_path / "bad.jsonl", [{**truth_row, "category": "Nope"}]))
    with pytest.raises(DatasetError, match="'fields'"):
        read_extraction_jsonl(write_rows(tmp_path / "nofields.jsonl", [{"email": "x", "category": "unknown"}]))


def test_evaluation_runs_every_record_through_its_true_category_agent(tmp_path: Path, transformers_engine) -> None:
    records = [
        {"email": "Merci d'ajouter SRVAPP12 à la sauvegarde quotidienne, rétention 30 jours.",
         "category": CREATION.name, "ticket_id": "T1", "received_at": "2025-03-14T09:30",
         "fields": {"hostnames": ["SRVAPP12"], "schedule": "quotidienne", "retention": "30 jours"}},
        {"email": "Bonjour, ceci ne concerne pas la sauvegarde.", "category": "unknown", "fields": {}},
    ]  # fmt: skip
    result = evaluate_extraction(transformers_engine, records, TAXONOMY, max_new_tokens=12)
    summary = result.summary()
    assert summary["examples"] == 1 and summary["skipped"] == 1  # unknown has no agent
    assert summary["slots"] == len(CREATION.fields)
    assert 0.0 <= summary["accuracy"] <= 1.0 and summary["latency_ms_p50"] > 0
    [prediction] = result.predictions
    assert set(prediction["predicted"]) <= set(CREATION.fields)
    paths = write_extraction_outputs(result, tmp_path / "out")
    written = json.loads(paths["metrics"].read_text(encoding="utf-8"))
    assert written["accuracy"] == summary["accuracy"]
    assert [f["field"] for f in written["fields"]] == CREATION.fields
    assert json.loads(paths["predictions"].read_text(encoding="utf-8").splitlines()[0])["ticket_id"] == "T1"


MODIFICATION = AGENTS["Demande de service/Backup #BCS/Stratégie de sauvegarde/Modification"]
BACKUP_INCIDENT = AGENTS["Incidents/Backup #BCS/Sauvegarde"]
SUPPRESSION = AGENTS["Demande de service/Backup #BCS/Stratégie de sauvegarde/Suppression"]


def test_free_text_matches_fuzzily_when_its_numbers_agree() -> None:
    assert fuzzy_match("quotidienne 22h", "sauvegarde quotidienne a 22h")  # a longer span of the same words
    assert fuzzy_match(
        "ajouter m. durand a la liste de diffusion des rapports",
        "ajout de m. durand a la liste de diffusion des rapports de sauvegarde",
    )
    assert not fuzzy_match("30 jours", "60 jours")  # 87.5 by ratio, yet a different retention
    assert not fuzzy_match("access denied", "error 0x80070005: access denied")  # the code is missing
    assert not fuzzy_match("disk c:", "disk d:")  # 83: under the threshold
    assert not fuzzy_match("quotidienne", "hebdomadaire")
    assert FUZZY_THRESHOLD == 85.0


def test_each_field_is_compared_by_its_taxonomy_rule() -> None:
    schedule = MODIFICATION.schema["properties"]["schedule"]
    fields = TAXONOMY.category(MODIFICATION.name).fields
    assert values_match(schedule, fields["schedule"], "quotidienne 22h", "Sauvegarde quotidienne à 22h.")
    assert not values_match(schedule, fields["schedule"], "quotidienne 22h", "quotidienne 23h")
    # The same two strings in a copied, exactly compared field do not match.
    job = BACKUP_INCIDENT.schema["properties"]["job_name"]
    job_spec = TAXONOMY.category(BACKUP_INCIDENT.name).fields["job_name"]
    assert not values_match(job, job_spec, "quotidienne 22h", "Sauvegarde quotidienne à 22h.")
    assert values_match(job, job_spec, "BCK_SQL01", "bck_sql01")
    error = BACKUP_INCIDENT.schema["properties"]["error_message"]
    error_spec = TAXONOMY.category(BACKUP_INCIDENT.name).fields["error_message"]
    assert values_match(error, error_spec, "Access denied (0x80070005)", "Error: Access denied (0x80070005).")
    assert values_match(error, error_spec, None, None) and not values_match(error, error_spec, None, "x")


def test_per_field_f1_and_the_groups_the_targets_need(tmp_path: Path) -> None:
    scores: dict = {}
    rows = [
        score_example(SUPERVISION, {"fields": {"hostname": "SRV01", "alert_time": "2025-03-13T14:30"}},
                      {"hostname": "srv01", "alert_time": "2025-03-13T14:30:00+01:00"}, scores),
        score_example(SUPERVISION, {"fields": {"hostname": "SRV02", "alert_time": "2025-03-13T14:30"}},
                      {"hostname": "SRV03", "severity": "DOWN"}, scores),
        score_example(SUPPRESSION, {"fields": {"hostnames": ["SRVOLD03"], "effective_date": "2025-03-31"}},
                      {"hostnames": ["srvold03"], "effective_date": "2025-03-31"}, scores),
        score_example(MODIFICATION, {"fields": {"schedule": "quotidienne 22h", "retention": "30 jours"}},
                      {"schedule": "Sauvegarde quotidienne à 22h", "retention": "60 jours"}, scores),
    ]  # fmt: skip
    hostname = scores[(SUPERVISION.name, "hostname")]
    assert (hostname.predicted, hostname.present, hostname.correct_present) == (2, 2, 1)
    assert hostname.precision == hostname.recall == hostname.f1 == 0.5
    assert (hostname.type, hostname.comparison, hostname.copied) == ("string", "exact", True)
    alert_time = scores[(SUPERVISION.name, "alert_time")]
    assert alert_time.precision == 1.0 and alert_time.recall == 0.5 and alert_time.f1 == pytest.approx(2 / 3)
    assert scores[(MODIFICATION.name, "schedule")].f1 == 1.0  # fuzzy
    assert scores[(MODIFICATION.name, "retention")].f1 == 0.0  # numbers differ
    result = ExtractionResult(list(scores.values()), rows, [0.1, 0.2, 0.3, 0.4])
    summary = result.summary()
    # hostname + hostnames: 4 slots (one absent on both sides), 3 predicted, 3 true, 2 right.
    assert summary["hostname_slots"] == 4 and summary["hostname_f1"] == pytest.approx(2 / 3)
    # Dates (alert_time, effective_date): 2 predicted, 3 true, 2 right.
    assert summary["dates_precision"] == 1.0 and summary["dates_recall"] == pytest.approx(2 / 3)
    assert summary["dates_f1"] == pytest.approx(0.8)
    assert summary["free_text_slots"] == 2 + 3  # service of the two alerts, then schedule, retention, requested_change
    # Over all slots: 8 predicted (severity invented), 8 true, 5 right.
    assert summary["precision"] == summary["recall"] == summary["f1"] == pytest.approx(5 / 8)
    assert summary["slots"] == 2 * 4 + 3 + 4
    assert summary["fully_correct"] == 2 and summary["exact_match"] == 0.5
    assert summary["latency_ms_p50"] == pytest.approx(250.0) and summary["latency_ms_mean"] == pytest.approx(250.0)
    metrics = result.as_metrics()
    assert metrics["extraction_hostname_f1"] == pytest.approx(2 / 3) and metrics["extraction_dates_f1"] == 0.8
    assert metrics["field_f1.supervision.alert_time"] == pytest.approx(2 / 3)
    assert metrics["field_precision.supervision.hostname"] == 0.5 and "field_accuracy.supervision.hostname" in metrics
    table = render_table(result)
    header = table.splitlines()[0].split()
    assert header[-1] == "f1" and "match" in header
    schedule_row = next(
        line for line in table.splitlines() if line.split()[:2] == ["strategie_modification", "schedule"]
    )
    assert schedule_row.split()[2] == "fuzzy" and schedule_row.split()[-1] == "1.000"
    assert "hostname: 4 slots, precision 0.6667, recall 0.6667, F1 0.6667" in table
    assert "dates: 3 slots, precision 1.0000, recall 0.6667, F1 0.8000" in table
    written = json.loads(write_extraction_outputs(result, tmp_path)["metrics"].read_text(encoding="utf-8"))
    assert written["dates_f1"] == pytest.approx(0.8)
    assert {f["field"]: f["f1"] for f in written["fields"] if f["key"] == "supervision"}["hostname"] == 0.5
