"""``mail2ticket preflight``: every check on passing and failing clusters built from client model objects.

The rules are pure functions over ``kubernetes`` model objects; the bucket check runs against a
real moto S3 server, the HTTP checks against a real local server, and the command end to end
against a local server answering the Kubernetes API paths the real client calls.
"""

from __future__ import annotations

from pathlib import Path

import boto3
import pytest
import yaml
from kubernetes.client import (
    ApiClient,
    V1CustomResourceDefinition,
    V1CustomResourceDefinitionNames,
    V1CustomResourceDefinitionSpec,
    V1CustomResourceDefinitionVersion,
    V1CustomResourceValidation,
    V1JSONSchemaProps,
    V1Namespace,
    V1Node,
    V1NodeCondition,
    V1NodeSpec,
    V1NodeStatus,
    V1ObjectMeta,
    V1Secret,
    V1StorageClass,
)
from typer.testing import CliRunner

from infra.preflight import (
    ClusterState,
    PreflightOptions,
    Status,
    check_bucket,
    check_gpu_nodes,
    check_http,
    check_namespace,
    check_rayservice_crd,
    check_secrets,
    check_storage_class,
    failed,
    gpu_product_pattern,
    options_from_values,
    run_checks,
)
from infra.preflight_cli import app, load_values
from tests.infra.servers import http_server, routes

REPO_ROOT = Path(__file__).resolve().parents[2]
CHART = REPO_ROOT / "helm" / "mail2ticket"


# --- model objects of a cluster ---------------------------------------------------------------------


def rayservice_crd(versions: tuple[str, ...] = ("v1",), upgrade_strategy: bool = True) -> V1CustomResourceDefinition:
    spec_fields = {
        "serveConfigV2": V1JSONSchemaProps(type="string"),
        "rayClusterConfig": V1JSONSchemaProps(type="object"),
    }
    if upgrade_strategy:
        spec_fields["upgradeStrategy"] = V1JSONSchemaProps(type="object")
    schema = V1JSONSchemaProps(
        type="object", properties={"spec": V1JSONSchemaProps(type="object", properties=spec_fields)}
    )
    return V1CustomResourceDefinition(
        api_version="apiextensions.k8s.io/v1",
        kind="CustomResourceDefinition",
        metadata=V1ObjectMeta(name="rayservices.ray.io"),
        spec=V1CustomResourceDefinitionSpec(
            group="ray.io",
            scope="Namespaced",
            names=V1CustomResourceDefinitionNames(kind="RayService", plural="rayservices"),
            versions=[
                V1CustomResourceDefinitionVersion(
                    name=v,
                    served=True,
                    storage=v == versions[-1],
                    schema=V1CustomResourceValidation(open_apiv3_schema=schema),
                )
                for v in versions
            ],
        ),
    )


def node(
    name: str, product: str | None = "NVIDIA-A10", gpus: str | None = "1", ready: bool = True, cordoned: bool = False
) -> V1Node:
    labels = {"kubernetes.io/hostname": name}
    if product:
        labels["nvidia.com/gpu.product"] = product
    allocatable = {"cpu": "32", "memory": "256Gi"} | ({"nvidia.com/gpu": gpus} if gpus is not None else {})
    return V1Node(
        api_version="v1",
        kind="Node",
        metadata=V1ObjectMeta(name=name, labels=labels),
        spec=V1NodeSpec(unschedulable=cordoned),
        status=V1NodeStatus(
            allocatable=allocatable,
            conditions=[V1NodeCondition(type="Ready", status="True" if ready else "False")],
        ),
    )


def storage_class(name: str, default: bool = False) -> V1StorageClass:
    annotations = {"storageclass.kubernetes.io/is-default-class": "true"} if default else None
    return V1StorageClass(
        api_version="storage.k8s.io/v1",
        kind="StorageClass",
        metadata=V1ObjectMeta(name=name, annotations=annotations),
        provisioner="rbd.csi.ceph.com",
    )


def namespace(name: str = "mail2ticket", restricted: bool = True) -> V1Namespace:
    labels = {"pod-security.kubernetes.io/enforce": "restricted"} if restricted else {}
    return V1Namespace(api_version="v1", kind="Namespace", metadata=V1ObjectMeta(name=name, labels=labels))


SECRETS = ("mail2ticket-registry", "mail2ticket-s3", "mail2ticket-mlflow-db", "mail2ticket-api-tokens")
#: The review app's (review.enabled in both values files): its database URL, its tokens.
REVIEW_SECRETS = ("mail2ticket-review-db", "mail2ticket-review-tokens")


def good_cluster() -> ClusterState:
    return ClusterState(
        crds=[rayservice_crd()],
        nodes=[node("cpu-1", product=None, gpus=None), node("gpu-1"), node("gpu-2")],
        storage_classes=[storage_class("ceph-rbd", default=True), storage_class("nfs")],
        namespace=namespace(),
        secret_names={*SECRETS, *REVIEW_SECRETS},
    )


# --- each rule ------------------------------------------------------------------------------------------


def test_rayservice_crd() -> None:
    assert check_rayservice_crd([rayservice_crd()]).status is Status.PASS
    missing = check_rayservice_crd([])
    assert missing.status is Status.FAIL and "install the KubeRay operator" in missing.detail
    old_api = check_rayservice_crd([rayservice_crd(versions=("v1alpha1",))])
    assert old_api.status is Status.FAIL and "does not serve ray.io/v1 (serves: v1alpha1)" in old_api.detail
    old_operator = check_rayservice_crd([rayservice_crd(upgrade_strategy=False)])
    assert old_operator.status is Status.FAIL and "no spec.upgradeStrategy" in old_operator.detail


@pytest.mark.parametrize(
    ("product", "matches"),
    [("NVIDIA-A10", True), ("NVIDIA-A10G", True), ("nvidia-a10", True), ("NVIDIA-A100-SXM4-40GB", False),
     ("NVIDIA-L40S", False), ("Tesla-T4", False)],
)  # fmt: skip
def test_gpu_product_pattern_tells_a10_from_a100(product: str, matches: bool) -> None:
    assert bool(gpu_product_pattern("A10").search(product)) is matches


def test_gpu_nodes() -> None:
    ok = check_gpu_nodes([node("gpu-1"), node("gpu-2", gpus="2")], min_gpus=3)
    assert ok.status is Status.PASS and ok.detail.startswith("3 nvidia.com/gpu on gpu-1 (1), gpu-2 (2)")
    none = check_gpu_nodes([node("cpu-1", product=None, gpus=None)])
    assert none.status is Status.FAIL and "install the NVIDIA GPU operator" in none.detail
    a100_only = check_gpu_nodes([node("big-1", product="NVIDIA-A100-SXM4-80GB")])
    assert a100_only.status is Status.FAIL
    no_plugin = check_gpu_nodes([node("gpu-1", gpus="0")])
    assert no_plugin.status is Status.FAIL and "device plugin not ready" in no_plugin.detail
    too_few = check_gpu_nodes([node("gpu-1")], min_gpus=2)
    assert too_few.status is Status.FAIL and "needs at least 2" in too_few.detail
    partly = check_gpu_nodes([node("gpu-1"), node("gpu-2", ready=False), node("gpu-3", cordoned=True)], min_gpus=1)
    assert partly.status is Status.WARN and "gpu-2: not Ready" in partly.detail and "gpu-3: cordoned" in partly.detail
    all_down = check_gpu_nodes([node("gpu-2", ready=False)], min_gpus=1)
    assert all_down.status is Status.FAIL


def test_storage_class() -> None:
    classes = [storage_class("ceph-rbd", default=True), storage_class("nfs")]
    assert check_storage_class(classes, "nfs").status is Status.PASS
    assert check_storage_class(classes, None).detail == "default ceph-rbd (rbd.csi.ceph.com)"
    wrong = check_storage_class(classes, "fast-ssd")
    assert wrong.status is Status.FAIL and "'fast-ssd' not found (available: ceph-rbd, nfs)" in wrong.detail
    no_default = check_storage_class([storage_class("nfs")], None)
    assert no_default.status is Status.FAIL and "no default StorageClass" in no_default.detail


def test_namespace() -> None:
    assert check_namespace(namespace(), "mail2ticket").status is Status.PASS
    missing = check_namespace(None, "mail2ticket")
    assert missing.status is Status.FAIL and "kubectl create namespace mail2ticket" in missing.detail
    lax = check_namespace(namespace(restricted=False), "mail2ticket")
    assert lax.status is Status.WARN and "pod-security.kubernetes.io/enforce=restricted" in lax.detail
    assert check_namespace(namespace(restricted=False), "mail2ticket", require_restricted=True).status is Status.FAIL


def test_secrets() -> None:
    assert check_secrets(SECRETS, SECRETS, "mail2ticket").status is Status.PASS
    missing = check_secrets(["mail2ticket-s3"], SECRETS, "mail2ticket")
    assert missing.status is Status.FAIL
    assert "mail2ticket-api-tokens, mail2ticket-mlflow-db, mail2ticket-registry" in missing.detail
    assert check_secrets([], [], "mail2ticket").status is Status.SKIP


def test_http_checks_against_a_real_server() -> None:
    table = {"/apis/v2beta1/healthz": (200, {"multi_user": False}), "/health": (503, "starting")}
    with http_server(routes(table)) as url:
        assert check_http("KFP", url + "/", "/apis/v2beta1/healthz").status is Status.PASS
        down = check_http("MLflow", url, "/health")
        assert down.status is Status.FAIL and down.detail.endswith("/health answered HTTP 503")
    gone = check_http("KFP", url, "/apis/v2beta1/healthz", timeout_s=2)  # the server is stopped now
    assert gone.status is Status.FAIL and "unreachable" in gone.detail
    assert check_http("MLflow", None, "/health").status is Status.SKIP


def test_bucket_check_against_moto(s3_bucket: str) -> None:
    assert check_bucket(s3_bucket, lambda: boto3.client("s3")).status is Status.PASS
    missing = check_bucket("no-such-bucket-here", lambda: boto3.client("s3"))
    assert missing.status is Status.FAIL and "'no-such-bucket-here' not found" in missing.detail
    assert check_bucket(None, lambda: boto3.client("s3")).status is Status.SKIP


def test_unreachable_storage_is_a_failure_not_a_traceback(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "x")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "x")
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-west-3")
    from botocore.config import Config

    def client() -> object:
        config = Config(connect_timeout=1, retries={"max_attempts": 1})
        return boto3.client("s3", endpoint_url="http://127.0.0.1:9", config=config)

    result = check_bucket("mail2ticket", client)
    assert result.status is Status.FAIL and "Could not connect" in result.detail


# --- all checks together -----------------------------------------------------------------------------


def test_a_ready_cluster_passes(s3_bucket: str) -> None:
    options = PreflightOptions(secrets=SECRETS, bucket=s3_bucket, min_gpus=2, require_restricted=True)
    checks = run_checks(good_cluster(), options, lambda: boto3.client("s3"))
    assert not failed(checks)
    statuses = {c.name: c.status for c in checks}
    assert statuses["Kubeflow Pipelines API"] is Status.SKIP  # no URL given
    assert [s for s in statuses.values() if s is not Status.SKIP] == [Status.PASS] * 6


def test_a_bare_cluster_fails_every_cluster_check() -> None:
    state = ClusterState(nodes=[node("cpu-1", product=None, gpus=None)], storage_classes=[storage_class("nfs")])
    checks = run_checks(state, PreflightOptions(secrets=SECRETS))
    assert failed(checks)
    failing = {c.name for c in checks if c.status is Status.FAIL}
    expected = {"RayService CRD (KubeRay operator)", "A10 GPU nodes (nvidia.com/gpu allocatable)", "Storage class",
                "Namespace mail2ticket", "Secrets"}  # fmt: skip
    assert failing == expected


def test_unreadable_resources_become_failures() -> None:
    state = good_cluster()
    state.errors["nodes"] = "HTTP 403 Forbidden"
    checks = run_checks(state, PreflightOptions(secrets=SECRETS))
    gpu = next(c for c in checks if c.name.startswith("A10"))
    assert gpu.status is Status.FAIL and gpu.detail == "cannot read nodes: HTTP 403 Forbidden"


def test_options_follow_the_chart_values() -> None:
    onprem = options_from_values(load_values([CHART / "values-onprem.yaml"]))
    assert onprem["bucket"] == "mail2ticket" and onprem["storage_class"] == "ceph-rbd"
    assert onprem["gpu_product"] == "A10" and onprem["gpu_product_label"] == "nvidia.com/gpu.product"
    assert onprem["min_gpus"] == 1 and "require_restricted" not in onprem
    assert set(onprem["secrets"]) == {*SECRETS, *REVIEW_SECRETS}
    snc = options_from_values(load_values([CHART / "values-secnumcloud.yaml"]))
    assert snc["min_gpus"] == 2 and snc["require_restricted"] is True
    assert set(snc["secrets"]) == {*SECRETS, *REVIEW_SECRETS, "mail2ticket-mlflow-auth"}


def test_review_secrets_follow_the_review_values(tmp_path: Path) -> None:
    """The review app's Secrets, under the names its values give, only when the app is installed."""
    custom = tmp_path / "values.yaml"
    custom.write_text(
        yaml.safe_dump({"review": {"database": {"existingSecret": "pg-review", "urlKey": "dsn"},
                                   "tokens": {"existingSecret": "review-bearers"}}}),
        encoding="utf-8",
    )  # fmt: skip
    secrets = options_from_values(load_values([CHART / "values-onprem.yaml", custom]))["secrets"]
    assert {"pg-review", "review-bearers"} <= set(secrets)
    assert not set(REVIEW_SECRETS) & set(secrets)
    missing = check_secrets(SECRETS, secrets, "mail2ticket")
    assert missing.status is Status.FAIL and "missing in mail2ticket: pg-review, review-bearers " in missing.detail
    assert check_secrets([*SECRETS, "pg-review", "review-bearers"], secrets, "mail2ticket").status is Status.PASS
    off = tmp_path / "off.yaml"
    off.write_text(yaml.safe_dump({"review": {"enabled": False}}), encoding="utf-8")
    secrets = options_from_values(load_values([CHART / "values-onprem.yaml", off]))["secrets"]
    assert set(secrets) == set(SECRETS)


# --- the command, end to end, against a local API server --------------------------------------------------


def kube_api(state: ClusterState, forbidden: set[str] = frozenset()) -> dict:
    """The JSON a Kubernetes API server answers for the paths the preflight reads."""
    api = ApiClient()
    table: dict[str, tuple[int, object]] = {}
    for crd in state.crds:
        table[f"/apis/apiextensions.k8s.io/v1/customresourcedefinitions/{crd.metadata.name}"] = (
            200, api.sanitize_for_serialization(crd))  # fmt: skip
    table["/api/v1/nodes"] = (200, {"apiVersion": "v1", "kind": "NodeList", "metadata": {},
                                    "items": api.sanitize_for_serialization(state.nodes)})  # fmt: skip
    table["/apis/storage.k8s.io/v1/storageclasses"] = (200, {
        "apiVersion": "storage.k8s.io/v1", "kind": "StorageClassList", "metadata": {},
        "items": api.sanitize_for_serialization(state.storage_classes)})  # fmt: skip
    if state.namespace is not None:
        name = state.namespace.metadata.name
        table[f"/api/v1/namespaces/{name}"] = (200, api.sanitize_for_serialization(state.namespace))
        for secret in state.secret_names:
            body = V1Secret(api_version="v1", kind="Secret", metadata=V1ObjectMeta(name=secret, namespace=name))
            table[f"/api/v1/namespaces/{name}/secrets/{secret}"] = (200, api.sanitize_for_serialization(body))
    for path in forbidden:
        table[path] = (403, {"kind": "Status", "code": 403, "reason": "Forbidden"})
    return table


def kubeconfig(tmp_path: Path, server: str) -> Path:
    config = {
        "apiVersion": "v1", "kind": "Config", "current-context": "test",
        "clusters": [{"name": "test", "cluster": {"server": server}}],
        "users": [{"name": "test", "user": {"token": "not-a-secret"}}],
        "contexts": [{"name": "test", "context": {"cluster": "test", "user": "test"}}],
    }  # fmt: skip
    path = tmp_path / "kubeconfig"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    return path


def test_command_passes_on_a_ready_cluster(tmp_path: Path, s3_bucket: str) -> None:
    cluster = good_cluster()
    cluster.storage_classes.append(storage_class("ceph-rbd-2"))
    health = {"/apis/v2beta1/healthz": (200, {"multi_user": False}), "/health": (200, "OK")}
    with http_server(routes(kube_api(cluster))) as api_url, http_server(routes(health)) as services:
        result = CliRunner().invoke(
            app,
            ["--kubeconfig", str(kubeconfig(tmp_path, api_url)), "-f", str(CHART / "values-onprem.yaml"),
             "--kfp-url", services, "--mlflow-url", services, "--bucket", s3_bucket, "--storage-class", "ceph-rbd"],
            env={"COLUMNS": "200"},
        )  # fmt: skip
    assert result.exit_code == 0, result.output
    assert "The cluster is ready for helm install." in result.output
    assert result.output.count("PASS") == 8, result.output


def test_command_fails_with_a_readable_report(tmp_path: Path, s3_env: str) -> None:
    cluster = ClusterState(
        crds=[], nodes=[node("gpu-1", gpus="0")], storage_classes=[], namespace=namespace(restricted=False)
    )
    with http_server(routes(kube_api(cluster, forbidden={"/apis/storage.k8s.io/v1/storageclasses"}))) as api_url:
        result = CliRunner().invoke(
            app,
            ["--kubeconfig", str(kubeconfig(tmp_path, api_url)), "-f", str(CHART / "values-secnumcloud.yaml"),
             "--kfp-url", "http://127.0.0.1:9", "--timeout", "2"],
            env={"COLUMNS": "200"},
        )  # fmt: skip
    assert result.exit_code == 1, result.output
    output = result.output
    assert "install the KubeRay operator" in output
    assert "gpu-1: no allocatable nvidia.com/gpu" in output
    assert "cannot read storageclasses: HTTP 403 Forbidden" in output
    assert "Pod Security enforce=unset" in output  # a FAIL under the secnumcloud profile
    assert "missing in mail2ticket: mail2ticket-api-tokens" in output
    assert "mail2ticket-review-db" in output  # the table wraps the rest of the list
    assert "bucket 'mail2ticket' not found" in output
    assert "check(s) failed: fix them before helm install." in output


def test_command_without_a_kubeconfig_says_so(tmp_path: Path) -> None:
    result = CliRunner().invoke(app, ["--kubeconfig", str(tmp_path / "missing")])
    assert result.exit_code == 2
    assert "error: cannot load the kubeconfig" in result.output


def test_preflight_is_a_mail2ticket_command() -> None:
    import subprocess
    import sys

    result = subprocess.run(
        [sys.executable, "-m", "mail2ticket.cli", "preflight", "--help"], capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    assert "--kfp-url" in result.stdout and "--values" in result.stdout
