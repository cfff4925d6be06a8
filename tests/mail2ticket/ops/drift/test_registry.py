"""The champion's reference from the registry, and the report logged to MLflow
(:mod:`mail2ticket.ops.drift.reference`, :mod:`mail2ticket.ops.drift.tracking`)."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from mail2ticket.ops.drift import DriftConfig, log_report, run_drift
from tests.mail2ticket.ops.drift.samples import SHIFTED, T0, TRAIN_SHARES, register_champion, write_log


def test_champion_reference_from_the_registry_and_report_in_mlflow(mlflow_server: str, tmp_path: Path) -> None:
    from mlflow import MlflowClient

    runs = register_champion(mlflow_server, tmp_path, "drift-champion")
    log = write_log(tmp_path / "audit.jsonl", SHIFTED, 800, mode="cascade")
    config = DriftConfig(since=T0, until=T0 + timedelta(days=1))
    report = run_drift(log, config, registered_model="drift-champion", tracking_uri=mlflow_server)
    assert report.reference["card"] == (
        f"drift-champion@champion (v{runs['version']}): runs:/{runs['parent']}/dataset/dataset_card"
    )
    assert report.reference["model"]["run_id"] == runs["candidate"]
    # Served by the cascade: the cascade's evaluation is the confidence reference, not the LLM's.
    assert report.reference["confidences"].startswith(f"runs:/{runs['cascade']}/evaluation/predictions.csv")
    assert report.confidence.reference_n == 300 and report.review_rate_reference == pytest.approx(100 / 300, abs=0.01)
    llm_served = run_drift(write_log(tmp_path / "llm.jsonl", TRAIN_SHARES, 100, mode="llm"), config,
                           registered_model="drift-champion", tracking_uri=mlflow_server)  # fmt: skip
    assert llm_served.reference["confidences"].startswith(f"runs:/{runs['candidate']}/")
    assert llm_served.confidence.reference_mean == pytest.approx(0.9)

    run_id = log_report(report, mlflow_server, "drift-tests")
    run = MlflowClient(mlflow_server).get_run(run_id)
    assert run.info.status == "FINISHED" and run.data.tags["drifted"] == "true"
    assert run.data.tags["reference.version"] == runs["version"] and run.data.tags["mail2ticket.step"] == "drift"
    assert run.data.metrics["category_psi"] == pytest.approx(report.category_psi)
    assert run.data.metrics["decisions"] == 800 and run.data.params["psi_threshold"] == "0.2"
    files = {f.path for f in MlflowClient(mlflow_server).list_artifacts(run_id, "drift")}
    assert files == {"drift/drift_report.json", "drift/drift.png"}
