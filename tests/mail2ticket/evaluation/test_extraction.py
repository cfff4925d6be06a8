"""Field-level accuracy of the extraction agents: comparison rules, counts, data checks."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mail2ticket.data.records import DatasetError
from mail2ticket.evaluation.extraction import (
    ExtractionResult,
    comparable,
    evaluate_extraction,
    read_extraction_jsonl,
    render_table,
    score_example,
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
