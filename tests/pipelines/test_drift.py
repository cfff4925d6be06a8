"""The drift pipeline: compiled YAML, the KFP 2.14.3 protos, the audit volume, and a real run under kfp.local."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
import yaml

from pipelines.cluster import ClusterSettings
from pipelines.drift import COMPILED_PATH, AuditVolume, build_pipeline, compile_pipeline
from tests.mail2ticket.ops.drift.samples import TRAIN_SHARES, write_card, write_log
from tests.pipelines.test_kfp_protos import check


def executors(path: Path) -> dict:
    _, platform = yaml.safe_load_all(path.read_text(encoding="utf-8"))
    return platform["platforms"]["kubernetes"]["deploymentSpec"]["executors"]


def test_committed_yaml_equals_a_fresh_compile(default_settings: ClusterSettings, tmp_path: Path) -> None:
    fresh = compile_pipeline(tmp_path / "fresh.yaml", default_settings)
    committed = list(yaml.safe_load_all(COMPILED_PATH.read_text(encoding="utf-8")))
    assert committed == list(yaml.safe_load_all(fresh.read_text(encoding="utf-8"))), (
        "pipelines/compiled/drift.yaml is stale: run `python -m pipelines.drift`"
    )


def test_committed_pipeline_parses_with_kfp_2_14_3_protos() -> None:
    code, (result,) = check(COMPILED_PATH)
    assert code == 0 and not result["errors"] and result["executors"] == ["exec-check-drift"]
    step = executors(COMPILED_PATH)["exec-check-drift"]
    keys = {e["secretKey"] for s in step["secretAsEnv"] for e in s["keyToEnv"]}
    assert {"MLFLOW_TRACKING_URI", "AWS_ACCESS_KEY_ID"} <= keys and "pvcMount" not in step
    spec = next(yaml.safe_load_all(COMPILED_PATH.read_text(encoding="utf-8")))
    container = spec["deploymentSpec"]["executors"]["exec-check-drift"]["container"]
    assert "nvidia.com/gpu" not in json.dumps(container)  # a CPU step
    assert spec["root"]["inputDefinitions"]["parameters"]["psi_threshold"]["defaultValue"] == 0.2


def test_audit_claim_is_mounted_and_parses(default_settings: ClusterSettings, tmp_path: Path) -> None:
    path = compile_pipeline(tmp_path / "claim.yaml", default_settings, AuditVolume("mail2ticket-audit", "/audit"))
    code, (result,) = check(path)
    assert code == 0 and not result["errors"], result
    (mount,) = executors(path)["exec-check-drift"]["pvcMount"]
    assert (
        mount["mountPath"] == "/audit" and mount["pvcNameParameter"]["runtimeValue"]["constant"] == "mail2ticket-audit"
    )


def test_pipeline_runs_under_kfp_local(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from pipelines.local import init_local

    monkeypatch.delenv("MLFLOW_TRACKING_URI", raising=False)
    init_local(tmp_path / "kfp")
    log = write_log(tmp_path / "audit.jsonl", TRAIN_SHARES, 300)
    run = build_pipeline(cluster=False)(
        audit_log_uri=str(log), card_uri=str(write_card(tmp_path / "card.json")), since="2026-03-02",
        until="2026-03-03",
    )  # fmt: skip
    reports = list((tmp_path / "kfp").rglob("report"))
    assert run is not None and len(reports) == 1
    assert json.loads(reports[0].read_text(encoding="utf-8"))["audit"]["decisions"] == 300


def test_the_package_loads_the_way_create_recurring_run_reads_it() -> None:
    """``kfp.Client.create_recurring_run(pipeline_package_path=...)`` (docs/operations-drift.md) reads the YAML so."""
    from kfp.client.client import _extract_pipeline_yaml

    document = _extract_pipeline_yaml(str(COMPILED_PATH))
    assert document.pipeline_spec.pipeline_info.name == "mail2ticket-drift"
    assert "exec-check-drift" in document.platform_spec.platforms["kubernetes"].deployment_spec.executors
