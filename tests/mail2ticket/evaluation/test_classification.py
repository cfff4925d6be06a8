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
