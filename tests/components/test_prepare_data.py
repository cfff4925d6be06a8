"""The prepare_data component, run for real through kfp.local (SubprocessRunner)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from components.prepare_data import prepare_data
from mail2ticket.data.prepare.config import pipeline_defaults
from mail2ticket.data.prepare.feedback import FEEDBACK_HOLDOUT
from mail2ticket.ops.series import read_series
from mail2ticket.storage import sha256_file
from pipelines.local import init_local

#: A hand-made export of the review queue (see tests/mail2ticket/data/test_feedback.py).
FEEDBACK = Path(__file__).parents[1] / "mail2ticket" / "data" / "feedback" / "review_export.jsonl"


def test_component_declares_no_runtime_install() -> None:
    spec = prepare_data.component_spec
    command = " ".join(spec.implementation.container.command)
    assert "pip install" not in command
    outputs = {name: out.type for name, out in spec.outputs.items()}
    assert outputs["train_data"] == "system.Dataset@0.0.1"
    assert outputs["test_data"] == "system.Dataset@0.0.1"
    assert outputs["reviewed_data"] == "system.Dataset@0.0.1"
    assert outputs["dataset_card_view"] == "system.Markdown@0.0.1"
    assert outputs["preparation_metrics"] == "system.Metrics@0.0.1"


def test_component_runs_through_kfp_local(small_corpus, tmp_path: Path) -> None:
    init_local(tmp_path / "kfp")
    parameters = {**pipeline_defaults(), "seed": 3, "feedback_holdout": FEEDBACK_HOLDOUT}
    task = prepare_data(raw_uri=str(small_corpus.export), ground_truth_uri=str(small_corpus.truth), **parameters)
    card = json.loads(Path(task.outputs["dataset_card"].path).read_text(encoding="utf-8"))
    train = task.outputs["train_data"]
    test = task.outputs["test_data"]
    assert card["steps"][0]["rows"] == small_corpus.rows
    assert card["steps"][2]["rows"] == small_corpus.tickets
    assert card["parameters"]["seed"] == 3
    assert card["outputs"]["train.jsonl"]["sha256"] == sha256_file(train.path)
    train_lines = Path(train.path).read_text(encoding="utf-8").splitlines()
    assert train.metadata["rows"] == card["train_rows"] == len(train_lines)
    assert test.metadata["rows"] == card["test_rows"]
    first = json.loads(train_lines[0])
    assert set(first) >= {"email", "category", "ticket_id", "fields"}
    assert Path(task.outputs["category_histogram"].path).read_bytes()[:4] == b"\x89PNG"
    assert "# Dataset card" in Path(task.outputs["dataset_card_view"].path).read_text(encoding="utf-8")
    assert Path(task.outputs["reviewed_data"].path).stat().st_size == 0 and card["feedback"] is None
    # The generated export has creation times: tickets per category and day, the forecasting pipeline's input.
    counts = read_series(task.outputs["daily_counts"].path)
    assert card["outputs"]["daily_counts.csv"]["sha256"] == sha256_file(task.outputs["daily_counts"].path)
    assert set(counts["series"]) == {c["category"] for c in card["classes"]} and counts["value"].sum() > 0


def test_component_joins_feedback_and_writes_the_reviewed_set(small_corpus, tmp_path: Path) -> None:
    init_local(tmp_path / "kfp")
    parameters = {**pipeline_defaults(), "feedback_holdout": 0.5}
    task = prepare_data(raw_uri=str(small_corpus.export), feedback_uri=str(FEEDBACK), **parameters)
    card = json.loads(Path(task.outputs["dataset_card"].path).read_text(encoding="utf-8"))
    reviewed = task.outputs["reviewed_data"]
    assert card["feedback"]["rows_read"] == 15 and card["feedback"]["holdout"] == 0.5
    reviewed_lines = Path(reviewed.path).read_text(encoding="utf-8").splitlines()
    assert reviewed.metadata["rows"] == card["reviewed_rows"] == len(reviewed_lines) > 0
    assert reviewed.metadata["sha256"] == sha256_file(reviewed.path)
    train_lines = Path(task.outputs["train_data"].path).read_text(encoding="utf-8").splitlines()
    assert len(train_lines) == card["train_rows"]
    request_ids = {json.loads(line)["request_id"] for line in FEEDBACK.read_text(encoding="utf-8").splitlines()}
    joined = [line for line in train_lines if json.loads(line)["ticket_id"] in request_ids]
    assert len(joined) == card["feedback"]["train_rows"] > 0
    metrics = task.outputs["preparation_metrics"].metadata
    assert metrics["feedback: rows read"] == 15
    assert metrics["feedback: held out as reviewed"] == card["reviewed_rows"]


def test_component_bad_input_fails_the_task(tmp_path: Path) -> None:
    init_local(tmp_path / "kfp")
    empty = tmp_path / "empty.csv"
    empty.write_text("", encoding="utf-8")
    with pytest.raises(RuntimeError, match="FAILURE"):
        prepare_data(raw_uri=str(empty), feedback_holdout=FEEDBACK_HOLDOUT, **pipeline_defaults())
