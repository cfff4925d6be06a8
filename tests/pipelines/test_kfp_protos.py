"""The compiled pipeline parses strictly with the protos of the KFP release the cluster runs (2.14.3).

The KFP 2.14.3 API server unmarshals the PipelineSpec, the PlatformSpec and every
KubernetesExecutorConfig strictly when it creates a run: one field added by a newer SDK
(``SecretAsEnv.optional``, 2.15.0) makes every run fail. The main venv's kfp SDK is newer, so
the check runs in ``.venv-kfp`` (``make test`` creates it) through tests/pipelines/kfp_proto_check.py.
"""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

import pytest
import yaml

from infra.kfp_upload import patch_package
from pipelines.ticket_classifier import COMPILED_PATH, ClusterSettings, compile_pipeline

REPO_ROOT = Path(__file__).resolve().parents[2]
KFP_PYTHON = REPO_ROOT / ".venv-kfp" / "bin" / "python"
CHECKER = Path(__file__).with_name("kfp_proto_check.py")
CHART_COPY = REPO_ROOT / "helm" / "mail2ticket" / "files" / "ticket_classifier.yaml"
EXECUTORS = {f"exec-{t}" for t in ("prepare-data", "train-adapter", "evaluate-candidate", "evaluate-baseline",
                                   "evaluate-classical", "promote-adapter", "train-extractor-adapter",
                                   "evaluate-extractor", "evaluate-extraction-baseline",
                                   "evaluate-extraction-baseline-2", "promote-extractor")}  # fmt: skip


def check(*paths: Path) -> tuple[int, list[dict[str, Any]]]:
    """Exit status and per-file results of the checker, run by the pinned protos' venv."""
    if not KFP_PYTHON.is_file():
        pytest.fail(f"{KFP_PYTHON} is missing: run `make test` (or `make venv-kfp`) to create the KFP 2.14.3 venv")
    done = subprocess.run(
        [str(KFP_PYTHON), str(CHECKER), *map(str, paths)], capture_output=True, text=True, timeout=120
    )
    assert done.stdout.strip(), done.stderr
    return done.returncode, json.loads(done.stdout)


def assert_parses(*paths: Path) -> None:
    code, results = check(*paths)
    for result in results:
        assert not result["errors"], f"{result['file']}: {result['errors']}"
        assert set(result["executors"]) == EXECUTORS, result["executors"]
    assert code == 0


def test_checker_uses_the_pinned_protos() -> None:
    """The venv holds 2.14.3 exactly, not a newer (lenient) release."""
    if not KFP_PYTHON.is_file():
        pytest.fail(f"{KFP_PYTHON} is missing: run `make test` (or `make venv-kfp`)")
    versions = subprocess.run(
        [str(KFP_PYTHON), "-c", "import importlib.metadata as m; "
         "print(m.version('kfp-pipeline-spec'), m.version('kfp-kubernetes'))"],
        capture_output=True, text=True, check=True,
    ).stdout.split()  # fmt: skip
    assert versions == ["2.14.3", "2.14.3"]


@pytest.mark.parametrize("path", [COMPILED_PATH, CHART_COPY], ids=["compiled", "chart-copy"])
def test_committed_pipeline_parses_with_kfp_2_14_3_protos(path: Path) -> None:
    assert_parses(path)


def test_a_field_unknown_to_2_14_3_is_rejected(tmp_path: Path) -> None:
    """Strictness proven: ``optional: true`` on a secretAsEnv entry (a 2.15 field) fails the check."""
    spec, platform = yaml.safe_load_all(COMPILED_PATH.read_text(encoding="utf-8"))
    executors = platform["platforms"]["kubernetes"]["deploymentSpec"]["executors"]
    executors["exec-train-adapter"]["secretAsEnv"][0]["optional"] = True
    broken = tmp_path / "broken.yaml"
    broken.write_text(yaml.safe_dump_all([spec, platform], sort_keys=False), encoding="utf-8")
    code, (result,) = check(broken)
    assert code == 1
    assert len(result["errors"]) == 1 and "exec-train-adapter" in result["errors"][0]
    assert 'no field named "optional"' in result["errors"][0]


def test_pipeline_compiled_with_mlflow_auth_parses_and_maps_the_credentials(tmp_path: Path) -> None:
    path = compile_pipeline(tmp_path / "auth.yaml", ClusterSettings(mlflow_auth=True))
    assert_parses(path)
    _, platform = yaml.safe_load_all(path.read_text(encoding="utf-8"))
    trained = platform["platforms"]["kubernetes"]["deploymentSpec"]["executors"]["exec-train-adapter"]
    keys = {e["secretKey"] for s in trained["secretAsEnv"] for e in s["keyToEnv"]}
    assert {"MLFLOW_TRACKING_USERNAME", "MLFLOW_TRACKING_PASSWORD"} <= keys


@pytest.mark.parametrize("mlflow_auth", [False, True], ids=["no-auth", "auth"])
def test_package_patched_by_the_upload_job_parses(tmp_path: Path, mlflow_auth: bool) -> None:
    """What the chart's Job uploads (site images, MLflow credentials) is still valid for KFP 2.14.3."""
    patched = patch_package(
        CHART_COPY.read_text(encoding="utf-8"),
        runtime_image="harbor.dc1.internal:5000/m2t/mail2ticket/runtime:0.1.0@sha256:" + "a" * 64,
        gpu_image="harbor.dc1.internal:5000/m2t/mail2ticket/engine-gpu:0.1.0",
        mlflow_auth=mlflow_auth,
        image_pull_secrets=["harbor-robot", "harbor-mirror"],
    )
    path = tmp_path / "patched.yaml"
    path.write_text(patched, encoding="utf-8")
    assert_parses(path)
