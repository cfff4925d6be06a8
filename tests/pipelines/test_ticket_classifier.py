"""The training pipeline: compiled YAML, cluster settings, and real runs under kfp.local."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from pipelines.ticket_classifier import COMPILED_PATH, ClusterSettings, build_pipeline, compile_pipeline

GPU_TASKS = ("train-adapter", "evaluate-candidate", "evaluate-baseline")


@pytest.fixture
def default_settings(monkeypatch: pytest.MonkeyPatch) -> ClusterSettings:
    for name in ("MAIL2TICKET_GPU_NODE_SELECTOR", "MAIL2TICKET_GPU_TOLERATIONS", "MAIL2TICKET_IMAGE_PULL_SECRETS"):
        monkeypatch.delenv(name, raising=False)
    return ClusterSettings()


def test_committed_yaml_equals_a_fresh_compile(default_settings: ClusterSettings, tmp_path: Path) -> None:
    fresh = compile_pipeline(tmp_path / "fresh.yaml", default_settings)
    committed = list(yaml.safe_load_all(COMPILED_PATH.read_text(encoding="utf-8")))
    assert committed == list(yaml.safe_load_all(fresh.read_text(encoding="utf-8"))), (
        "pipelines/compiled/ticket_classifier.yaml is stale: run `make compile`"
    )


def test_gpu_steps_go_to_a10_nodes_with_secrets(default_settings: ClusterSettings, tmp_path: Path) -> None:
    documents = list(yaml.safe_load_all(compile_pipeline(tmp_path / "p.yaml", default_settings).read_text()))
    spec, platform = documents[0], documents[1]
    executors = platform["platforms"]["kubernetes"]["deploymentSpec"]["executors"]
    containers = spec["deploymentSpec"]["executors"]
    for task in GPU_TASKS:
        k8s = executors[f"exec-{task}"]
        assert k8s["nodeSelector"]["labels"] == {"nvidia.com/gpu.product": "NVIDIA-A10"}
        assert k8s["tolerations"][0]["key"] == "nvidia.com/gpu"
        assert {s["secretName"] for s in k8s["secretAsEnv"]} == {"mail2ticket-s3", "mail2ticket-mlflow"}
        assert containers[f"exec-{task}"]["container"]["resources"]["accelerator"]["resourceCount"] == "1"
    for task in ("prepare-data", "promote-adapter"):
        assert "nodeSelector" not in executors[f"exec-{task}"]
        assert "accelerator" not in containers[f"exec-{task}"]["container"].get("resources", {})
    parameters = spec["root"]["inputDefinitions"]["parameters"]
    assert all(p.get("description") for p in parameters.values()), "every parameter needs a description for the UI"
    assert parameters["max_steps"]["defaultValue"] == 30 and parameters["lora_r"]["defaultValue"] == 16


def test_pipeline_runs_locally_and_a_worse_model_does_not_take_champion(
    mlflow_server: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from mlflow import MlflowClient

    from mail2ticket.data.corpus import CorpusConfig, generate
    from pipelines.local import init_local

    monkeypatch.setenv("MLFLOW_TRACKING_URI", mlflow_server)
    corpus = generate(CorpusConfig(tickets=400, seed=4, strategic_share=0.6), tmp_path / "export.csv")
    init_local(tmp_path / "kfp")
    pipeline = build_pipeline(cluster=False)
    model_name = "mail2ticket-classifier-pipeline-test"
    common = dict(
        data_uri=str(corpus.export), ground_truth_uri=str(corpus.truth), max_steps=3, batch_size=2,
        gradient_accumulation=1, max_train_examples=24, max_test_examples=8, prompt_style="compact",
        registered_model=model_name, mlflow_experiment="pipeline-test",
    )  # fmt: skip
    pipeline(**common)
    client = MlflowClient(mlflow_server)
    champion = client.get_model_version_by_alias(model_name, "champion")
    run = client.get_run(champion.run_id)
    assert {"train_loss", "macro_f1", "baseline_macro_f1", "match_rate"} <= set(run.data.metrics)
    assert run.data.metrics["match_rate"] == 1.0
    assert run.data.metrics["macro_f1"] >= run.data.metrics["baseline_macro_f1"]
    assert len(client.get_metric_history(run.info.run_id, "train_loss")) == 3
    assert "kfp.run_id" in run.data.tags and champion.tags["promotion_alias"] == "champion"

    pipeline(**{**common, "learning_rate": 1e-12})  # the bare base model, in effect
    assert client.get_model_version_by_alias(model_name, "champion").version == champion.version
    challenger = client.get_model_version_by_alias(model_name, "challenger")
    assert challenger.version != champion.version
    assert "does not beat" in challenger.tags["promotion_reason"]


def test_preparation_defaults_come_from_prepare_config_only() -> None:
    """The pipeline's preparation parameters default to PrepareConfig's values; the component writes none."""
    from mail2ticket.data.prepare.config import PIPELINE_FIELDS, PrepareConfig, pipeline_defaults

    spec = next(yaml.safe_load_all(COMPILED_PATH.read_text(encoding="utf-8")))
    parameters = spec["root"]["inputDefinitions"]["parameters"]
    defaults = pipeline_defaults()
    for field in PIPELINE_FIELDS:
        assert parameters["split_seed" if field == "seed" else field]["defaultValue"] == defaults[field], field
    assert PrepareConfig.from_pipeline(**defaults) == PrepareConfig()
    component = spec["components"]["comp-prepare-data"]["inputDefinitions"]["parameters"]
    for field in PIPELINE_FIELDS:
        assert "defaultValue" not in component[field], field


def test_training_defaults_come_from_training_config_only() -> None:
    """The pipeline's training parameters default to TrainingConfig's values; the component writes none."""
    from mail2ticket.training.config import PIPELINE_FIELDS, TrainingConfig, pipeline_defaults

    spec = next(yaml.safe_load_all(COMPILED_PATH.read_text(encoding="utf-8")))
    parameters = spec["root"]["inputDefinitions"]["parameters"]
    pipeline_name = {field: field for field in PIPELINE_FIELDS} | {"seed": "training_seed"}
    defaults = pipeline_defaults()
    for field in PIPELINE_FIELDS:
        assert parameters[pipeline_name[field]]["defaultValue"] == defaults[field], field
    config = TrainingConfig()
    assert defaults["lora_r"] == config.lora_r and defaults["seed"] == config.seed
    assert defaults["lora_layers"] == 0 and config.lora_layers is None  # KFP's 0 stands for None
    assert TrainingConfig.from_pipeline(**defaults) == config  # and back again
    component = spec["components"]["comp-train-adapter"]["inputDefinitions"]["parameters"]
    for field in PIPELINE_FIELDS:
        assert "defaultValue" not in component[field] and not component[field].get("isOptional"), field
