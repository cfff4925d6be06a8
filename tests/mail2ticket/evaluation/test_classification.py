"""Classification evaluation: both modes through the engine, and the ``mail2ticket evaluate`` contract."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

from mail2ticket.evaluation import evaluate, write_outputs
from mail2ticket.taxonomy import load_taxonomy

TAXONOMY = load_taxonomy()
RECORDS = [
    {"ticket_id": "T1", "email": "** PROBLEM Service Alert: srv-web-01/Disk C: is CRITICAL **",
     "category": "Incidents/Supervision"},
    {"ticket_id": "T2", "email": "Merci de restaurer le dossier D:\\\\Compta au 12/03.",
     "category": "Demande de service/Backup #BCS/Restauration qualifiée"},
]  # fmt: skip


def write_jsonl(path: Path, rows: list) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def test_constrained_mode_always_answers_a_label(transformers_engine, tmp_path: Path) -> None:
    result = evaluate(transformers_engine, RECORDS, TAXONOMY, mode="constrained", prompt_style="compact")
    assert result.report.match_rate == 1.0 and result.report.n == 2
    for row in result.predictions:
        assert row["predicted"] in TAXONOMY.labels_with_unknown and 0 < row["confidence"] <= 1
    paths = write_outputs(result, tmp_path / "out")
    metrics = json.loads(paths["metrics"].read_text(encoding="utf-8"))
    assert metrics["match_rate"] == 1.0 and metrics["report"]["confusion"]
    assert paths["confusion_matrix"].read_bytes()[:4] == b"\x89PNG"
    assert paths["predictions"].read_text(encoding="utf-8").startswith("ticket_id,category,predicted")


def test_generate_mode_matches_free_text(transformers_engine) -> None:
    result = evaluate(transformers_engine, RECORDS, TAXONOMY, mode="generate", prompt_style="compact",
                      max_new_tokens=16)  # fmt: skip
    assert all(isinstance(row["raw"], str) and row["raw"] for row in result.predictions)
    assert result.report.matched + result.report.unmatched == 2
    for row in result.predictions:
        assert row["predicted"] is None or row["predicted"] in TAXONOMY.labels_with_unknown


def test_evaluate_cli(tmp_path: Path) -> None:
    data = write_jsonl(tmp_path / "test.jsonl", RECORDS)
    cli = [sys.executable, "-m", "mail2ticket.cli", "evaluate"]
    ok = subprocess.run([*cli, "--data", str(data), "--out", str(tmp_path / "out"), "--prompt-style", "compact"],
                        capture_output=True, text=True, timeout=600)  # fmt: skip
    assert ok.returncode == 0, ok.stderr
    assert "2 e-mails, mode constrained" in ok.stdout and "match rate 1.0000" in ok.stdout
    assert (tmp_path / "out" / "metrics.json").is_file()
    bad = write_jsonl(tmp_path / "bad.jsonl", [{"email": "x"}])
    refused = subprocess.run([*cli, "--data", str(bad)], capture_output=True, text=True, timeout=600)
    assert refused.returncode == 2 and "has no 'category'" in refused.stderr and "Traceback" not in refused.stderr
    no_adapter = subprocess.run([*cli, "--data", str(data), "--adapter", str(tmp_path)], capture_output=True,
                                text=True, timeout=600)  # fmt: skip
    assert no_adapter.returncode == 2 and "not an adapter folder" in no_adapter.stderr


def test_evaluate_cli_splits_descriptions_and_refuses_a_classical_run_without_an_adapter(tmp_path: Path) -> None:
    from mail2ticket.cli import _split_descriptions

    thread = (
        "Merci, toujours rien.\n\n"
        "De : Support <support@nuvalis.fr>\nEnvoyé : lundi 3 mars 2025 10:00\nÀ : jean@acme.fr\n"
        "Objet : RE: restauration\n\nBonjour, pouvez-vous préciser ?\n\n"
        "De : Jean Martin <jean@acme.fr>\nEnvoyé : lundi 3 mars 2025 09:00\nÀ : support@nuvalis.fr\n"
        "Objet : restauration\n\nBonjour, merci de restaurer D:\\Data\\RH au 01/03.\nJean"
    )
    records = [{"email": "placeholder", "description": thread, "category": RECORDS[0]["category"]}]
    split = _split_descriptions(records, "threads.jsonl")
    assert split[0]["email"] == "Bonjour, merci de restaurer D:\\Data\\RH au 01/03.\nJean"  # what serving classifies
    data = write_jsonl(tmp_path / "threads.jsonl", records)
    cli = [sys.executable, "-m", "mail2ticket.cli", "evaluate", "--prompt-style", "compact"]
    ran = subprocess.run([*cli, "--data", str(data), "--text", "description"], capture_output=True, text=True,
                         timeout=600)  # fmt: skip
    assert ran.returncode == 0 and "1 e-mails, mode constrained" in ran.stdout, ran.stderr
    plain = write_jsonl(tmp_path / "plain.jsonl", RECORDS)
    refused = subprocess.run([*cli, "--data", str(plain), "--text", "description"], capture_output=True, text=True,
                             timeout=600)  # fmt: skip
    assert refused.returncode == 2 and "needs a 'description'" in refused.stderr and "Traceback" not in refused.stderr
    classical = subprocess.run([*cli, "--data", str(plain), "--classifier", "classical"], capture_output=True,
                               text=True, timeout=600)  # fmt: skip
    assert classical.returncode == 2 and "needs --adapter" in classical.stderr
