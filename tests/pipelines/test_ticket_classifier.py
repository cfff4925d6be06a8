"""The training pipeline: compiled YAML, cluster settings, and real runs under kfp.local."""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
import yaml

from pipelines.demo import DEV_SET
from pipelines.ticket_classifier import COMPILED_PATH, ClusterSettings, build_pipeline, compile_pipeline

if TYPE_CHECKING:
    from mlflow import MlflowClient

#: Tasks on GPU nodes (the second use of a component is its name with ``-2``: the parsers alone run no model).
GPU_TASKS = (
    "train-adapter", "evaluate-candidate", "evaluate-baseline", "train-extractor-adapter", "evaluate-extractor",
    "evaluate-extraction-baseline",
)  # fmt: skip
#: The classifier's runs of one pipeline run, beside which the extractor's go.
CLASSIFIER_RUNS = {"candidate", "cascade", "zero-shot baseline", "classical baseline"}
#: The extractor's runs: its candidate, the prompts-only agents and the parsers alone.
EXTRACTOR_RUNS = {"extractor candidate", "extractor baseline"}
#: A hand-made export of the review queue (see tests/mail2ticket/data/test_feedback.py).
FEEDBACK = Path(__file__).parents[1] / "mail2ticket" / "data" / "feedback" / "review_export.jsonl"


def local_pipeline(root: Path, tickets: int, seed: int, dev_lines: int, **parameters: object):
    """A generated export, the first ``dev_lines`` of the dev set, kfp.local: the pipeline with small parameters.

    Returns a function that runs it once, with overrides of those parameters; every run writes
    its task outputs under ``root`` and reads the same export, so two runs differ only by those.
    """
    from mail2ticket.data.corpus import CorpusConfig, generate
    from pipelines.local import init_local

    corpus = generate(CorpusConfig(tickets=tickets, seed=seed, strategic_share=0.6), root / "export.csv")
    dev = root / "dev.jsonl"
    dev.write_text("".join(DEV_SET.read_text(encoding="utf-8").splitlines(keepends=True)[:dev_lines]), encoding="utf-8")
    small = {"batch_size": 2, "gradient_accumulation": 1, "prompt_style": "compact", **parameters}
    data = {"data_uri": str(corpus.export), "ground_truth_uri": str(corpus.truth), "dev_data_uri": str(dev)}

    def run(**overrides: object) -> None:
        init_local(root / "kfp")  # kfp.local's settings are global: another test may have moved them
        build_pipeline(cluster=False)(**data, **(small | overrides))

    return run


@dataclass(frozen=True)
class PipelineRun:
    """The first pipeline run of this module, which both adapters' tests read back.

    A run through kfp.local takes minutes on two cores, so the MLflow-view test and the promotion
    test share it; the promotion test then runs the same pipeline a second time.
    """

    run: Callable[..., None]
    """Runs the same pipeline again, on the same export, with parameter overrides."""
    client: MlflowClient
    """Client of the session's MLflow server."""
    parent_run_id: str
    """The first run's parent MLflow run."""
    champion_version: str
    """The classifier version the first run promoted."""


#: Registered models and experiment of the shared run.
SHARED_NAMES = {"registered_model": "pipeline-test", "mlflow_experiment": "pipeline-test",
                "extractor_registered_model": "pipeline-test-extractor"}  # fmt: skip
#: Small extractor parameters: two steps on one layer, three e-mails scored per set.
SMALL_EXTRACTOR = {"extractor_max_steps": 2, "extractor_lora_layers": 1, "extractor_batch_size": 2,
                   "extractor_gradient_accumulation": 1, "max_extractor_train_examples": 12,
                   "max_extraction_examples": 3, "extraction_max_new_tokens": 48}  # fmt: skip


@pytest.fixture(scope="module")
def first_run(mlflow_server: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[PipelineRun]:
    """One pipeline run that trains and promotes both adapters, tracked by the session's MLflow server."""
    from mlflow import MlflowClient

    from mail2ticket.registry.tracking import PARENT_RUN_TAG

    with pytest.MonkeyPatch.context() as env:
        env.setenv("MLFLOW_TRACKING_URI", mlflow_server)
        run = local_pipeline(tmp_path_factory.mktemp("pipeline"), 300, 5, 40, max_steps=2, max_train_examples=16,
                             max_test_examples=6, **SHARED_NAMES, **SMALL_EXTRACTOR)  # fmt: skip
        run()
        client = MlflowClient(mlflow_server)
        champion = client.get_model_version_by_alias(SHARED_NAMES["registered_model"], "champion")
        parent = client.get_run(champion.run_id).data.tags[PARENT_RUN_TAG]
        yield PipelineRun(run, client, parent, champion.version)


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
        # KFP 2.14.3 has no optional Secret keys: only keys every site's Secret holds are mapped.
        assert all("optional" not in s for s in k8s["secretAsEnv"])
        mapped = {e["secretKey"] for s in k8s["secretAsEnv"] for e in s["keyToEnv"]}
        assert "MLFLOW_TRACKING_URI" in mapped and "MLFLOW_TRACKING_USERNAME" not in mapped
        assert containers[f"exec-{task}"]["container"]["resources"]["accelerator"]["resourceCount"] == "1"
    for task in ("prepare-data", "evaluate-classical", "promote-adapter", "evaluate-extraction-baseline-2",
                 "promote-extractor"):  # fmt: skip
        assert "nodeSelector" not in executors[f"exec-{task}"]
        assert "accelerator" not in containers[f"exec-{task}"]["container"].get("resources", {})
    parameters = spec["root"]["inputDefinitions"]["parameters"]
    assert all(p.get("description") for p in parameters.values()), "every parameter needs a description for the UI"
    assert parameters["max_steps"]["defaultValue"] == 30 and parameters["lora_r"]["defaultValue"] == 16


def dataset_card(client, candidate_run_id: str, tmp_path: Path) -> dict:
    """The dataset card the pipeline run logged into the parent of ``candidate_run_id``."""
    from mail2ticket.registry.tracking import PARENT_RUN_TAG

    parent = client.get_run(candidate_run_id).data.tags[PARENT_RUN_TAG]
    folder = Path(client.download_artifacts(parent, "dataset", str(tmp_path / parent)))
    (card,) = folder.iterdir()
    return json.loads(card.read_text(encoding="utf-8"))


def test_pipeline_runs_locally_and_a_worse_model_does_not_take_champion(
    first_run: PipelineRun, mlflow_server: str, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A second run, given the review queue's export, also shows corrections feeding the next run."""
    from mail2ticket.registry.tracking import PARENT_RUN_TAG

    monkeypatch.setenv("MLFLOW_TRACKING_URI", mlflow_server)
    client, model_name = first_run.client, SHARED_NAMES["registered_model"]
    champion = client.get_model_version(model_name, first_run.champion_version)
    run = client.get_run(champion.run_id)
    assert {"train_loss", "macro_f1", "dev_macro_f1", "match_rate", "automation_rate"} <= set(run.data.metrics)
    assert run.data.metrics["match_rate"] == 1.0
    assert len(client.get_metric_history(run.info.run_id, "train_loss")) == 2
    assert "kfp.run_id" in run.data.tags and champion.tags["promotion_alias"] == "champion"
    assert champion.tags["beats_classical"] in ("true", "false")

    assert not any(name.startswith("reviewed_") for name in run.data.metrics)

    # The bare base model, in effect; only the classifier this time.
    first_run.run(learning_rate=1e-12, feedback_uri=str(FEEDBACK), train_extractors=False)
    assert client.get_model_version_by_alias(model_name, "champion").version == champion.version
    challenger = client.get_model_version_by_alias(model_name, "challenger")
    assert challenger.version != champion.version
    assert "does not beat" in challenger.tags["promotion_reason"]

    # The exported corrections changed this run's training data, not its test set...
    before, after = dataset_card(client, champion.run_id, tmp_path), dataset_card(client, challenger.run_id, tmp_path)
    feedback = after["feedback"]
    assert before["feedback"] is None and feedback["rows_read"] == 15 and feedback["input"] == str(FEEDBACK)
    assert feedback["train_rows"] > 0 and feedback["reviewed_rows"] > 0
    assert after["train_rows"] == before["train_rows"] + feedback["train_rows"]
    assert after["test_rows"] == before["test_rows"] and after["reviewed_rows"] == feedback["reviewed_rows"]
    assert after["outputs"]["test.jsonl"] == before["outputs"]["test.jsonl"]
    assert after["outputs"]["train.jsonl"] != before["outputs"]["train.jsonl"]
    # ... and the held-out slice is evaluated beside the test set, for the candidate and every baseline.
    candidate = client.get_run(challenger.run_id)
    parent = candidate.data.tags[PARENT_RUN_TAG]
    siblings = client.search_runs([candidate.info.experiment_id], f"tags.`{PARENT_RUN_TAG}` = '{parent}'")
    assert {r.info.run_name.split(":")[0] for r in siblings} == CLASSIFIER_RUNS  # train_extractors=False: none
    reviewed_metrics = {"reviewed_accuracy", "reviewed_macro_f1", "accuracy"}
    for sibling in siblings:
        assert reviewed_metrics <= set(sibling.data.metrics), sibling.info.run_name
    inputs = {i.dataset.name: i for i in candidate.inputs.dataset_inputs}
    assert {t.value for t in inputs["reviewed"].tags if t.key == "mlflow.data.context"} == {"evaluation"}
    assert any(a.path == "evaluation/reviewed" for a in client.list_artifacts(candidate.info.run_id, "evaluation"))


def test_mlflow_holds_one_parent_run_per_pipeline_run_with_comparable_children(first_run: PipelineRun) -> None:
    """What a user comparing experiments in MLflow sees, read back through the client of a real server.

    One pipeline run trains both adapters: the classifier's runs and the extractor's sit under
    the same parent, each group with the same metric names, each adapter in its registered model.
    """
    from mail2ticket.evaluation import Candidate
    from mail2ticket.registry.promotion import ADAPTER_MODEL_TAG
    from mail2ticket.registry.tracking import EXPERIMENT_KIND_TAG, PARENT_RUN_TAG

    client = first_run.client
    experiment = client.get_experiment_by_name(SHARED_NAMES["mlflow_experiment"])
    assert experiment.tags[EXPERIMENT_KIND_TAG] == "finetuning"
    runs = client.search_runs([experiment.experiment_id])
    parents = {r.info.run_id: r for r in runs if PARENT_RUN_TAG not in r.data.tags}
    assert first_run.parent_run_id in parents  # (the promotion test may have added a second pipeline run)
    assert all(r.info.run_name.startswith("pipeline ") for r in parents.values())
    assert all(r.data.tags[PARENT_RUN_TAG] in parents for r in runs if r.info.run_id not in parents)
    children = {r.info.run_name: r for r in runs if r.data.tags.get(PARENT_RUN_TAG) == first_run.parent_run_id}
    classifiers = {name.split(":")[0]: r for name, r in children.items() if not name.startswith("extractor")}
    assert set(classifiers) == CLASSIFIER_RUNS
    shared = set.intersection(*(set(r.data.metrics) for r in classifiers.values()))
    assert {"accuracy", "macro_f1", "dev_accuracy", "dev_macro_f1", "automation_rate"} <= shared
    assert any(name.startswith("f1_") for name in shared) and any(name.startswith("dev_recall_") for name in shared)
    candidate = classifiers["candidate"]
    contexts = {}
    for dataset_input in candidate.inputs.dataset_inputs:
        context = next(t.value for t in dataset_input.tags if t.key == "mlflow.data.context")
        contexts[dataset_input.dataset.name] = context
        assert dataset_input.dataset.digest
    assert contexts == {"train": "training", "validation": "validation", "test": "evaluation", "dev": "evaluation"}
    model_name, extractor_name = SHARED_NAMES["registered_model"], SHARED_NAMES["extractor_registered_model"]
    version = client.get_model_version(model_name, first_run.champion_version)
    assert version.run_id == candidate.info.run_id
    logged = client.get_logged_model(candidate.data.tags[ADAPTER_MODEL_TAG])
    assert logged.source_run_id == candidate.info.run_id and str(logged.status) == "READY"
    registered = json.loads(logged.tags["mlflow.modelVersions"])
    assert {"name": model_name, "version": int(version.version)} in registered
    assert version.source == logged.artifact_location  # the registry serves the logged model's files
    assert "adapter_model.safetensors" in {f.path for f in client.list_logged_model_artifacts(logged.model_id)}

    # The extractor: its candidate and both baselines, side by side under the same metric names.
    extractors = {name: r for name, r in children.items() if name.startswith("extractor")}
    assert {name.split(":")[0] for name in extractors} == EXTRACTOR_RUNS and len(extractors) == 3
    shared = set.intersection(*(set(r.data.metrics) for r in extractors.values()))
    assert {"extraction_f1", "extraction_exact_match", "extraction_hostname_f1", "dev_extraction_f1",
            "dev_extraction_dates_f1"} <= shared  # fmt: skip
    assert any(name.startswith("dev_field_f1.") for name in shared)
    parsers = extractors["extractor baseline: parsers only"].data.metrics
    assert parsers["extraction_answered_by_model"] == 0 and parsers["dev_extraction_answered_by_model"] == 0
    assert parsers["extraction_examples"] == parsers["dev_extraction_examples"] == 3
    trained = next(r for name, r in extractors.items() if name.startswith("extractor candidate"))
    assert len(client.get_metric_history(trained.info.run_id, "train_loss")) == 2
    assert trained.data.metrics["extraction_answered_by_model"] + trained.data.metrics[
        "extraction_answered_by_parser"] == 3  # fmt: skip
    extractor_version = client.get_model_version_by_alias(extractor_name, "champion")
    assert extractor_version.run_id == trained.info.run_id
    assert float(extractor_version.tags["metric.extraction_f1"]) == trained.data.metrics["extraction_f1"]
    # Its classical baseline is the parsers alone: whether it beats them on the dev set is on the version.
    beats = trained.data.metrics["dev_extraction_f1"] > parsers["dev_extraction_f1"]
    assert extractor_version.tags["beats_classical"] == str(beats).lower()
    assert extractor_version.source == client.get_logged_model(trained.data.tags[ADAPTER_MODEL_TAG]).artifact_location
    # What serving resolves: the registry's champion, an extractor adapter on the same base model.
    served = Candidate.resolve("embedded:smollm2-135m", f"models:/{extractor_name}/{extractor_version.version}",
                               kind="extractor")  # fmt: skip
    assert served.metadata["kind"] == "extractor" and served.metadata["steps"] == 2
    with pytest.raises(Exception, match="extractor"):
        Candidate.resolve("embedded:smollm2-135m", f"models:/{model_name}/{version.version}", kind="extractor")


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
