"""``mail2ticket drift``: exit codes, outputs, a reference window, MLflow."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path

import pytest
from typer.testing import CliRunner

from mail2ticket.cli import app
from mail2ticket.ops.drift import DriftConfig, ReferenceNotFoundError, run_drift
from tests.mail2ticket.ops.drift.samples import (
    SHIFTED,
    T0,
    TRAIN_SHARES,
    register_champion,
    write_card,
    write_log,
    write_predictions,
)


def run_cli(*args: str, env: dict[str, str] | None = None):
    return CliRunner().invoke(app, ["drift", *args], env={"MLFLOW_TRACKING_URI": "", **(env or {})})


def test_command_exit_codes_and_outputs(tmp_path: Path) -> None:
    card = str(write_card(tmp_path / "card.json"))
    same = str(write_log(tmp_path / "same.jsonl", TRAIN_SHARES, 1500))
    shifted = str(write_log(tmp_path / "shifted.jsonl", SHIFTED, 1500))
    window = ["--since", "2026-03-02", "--until", "2026-03-09"]
    evaluated = [0.4 + 0.6 * i / 999 for i in range(1000)]
    predictions = str(write_predictions(tmp_path / "predictions.csv", evaluated))

    ok = run_cli("--audit-log", same, "--card", card, *window, "--reference-predictions", predictions,
                 "--out", str(tmp_path / "ok"))  # fmt: skip
    assert ok.exit_code == 0, ok.output
    assert "no drift over 1,500 decisions" in ok.output and "confidence_psi" in ok.output
    written = json.loads((tmp_path / "ok" / "drift_report.json").read_text())
    assert written["review_rate_reference"] == sum(v < 0.6 for v in evaluated) / 1000
    assert (tmp_path / "ok" / "drift.png").read_bytes()[:4] == b"\x89PNG"

    drift = run_cli("--audit-log", shifted, "--card", card, *window, "--json")
    assert drift.exit_code == 1, drift.output
    body = json.loads(drift.stdout)
    assert body["drifted"] is True and body["audit"]["decisions"] == 1500

    loose = run_cli("--audit-log", shifted, "--card", card, *window, "--psi", "5", "--chi2-p", "0", "--json")
    assert loose.exit_code == 0 and json.loads(loose.stdout)["thresholds"]["psi_threshold"] == 5.0

    missing = run_cli("--audit-log", str(tmp_path / "nope.jsonl"), "--card", card)
    assert missing.exit_code == 2 and "error: no audit log at" in missing.output
    empty = run_cli("--audit-log", same, "--card", card, "--since", "2027-01-01", "--until", "2027-01-02")
    assert empty.exit_code == 2 and "error: no decision in the window" in empty.output
    no_uri = run_cli("--audit-log", same, *window)
    assert no_uri.exit_code == 2 and "MLFLOW_TRACKING_URI" in no_uri.output
    forced = run_cli("--audit-log", same, "--card", card, *window, "--mlflow")
    assert forced.exit_code == 2 and "--mlflow needs a tracking server" in forced.output


def test_reference_window_of_the_audit_log(tmp_path: Path) -> None:
    """Last week's confidences as the reference: a confidence collapse this week is drift."""
    card = str(write_card(tmp_path / "card.json"))
    log = tmp_path / "audit.jsonl"
    write_log(log, TRAIN_SHARES, 1000, start=T0 - timedelta(days=7), confidence=(0.6, 1.0))
    write_log(log, TRAIN_SHARES, 1000, start=T0, seed=1, confidence=(0.2, 0.8))
    result = run_cli("--audit-log", str(log), "--card", card, "--since", "2026-03-02T08:00Z", "--window-days", "7",
                     "--reference-since", "2026-02-23T08:00Z", "--json")  # fmt: skip
    assert result.exit_code == 1, result.output
    body = json.loads(result.stdout)
    assert body["audit"]["decisions"] == 1000 and body["confidence"]["reference_n"] == 1000
    assert body["reference"]["confidences"].startswith("audit log 2026-02-23T08:00:00.000Z")
    assert {c["name"] for c in body["checks"] if c["status"] == "drift"} == {"confidence_psi", "review_rate"}


def test_command_logs_to_mlflow_and_fails_on_a_missing_champion(mlflow_server: str, tmp_path: Path) -> None:
    from mlflow import MlflowClient

    register_champion(mlflow_server, tmp_path, "drift-cli")
    log = str(write_log(tmp_path / "audit.jsonl", TRAIN_SHARES, 600, mode="llm"))
    window = ["--since", "2026-03-02", "--until", "2026-03-03"]
    env = {"MLFLOW_TRACKING_URI": mlflow_server}
    result = run_cli("--audit-log", log, "--registered-model", "drift-cli", *window, "--experiment", "drift-cli",
                     env=env)  # fmt: skip
    # The LLM's evaluated confidences are all 0.9: the served ones (0.4-1.0) have drifted from them.
    assert result.exit_code == 1, result.output
    run_id = result.output.strip().splitlines()[-1].removeprefix("MLflow run: ")
    run = MlflowClient(mlflow_server).get_run(run_id)
    assert run.data.tags["drifted"] == "true" and run.data.metrics["confidence_psi"] > 0.2
    quiet = run_cli("--audit-log", log, "--registered-model", "drift-cli", *window, "--no-mlflow", env=env)
    assert "MLflow run" not in quiet.output
    missing = run_cli("--audit-log", log, "--registered-model", "no-such-model", *window, env=env)
    assert missing.exit_code == 2 and "error: the registry has no no-such-model@champion" in missing.output
    with pytest.raises(ReferenceNotFoundError):
        run_drift(log, DriftConfig(since=T0, until=T0 + timedelta(days=1)), registered_model="no-such-model",
                  tracking_uri=mlflow_server)  # fmt: skip
