"""The mail2ticket command: corpus generation, preparation, and one-line errors with exit code 2."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

CLI = [sys.executable, "-m", "mail2ticket.cli"]


def run(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([*CLI, *args], capture_output=True, text=True, timeout=300)


def test_generate_then_prepare(tmp_path: Path) -> None:
    out = tmp_path / "export.parquet"
    generated = run("corpus", "generate", "--tickets", "300", "--seed", "5", "--out", str(out), "--format", "parquet",
                    "--strategic-share", "0.6")  # fmt: skip
    assert generated.returncode == 0, generated.stderr
    assert out.exists() and (tmp_path / "export.truth.jsonl").exists()
    prepared = run("prepare", "--input", str(out), "--out-dir", str(tmp_path / "prep"), "--json")
    assert prepared.returncode == 0, prepared.stderr
    card = json.loads(prepared.stdout)
    assert card["steps"][2]["rows"] == 300
    assert card["steps"][-1]["rows"] == card["train_rows"] + card["validation_rows"] + card["test_rows"] > 100
    assert card["steps"][-1]["step"] == "unknown class (open set)" and card["validation_rows"] > 0


def test_prepare_joins_reviewed_corrections(tmp_path: Path) -> None:
    export = tmp_path / "export.csv"
    kinds = (("S", "Incidents/Supervision", 30), ("B", "Incidents/Backup #BCS/Sauvegarde", 20))
    rows = [f"{p}{i:03d};Bonjour, alerte {c} numéro {i}.;{c};Créé" for p, c, n in kinds for i in range(n)]
    export.write_text("Numéro de ticket;Description;Catégorie du ticket;Message\n" + "\n".join(rows) + "\n", "utf-8")
    feedback = Path(__file__).parent / "data" / "feedback" / "review_export.jsonl"
    prepared = run("prepare", "--input", str(export), "--out-dir", str(tmp_path / "prep"), "--json",
                   "--feedback", str(feedback), "--feedback-holdout", "0.5")  # fmt: skip
    assert prepared.returncode == 0, prepared.stderr
    card = json.loads(prepared.stdout)["feedback"]
    assert card["rows_read"] == 15 and card["holdout"] == 0.5
    assert card["train_rows"] + card["reviewed_rows"] > 0 and abs(card["train_rows"] - card["reviewed_rows"]) <= 1
    assert (tmp_path / "prep" / "reviewed.jsonl").exists()
    bad = run("prepare", "--input", str(export), "--out-dir", str(tmp_path / "o"), "--feedback", str(export))
    assert bad.returncode == 2 and "line 1 is not JSON" in bad.stderr and "Traceback" not in bad.stderr


def test_bad_input_is_one_line_and_exit_code_2(tmp_path: Path) -> None:
    missing = run("prepare", "--input", str(tmp_path / "absent.csv"), "--out-dir", str(tmp_path / "o"))
    assert missing.returncode == 2
    assert "Traceback" not in missing.stderr
    assert "absent.csv: no such file" in missing.stderr
    bad_category = tmp_path / "x.csv"
    bad_category.write_text("Numéro de ticket;Description;Catégorie du ticket;Message\n1;a;b;c\n", encoding="utf-8")
    unknown = run("prepare", "--input", str(bad_category), "--out-dir", str(tmp_path / "o"), "--strategic", "Nope")
    assert unknown.returncode == 2 and "not in taxonomy" in unknown.stderr and "Traceback" not in unknown.stderr


def test_taxonomy_commands() -> None:
    labels = run("taxonomy", "labels")
    assert labels.returncode == 0 and labels.stdout.splitlines()[0] == "Incidents/Supervision"
    schema = run("taxonomy", "schema", "Incidents/Supervision")
    assert json.loads(schema.stdout)["properties"]["severity"]["enum"][0] == "OK"
    wrong = run("taxonomy", "schema", "Nope")
    assert wrong.returncode == 2 and "unknown category" in wrong.stderr


def metrics_line_counts(stdout: str) -> int:
    """Tickets answered by a parser plus by the model, from the overall line."""
    line = next(line for line in stdout.splitlines() if line.startswith("overall:"))
    parser = int(line.split("answered by a parser ")[1].split(",")[0])
    model = int(line.split("by the model ")[1].split()[0])
    return parser + model


def test_evaluate_extraction_on_prepared_data_prints_and_writes_field_accuracy(tmp_path: Path) -> None:
    from mail2ticket.data.corpus import CorpusConfig, generate

    summary = generate(CorpusConfig(tickets=60, seed=7, strategic_share=1.0), tmp_path / "export.csv")
    prepared = run("prepare", "--input", str(summary.export), "--out-dir", str(tmp_path / "prep"),
                   "--ground-truth", str(summary.truth))  # fmt: skip
    assert prepared.returncode == 0, prepared.stderr
    test_rows = [json.loads(line) for line in (tmp_path / "prep" / "test.jsonl").read_text().splitlines()]
    assert any(row["fields"] for row in test_rows)  # prepare attaches the ground-truth fields
    result = run("evaluate", "--task", "extraction", "--data", str(tmp_path / "prep" / "test.jsonl"),
                 "--limit", "2", "--max-new-tokens", "8", "--out", str(tmp_path / "eval"))  # fmt: skip
    assert result.returncode == 0, result.stderr
    header = next(line for line in result.stdout.splitlines() if line.startswith("category"))
    assert header.split() == ["category", "field", "match", "n", "present", "accuracy", "precision", "recall", "f1"]
    assert "overall: 2 e-mails" in result.stdout
    assert metrics_line_counts(result.stdout) == 2  # every e-mail answered by a parser or the model
    metrics = json.loads((tmp_path / "eval" / "extraction_metrics.json").read_text(encoding="utf-8"))
    assert metrics["task"] == "extraction" and metrics["examples"] == 2
    assert 0.0 <= metrics["accuracy"] <= 1.0
    assert sum(f["support"] for f in metrics["fields"]) == metrics["slots"] > 0
    assert f"accuracy {metrics['accuracy']:.4f}" in result.stdout
    assert len((tmp_path / "eval" / "extraction_predictions.jsonl").read_text().splitlines()) == 2


def test_evaluate_extraction_without_ground_truth_fields_is_one_clear_line(tmp_path: Path) -> None:
    data = tmp_path / "test.jsonl"
    data.write_text(json.dumps({"email": "x", "category": "Incidents/Supervision", "fields": {}}) + "\n")
    result = run("evaluate", "--task", "extraction", "--data", str(data))
    assert result.returncode == 2 and "Traceback" not in result.stderr
    assert "--ground-truth" in result.stderr
    wrong_task = run("evaluate", "--task", "summary", "--data", str(data))
    assert wrong_task.returncode == 2 and "summary" in wrong_task.stderr


def test_evaluate_refuses_an_adapter_trained_for_the_other_task(tmp_path: Path, embedded_model_dir: Path) -> None:
    """The classifier's adapter cannot be evaluated as the extraction agents' one, nor the reverse."""
    from mail2ticket.registry.adapters import write_metadata
    from mail2ticket.taxonomy import load_taxonomy

    taxonomy = load_taxonomy()
    config = json.loads((embedded_model_dir / "config.json").read_text(encoding="utf-8"))
    data = tmp_path / "test.jsonl"
    data.write_text(json.dumps({"email": "x", "category": "Incidents/Supervision", "fields": {"hostname": "x"}}) + "\n")
    for kind, task, refused in (("classifier", "extraction", "not as the extractor"),
                                ("extractor", "classification", "not as the classifier")):  # fmt: skip
        adapter = tmp_path / kind
        adapter.mkdir()
        (adapter / "adapter_config.json").write_text('{"r": 4}', encoding="utf-8")
        (adapter / "adapter_model.safetensors").write_bytes(b"never loaded: refused before")
        shape = {"base_model_type": config["model_type"], "base_model_hidden_size": config["hidden_size"]}
        write_metadata(
            adapter, {"kind": kind, "base_model": "embedded:smollm2-135m", "taxonomy_digest": taxonomy.digest, **shape}
        )
        result = run("evaluate", "--task", task, "--adapter", str(adapter), "--data", str(data))
        assert result.returncode == 2 and "Traceback" not in result.stderr, result.stderr
        assert refused in result.stderr
