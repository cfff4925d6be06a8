"""The forecasting pipeline: compiled YAML for the KFP UI, and a real run under kfp.local logged to MLflow."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
import yaml

from mail2ticket.ops.forecasting import ForecastSettings
from mail2ticket.ops.llm_forecaster import ForecasterConfig
from mail2ticket.registry.tracking import EXPERIMENT_KIND_TAG, FORECASTING_KIND, PARENT_RUN_TAG
from pipelines.cluster import ClusterSettings
from pipelines.forecast import COMPILED_PATH, build_pipeline, compile_pipeline
from tests.pipelines.test_kfp_protos import check

GPU_TASKS = ("train-forecaster", "forecast-llm")


def test_committed_yaml_equals_a_fresh_compile(default_settings: ClusterSettings, tmp_path: Path) -> None:
    fresh = compile_pipeline(tmp_path / "fresh.yaml", default_settings)
    committed = list(yaml.safe_load_all(COMPILED_PATH.read_text(encoding="utf-8")))
    assert committed == list(yaml.safe_load_all(fresh.read_text(encoding="utf-8"))), (
        "pipelines/compiled/forecast.yaml is stale: run `make compile`"
    )


def test_committed_pipeline_parses_with_kfp_2_14_3_protos() -> None:
    code, (result,) = check(COMPILED_PATH)
    assert code == 0 and not result["errors"], result["errors"]
    steps = ("prepare-series", "forecast-baselines", "train-forecaster", "forecast-llm", "evaluate-forecasts",
             "promote-forecaster")  # fmt: skip
    assert set(result["executors"]) == {f"exec-{step}" for step in steps}


def test_llm_steps_go_to_gpu_nodes_and_defaults_come_from_the_configuration(default_settings: ClusterSettings) -> None:
    spec, platform = yaml.safe_load_all(COMPILED_PATH.read_text(encoding="utf-8"))
    executors = platform["platforms"]["kubernetes"]["deploymentSpec"]["executors"]
    containers = spec["deploymentSpec"]["executors"]
    for task in GPU_TASKS:
        assert containers[f"exec-{task}"]["container"]["resources"]["accelerator"]["resourceCount"] == "1"
        assert executors[f"exec-{task}"]["nodeSelector"]["labels"] == {"nvidia.com/gpu.product": "NVIDIA-A10"}
    assert "accelerator" not in containers["exec-forecast-baselines"]["container"].get("resources", {})
    parameters = spec["root"]["inputDefinitions"]["parameters"]
    settings, forecaster = ForecastSettings(), ForecasterConfig()
    assert parameters["horizon"]["defaultValue"] == settings.horizon
    assert parameters["context_days"]["defaultValue"] == forecaster.context_days
    assert parameters["max_steps"]["defaultValue"] == forecaster.training.max_steps


def test_pipeline_runs_locally_and_logs_every_model_to_mlflow(
    mlflow_server: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from mlflow import MlflowClient

    from mail2ticket.ops.series import write_series
    from mail2ticket.ops.synthetic import ticket_volumes
    from pipelines.local import init_local

    monkeypatch.setenv("MLFLOW_TRACKING_URI", mlflow_server)
    generated = ticket_volumes(date(2025, 1, 6), 84, ["Incident de sauvegarde", "Demande de renseignement"], seed=3)
    series = write_series(generated.frame, tmp_path / "series.csv")
    truth = tmp_path / "anomalies.csv"
    generated.anomalies.to_csv(truth, index=False)
    init_local(tmp_path / "kfp")
    build_pipeline(cluster=False)(
        series_uri=str(series), anomalies_uri=str(truth), horizon=7, context_days=14, window_stride=14,
        max_steps=1, mlflow_experiment="forecast-local",
    )  # fmt: skip

    client = MlflowClient(mlflow_server)
    experiment = client.get_experiment_by_name("forecast-local")
    assert experiment.tags[EXPERIMENT_KIND_TAG] == FORECASTING_KIND
    runs = client.search_runs([experiment.experiment_id])
    by_name = {r.info.run_name.split(":")[0]: r for r in runs}
    assert {"llm_lora", "seasonal_naive", "exponential_smoothing"} <= set(by_name)
    candidate = by_name["llm_lora"]
    parent = candidate.data.tags[PARENT_RUN_TAG]
    for model in ("seasonal_naive", "exponential_smoothing"):
        assert by_name[model].data.tags[PARENT_RUN_TAG] == parent, "baselines are the candidate's siblings"
        for metric in ("mase", "smape", "mae", "coverage"):
            assert metric in by_name[model].data.metrics and metric in candidate.data.metrics
    assert candidate.data.metrics["valid_rate"] == 1.0
    assert candidate.data.tags["promotion_reason"]
    artifacts = {a.path for a in client.list_artifacts(candidate.info.run_id, "plots")}
    assert len(artifacts) == 2 and all(p.endswith(".png") for p in artifacts)
    reports = list((tmp_path / "kfp").rglob("report"))
    assert len(reports) == 1
    report = json.loads(reports[0].read_text(encoding="utf-8"))
    assert set(report["models"]) == {"llm_lora", "seasonal_naive", "exponential_smoothing"}
    beaten = report["models"]["llm_lora"]["mean"]["mase"] < report["models"][report["best_baseline"]]["mean"]["mase"]
    assert (candidate.data.tags["promotion"] == "promoted") == beaten
