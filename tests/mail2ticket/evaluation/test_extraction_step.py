"""The pipeline's extraction evaluation step, with the parsers alone (no model), against a real MLflow server."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mail2ticket.evaluation.extraction_step import extraction_evaluation_step, spread
from mail2ticket.extraction import agents_for
from mail2ticket.registry.tracking import PARENT_RUN_TAG, client
from pipelines.demo import DEV_SET


def test_spread_takes_rows_evenly_and_everything_without_a_cap() -> None:
    rows = [{"n": i} for i in range(10)]
    assert [r["n"] for r in spread(rows, 4)] == [0, 2, 5, 7]
    assert spread(rows, None) == rows and spread(rows, 0) == rows and spread(rows, 50) == rows


def test_parsers_only_figures_go_to_a_run_beside_the_candidate(
    mlflow_server: str, small_corpus, tmp_path: Path
) -> None:
    """Rows without ground truth are not scored; the dev set is prefixed; promotion's flat file is written."""
    import mlflow

    truth = [json.loads(line) for line in small_corpus.truth.read_text(encoding="utf-8").splitlines()]
    test = tmp_path / "test.jsonl"
    agents = agents_for()
    rows = [
        {"email": r["first_email"], "category": r["category"], "fields": r["fields"]}
        for r in truth
        if r["category"] in agents and r["fields"]
    ][:12]
    rows.append({"email": "Bonjour, une question.", "category": rows[0]["category"], "fields": {}})  # not covered
    test.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    mlflow_client = client(mlflow_server)
    mlflow.set_experiment("extraction-step-test")
    with mlflow.start_run(run_name="pipeline") as parent, mlflow.start_run(run_name="x", nested=True) as sibling:
        pass
    copy = tmp_path / "report.json"
    summary = extraction_evaluation_step(
        test, tmp_path / "out", "embedded:smollm2-135m", None, "parsers", mlflow_server, sibling.info.run_id,
        "extractor baseline: parsers only", 20, DEV_SET, {"metrics": str(copy)},
    )  # fmt: skip
    assert summary["extraction_examples"] + summary["extraction_skipped"] == 12  # not the row without truth
    assert summary["dev_extraction_examples"] + summary["dev_extraction_skipped"] == 20
    assert summary["extraction_answered_by_model"] == 0 and summary["extraction_answered_by_parser"] > 0
    assert json.loads(copy.read_text(encoding="utf-8")) == {
        k: v for k, v in summary.items() if k not in ("run_id", "paths")
    }
    run = mlflow_client.get_run(summary["run_id"])
    assert run.info.run_name == "extractor baseline: parsers only" and run.info.status == "FINISHED"
    assert run.data.tags[PARENT_RUN_TAG] == parent.info.run_id
    assert run.data.metrics["dev_extraction_f1"] == pytest.approx(summary["dev_extraction_f1"])
    assert {i.dataset.name for i in run.inputs.dataset_inputs} == {"test", "dev"}
    logged = {a.path for a in mlflow_client.list_artifacts(run.info.run_id, "extraction")}
    assert "extraction/extraction_predictions.jsonl" in logged and "extraction/dev" in logged
