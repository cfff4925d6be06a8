"""The check_drift component, run for real through kfp.local (SubprocessRunner)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from components.drift import check_drift
from mail2ticket.ops.drift import DEFAULT_EXPERIMENT, DriftConfig
from pipelines.local import init_local
from tests.mail2ticket.ops.drift.samples import SHIFTED, TRAIN_SHARES, write_card, write_log

WINDOW = {"since": "2026-03-02T00:00:00Z", "until": "2026-03-03T00:00:00Z"}
#: The component's parameters and the DriftConfig fields they set.
THRESHOLDS = ("window_days", "psi_threshold", "chi2_p_value", "unknown_rate_delta", "review_rate_delta",
              "confidence_psi_threshold")  # fmt: skip


def test_component_declares_no_runtime_install_and_the_config_defaults() -> None:
    spec = check_drift.component_spec
    assert "pip install" not in " ".join(spec.implementation.container.command)
    assert {name: out.type for name, out in spec.outputs.items()} == {
        "report": "system.Artifact@0.0.1", "plot": "system.Artifact@0.0.1", "metrics": "system.Metrics@0.0.1",
        "Output": "Boolean",
    }  # fmt: skip
    defaults = DriftConfig().model_dump()
    # KFP ships the function's source: its defaults are literals, kept equal to DriftConfig's here.
    assert {name: spec.inputs[name].default for name in THRESHOLDS} == {name: defaults[name] for name in THRESHOLDS}
    assert spec.inputs["mlflow_experiment"].default == DEFAULT_EXPERIMENT


def test_component_writes_the_report_and_metrics(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    init_local(tmp_path / "kfp")
    log = write_log(tmp_path / "audit.jsonl", TRAIN_SHARES, 400)
    task = check_drift(audit_log_uri=str(log), card_uri=str(write_card(tmp_path / "card.json")), **WINDOW)
    assert task.outputs["Output"] is False
    report = json.loads(Path(task.outputs["report"].path).read_text(encoding="utf-8"))
    assert report["audit"]["decisions"] == 400 and report["drifted"] is False
    assert Path(task.outputs["plot"].path).read_bytes()[:4] == b"\x89PNG"
    metrics = task.outputs["metrics"].metadata
    assert metrics["decisions"] == 400 and metrics["category_psi"] == pytest.approx(report["category_psi"])
    assert task.outputs["report"].metadata["mlflow_run_id"] == ""  # no tracking server: not logged


def test_drift_fails_the_task_after_logging_the_report(
    mlflow_server: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    from mlflow import MlflowClient

    monkeypatch.setenv("MLFLOW_TRACKING_URI", mlflow_server)  # as the MLflow Secret sets it on the cluster
    init_local(tmp_path / "kfp")
    log, card = str(write_log(tmp_path / "audit.jsonl", SHIFTED, 400)), str(write_card(tmp_path / "card.json"))
    with pytest.raises(RuntimeError, match="FAILURE"):
        check_drift(audit_log_uri=log, card_uri=card, mlflow_experiment="drift-component", **WINDOW)
    assert "drift past thresholds" in capfd.readouterr().out
    client = MlflowClient(mlflow_server)
    experiment = client.get_experiment_by_name("drift-component")
    (run,) = client.search_runs([experiment.experiment_id])
    assert run.data.tags["drifted"] == "true" and run.data.metrics["decisions"] == 400
    # Without fail_on_drift the task succeeds and says it drifted.
    task = check_drift(audit_log_uri=log, card_uri=card, mlflow_experiment="drift-component", fail_on_drift=False,
                       **WINDOW)  # fmt: skip
    assert task.outputs["Output"] is True
    assert task.outputs["report"].metadata["failed_checks"] == ["category_psi", "category_chi2"]


def test_an_error_fails_the_task(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capfd: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    init_local(tmp_path / "kfp")
    with pytest.raises(RuntimeError, match="FAILURE"):
        check_drift(audit_log_uri=str(tmp_path / "missing.jsonl"), card_uri=str(tmp_path / "card.json"))
    assert "error: no audit log at" in capfd.readouterr().out
