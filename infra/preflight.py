"""Preflight checks of a cluster before ``helm install mail2ticket``.

Platform teams install from an internal registry with no internet access and review every
manifest; a failed install half-way (a RayService without its CRD, a GPU worker that never
schedules, a missing Secret) costs them an afternoon of reading events. These checks say
up front, in one table, what the chart needs and what is missing.

The logic is pure functions over ``kubernetes`` client model objects (``V1Node``,
``V1StorageClass``, ``V1CustomResourceDefinition``, ``V1Namespace``): :func:`gather_cluster`
is the only place that talks to the API server, so every rule is tested on model objects
describing passing and failing clusters. The network checks (KFP, MLflow, the S3 bucket) talk
to the real endpoints.
"""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from kubernetes.client import (
    V1CustomResourceDefinition,
    V1Namespace,
    V1Node,
    V1StorageClass,
)

RAYSERVICE_CRD = "rayservices.ray.io"
DEFAULT_STORAGE_CLASS_ANNOTATION = "storageclass.kubernetes.io/is-default-class"
POD_SECURITY_ENFORCE_LABEL = "pod-security.kubernetes.io/enforce"
KFP_HEALTH_PATH = "/apis/v2beta1/healthz"
MLFLOW_HEALTH_PATH = "/health"


class Status(StrEnum):
    """Outcome of one check; only FAIL makes the command exit non-zero."""

    PASS = "PASS"
    WARN = "WARN"
    FAIL = "FAIL"
    SKIP = "SKIP"


@dataclass(frozen=True)
class Check:
    """One row of the report: what was checked, the outcome and what to do about it."""

    name: str
    status: Status
    detail: str


@dataclass(frozen=True)
class PreflightOptions:
    """What the chart will need from the cluster (filled from the chart's values when given)."""

    namespace: str = "mail2ticket"
    gpu_product: str = "A10"
    gpu_product_label: str = "nvidia.com/gpu.product"
    gpu_resource: str = "nvidia.com/gpu"
    min_gpus: int = 1
    storage_class: str | None = None
    require_restricted: bool = False
    secrets: tuple[str, ...] = ()
    kfp_url: str | None = None
    mlflow_url: str | None = None
    bucket: str | None = None
    http_timeout_s: float = 5.0


@dataclass
class ClusterState:
    """What :func:`gather_cluster` read from the API server; ``errors`` holds what it could not read."""

    crds: list[V1CustomResourceDefinition] = field(default_factory=list)
    nodes: list[V1Node] = field(default_factory=list)
    storage_classes: list[V1StorageClass] = field(default_factory=list)
    namespace: V1Namespace | None = None
    secret_names: set[str] = field(default_factory=set)
    errors: dict[str, str] = field(default_factory=dict)


# --- pure checks over model objects -------------------------------------------------------------


def check_rayservice_crd(crds: Iterable[V1CustomResourceDefinition]) -> Check:
    """The KubeRay operator's RayService CRD, served as ``ray.io/v1`` and recent enough for upgrades.

    ``spec.upgradeStrategy`` (KubeRay >= 1.2) is what keeps serving during a chart upgrade, so a
    CRD without it is reported as a failure rather than discovered during the first upgrade.
    """
    name = "RayService CRD (KubeRay operator)"
    crd = next((c for c in crds if c.metadata and c.metadata.name == RAYSERVICE_CRD), None)
    if crd is None:
        return Check(
            name, Status.FAIL, f"{RAYSERVICE_CRD} not found: install the KubeRay operator (infra/prerequisites)"
        )
    version = next((v for v in crd.spec.versions or [] if v.name == "v1" and v.served), None)
    if version is None:
        served = ", ".join(v.name for v in crd.spec.versions or [] if v.served) or "none"
        return Check(
            name, Status.FAIL, f"{RAYSERVICE_CRD} does not serve ray.io/v1 (serves: {served}): upgrade KubeRay"
        )
    spec_fields = _schema_properties(version, "spec")
    if spec_fields is not None and "upgradeStrategy" not in spec_fields:
        return Check(
            name,
            Status.FAIL,
            "RayService CRD has no spec.upgradeStrategy (KubeRay < 1.2): upgrade the KubeRay operator",
        )
    return Check(name, Status.PASS, f"{RAYSERVICE_CRD} serves ray.io/v1")


def _schema_properties(version: Any, *path: str) -> dict[str, Any] | None:
    """Properties of the CRD's OpenAPI schema at ``path`` (None when the CRD publishes no schema)."""
    schema = version.schema.open_apiv3_schema if version.schema else None
    for key in path:
        if schema is None or not schema.properties or key not in schema.properties:
            return None
        schema = schema.properties[key]
    return schema.properties if schema is not None else None


def gpu_product_pattern(product: str) -> re.Pattern[str]:
    """Match a GPU model in a product label: ``A10`` matches ``NVIDIA-A10`` and ``NVIDIA-A10G``, not ``A100``."""
    return re.compile(rf"(?<![A-Za-z0-9]){re.escape(product)}(?![0-9])", re.IGNORECASE)


def _node_ready(node: V1Node) -> bool:
    conditions = (node.status.conditions if node.status else None) or []
    return any(c.type == "Ready" and c.status == "True" for c in conditions)


def _quantity_int(value: str | None) -> int:
    """Extended resources such as ``nvidia.com/gpu`` are whole numbers; anything else counts as zero."""
    try:
        return int(str(value))
    except (TypeError, ValueError):
        return 0


def check_gpu_nodes(
    nodes: Iterable[V1Node],
    product: str = "A10",
    label: str = "nvidia.com/gpu.product",
    resource: str = "nvidia.com/gpu",
    min_gpus: int = 1,
) -> Check:
    """Ready, schedulable nodes whose GPU product label names the model, with enough allocatable GPUs.

    The label is set by the GPU operator's feature discovery and ``allocatable`` by its device
    plugin: a labelled node with no allocatable GPU means the driver or plugin is not running.
    """
    name = f"{product} GPU nodes ({resource} allocatable)"
    pattern = gpu_product_pattern(product)
    labelled = [n for n in nodes if pattern.search(((n.metadata.labels or {}) if n.metadata else {}).get(label, ""))]
    if not labelled:
        return Check(
            name,
            Status.FAIL,
            f"no node labelled {label}=*{product}*: install the NVIDIA GPU operator (infra/prerequisites) "
            "and check that GPU feature discovery labels the nodes",
        )
    usable: list[tuple[str, int]] = []
    problems: list[str] = []
    for node in labelled:
        node_name = node.metadata.name
        gpus = _quantity_int(((node.status.allocatable or {}) if node.status else {}).get(resource))
        if gpus <= 0:
            problems.append(f"{node_name}: no allocatable {resource} (device plugin not ready?)")
        elif not _node_ready(node):
            problems.append(f"{node_name}: not Ready")
        elif node.spec is not None and node.spec.unschedulable:
            problems.append(f"{node_name}: cordoned")
        else:
            usable.append((node_name, gpus))
    total = sum(g for _, g in usable)
    found = ", ".join(f"{n} ({g})" for n, g in usable) or "none usable"
    detail = f"{total} {resource} on {found}"
    if problems:
        detail += "; " + "; ".join(problems)
    if total < min_gpus:
        return Check(name, Status.FAIL, f"{detail}: the worker group needs at least {min_gpus}")
    return Check(name, Status.WARN if problems else Status.PASS, detail)


def check_storage_class(classes: Iterable[V1StorageClass], wanted: str | None) -> Check:
    """The storage class of the model cache volumes, or a default one when the chart names none."""
    classes = list(classes)
    names = sorted(c.metadata.name for c in classes)
    if wanted:
        found = next((c for c in classes if c.metadata.name == wanted), None)
        if found is None:
            return Check(
                "Storage class",
                Status.FAIL,
                f"StorageClass {wanted!r} not found (available: {', '.join(names) or 'none'})",
            )
        return Check("Storage class", Status.PASS, f"{wanted} ({found.provisioner})")
    default = [
        c for c in classes if ((c.metadata.annotations or {}).get(DEFAULT_STORAGE_CLASS_ANNOTATION) or "") == "true"
    ]
    if not default:
        return Check(
            "Storage class",
            Status.FAIL,
            "no default StorageClass: name one in the values (serving.modelCache.storageClassName) "
            f"(available: {', '.join(names) or 'none'})",
        )
    return Check("Storage class", Status.PASS, f"default {default[0].metadata.name} ({default[0].provisioner})")


def check_namespace(namespace: V1Namespace | None, name: str, require_restricted: bool = False) -> Check:
    """The release namespace exists and, ideally, enforces the ``restricted`` Pod Security Standard.

    Every pod of the chart is written to pass ``restricted``; enforcing it on the namespace makes
    the API server refuse anything that does not (SecNumCloud profile: required).
    """
    check_name = f"Namespace {name}"
    if namespace is None:
        return Check(check_name, Status.FAIL, f"not found: kubectl create namespace {name}")
    level = (namespace.metadata.labels or {}).get(POD_SECURITY_ENFORCE_LABEL)
    if level == "restricted":
        return Check(check_name, Status.PASS, "exists, enforces the restricted Pod Security Standard")
    hint = f"kubectl label namespace {name} {POD_SECURITY_ENFORCE_LABEL}=restricted"
    status = Status.FAIL if require_restricted else Status.WARN
    return Check(check_name, status, f"exists, Pod Security enforce={level or 'unset'}: {hint}")


def check_secrets(present: Iterable[str], required: Iterable[str], namespace: str) -> Check:
    """The Secrets the chart references (credentials are never in values files: they must exist first)."""
    required = sorted(set(required))
    if not required:
        return Check("Secrets", Status.SKIP, "no Secret names given")
    missing = [s for s in required if s not in set(present)]
    if missing:
        return Check(
            "Secrets",
            Status.FAIL,
            f"missing in {namespace}: {', '.join(missing)} (see README, 'Install on a cluster')",
        )
    return Check("Secrets", Status.PASS, ", ".join(required))


def check_http(name: str, base_url: str | None, path: str, timeout_s: float = 5.0) -> Check:
    """An HTTP health endpoint answers 2xx (KFP ``/apis/v2beta1/healthz``, MLflow ``/health``)."""
    if not base_url:
        return Check(name, Status.SKIP, "no URL given")
    url = base_url.rstrip("/") + path
    try:
        with urllib.request.urlopen(url, timeout=timeout_s) as response:
            return Check(name, Status.PASS, f"{url} answered {response.status}")
    except urllib.error.HTTPError as exc:
        return Check(name, Status.FAIL, f"{url} answered HTTP {exc.code}")
    except (urllib.error.URLError, OSError) as exc:
        reason = getattr(exc, "reason", exc)
        return Check(name, Status.FAIL, f"{url} unreachable: {reason}")


def check_bucket(bucket: str | None, s3_client_factory: Callable[[], Any]) -> Check:
    """The S3 bucket of models, adapters and MLflow artifacts exists and these credentials can reach it."""
    if not bucket:
        return Check("S3 bucket", Status.SKIP, "no bucket given")
    from botocore.exceptions import BotoCoreError, ClientError

    try:
        s3_client_factory().head_bucket(Bucket=bucket)
    except ClientError as exc:
        code = str(exc.response.get("Error", {}).get("Code", ""))
        if code in {"404", "NoSuchBucket", "NotFound"}:
            return Check("S3 bucket", Status.FAIL, f"bucket {bucket!r} not found")
        if code in {"403", "AccessDenied", "Forbidden"}:
            return Check("S3 bucket", Status.FAIL, f"bucket {bucket!r}: access denied with these credentials")
        return Check("S3 bucket", Status.FAIL, f"bucket {bucket!r}: {code or exc}")
    except BotoCoreError as exc:
        return Check("S3 bucket", Status.FAIL, f"bucket {bucket!r}: {exc}")
    return Check("S3 bucket", Status.PASS, f"{bucket} reachable")


def run_checks(
    state: ClusterState, options: PreflightOptions, s3_client_factory: Callable[[], Any] | None = None
) -> list[Check]:
    """Every check, in the order an install needs them; an unreadable resource becomes a FAIL row."""

    def unless_error(key: str, label: str, make: Callable[[], Check]) -> Check:
        if key in state.errors:
            return Check(label, Status.FAIL, f"cannot read {key}: {state.errors[key]}")
        return make()

    if s3_client_factory is None:

        def s3_client_factory() -> Any:
            import boto3

            return boto3.client("s3")

    return [
        unless_error(
            "customresourcedefinitions", "RayService CRD (KubeRay operator)", lambda: check_rayservice_crd(state.crds)
        ),
        unless_error(
            "nodes",
            f"{options.gpu_product} GPU nodes ({options.gpu_resource} allocatable)",
            lambda: check_gpu_nodes(
                state.nodes, options.gpu_product, options.gpu_product_label, options.gpu_resource, options.min_gpus
            ),
        ),
        unless_error(
            "storageclasses", "Storage class", lambda: check_storage_class(state.storage_classes, options.storage_class)
        ),
        unless_error(
            "namespace",
            f"Namespace {options.namespace}",
            lambda: check_namespace(state.namespace, options.namespace, options.require_restricted),
        ),
        unless_error(
            "secrets", "Secrets", lambda: check_secrets(state.secret_names, options.secrets, options.namespace)
        ),
        check_http("Kubeflow Pipelines API", options.kfp_url, KFP_HEALTH_PATH, options.http_timeout_s),
        check_http("MLflow tracking server", options.mlflow_url, MLFLOW_HEALTH_PATH, options.http_timeout_s),
        check_bucket(options.bucket, s3_client_factory),
    ]


def failed(checks: Iterable[Check]) -> bool:
    """True when any check failed (warnings and skipped checks do not stop an install)."""
    return any(c.status is Status.FAIL for c in checks)


# --- talking to the API server ------------------------------------------------------------------


def gather_cluster(api_client: Any, options: PreflightOptions) -> ClusterState:
    """Read what the checks need; permission errors are recorded, not raised, so the report stays whole."""
    from kubernetes import client
    from kubernetes.client.exceptions import ApiException

    core = client.CoreV1Api(api_client)
    state = ClusterState()

    def read(key: str, call: Callable[[], Any]) -> Any:
        try:
            return call()
        except ApiException as exc:
            if exc.status == 404:
                return None
            state.errors[key] = f"HTTP {exc.status} {exc.reason}"
        except Exception as exc:  # unreachable API server, TLS errors: reported as a row
            state.errors[key] = f"{exc.__class__.__name__}: {exc}"
        return None

    crd = read(
        "customresourcedefinitions",
        lambda: client.ApiextensionsV1Api(api_client).read_custom_resource_definition(RAYSERVICE_CRD),
    )
    state.crds = [crd] if crd is not None else []
    nodes = read("nodes", core.list_node)
    state.nodes = list(nodes.items) if nodes is not None else []
    classes = read("storageclasses", client.StorageV1Api(api_client).list_storage_class)
    state.storage_classes = list(classes.items) if classes is not None else []
    state.namespace = read("namespace", lambda: core.read_namespace(options.namespace))
    if state.namespace is not None:
        for secret in options.secrets:
            if read("secrets", lambda s=secret: core.read_namespaced_secret(s, options.namespace)) is not None:
                state.secret_names.add(secret)
    return state


# --- the chart's values -------------------------------------------------------------------------


def merge_values(base: Mapping[str, Any], override: Mapping[str, Any]) -> dict[str, Any]:
    """Deep-merge values files the way Helm does (maps merge, everything else is replaced)."""
    merged = dict(base)
    for key, value in override.items():
        if isinstance(value, Mapping) and isinstance(merged.get(key), Mapping):
            merged[key] = merge_values(merged[key], value)
        else:
            merged[key] = value
    return merged


def options_from_values(values: Mapping[str, Any]) -> dict[str, Any]:
    """Preflight options derived from the chart's values, so the checks match what the chart will use.

    The Secrets are the ones the templates reference (the review app's when ``review.enabled``);
    the GPU product comes from the worker group's node selector; the minimum GPU count is
    ``minReplicas`` × GPUs per worker.
    """
    s3 = values.get("s3", {})
    mlflow = values.get("mlflow", {})
    serving = values.get("serving", {})
    worker = serving.get("worker", {})
    secrets = [*values.get("global", {}).get("imagePullSecrets", [])]
    secrets += [s3.get("existingSecret"), mlflow.get("database", {}).get("existingSecret")]
    if mlflow.get("auth", {}).get("enabled"):
        secrets.append(mlflow["auth"].get("existingSecret"))
    if serving.get("args", {}).get("auth", {}).get("required", True):
        secrets.append(serving.get("apiTokens", {}).get("existingSecret"))
    review = values.get("review", {})
    if review.get("enabled"):
        # The review database's URL (key review.database.urlKey) and the reviewers' and admins' tokens.
        secrets += [review.get("database", {}).get("existingSecret"), review.get("tokens", {}).get("existingSecret")]
    options: dict[str, Any] = {
        "secrets": tuple(s for s in secrets if s),
        "bucket": s3.get("bucket") or None,
        "storage_class": serving.get("modelCache", {}).get("storageClassName") or None,
        "min_gpus": max(1, int(worker.get("minReplicas", 1)) * int(worker.get("gpus", 1))),
    }
    selector = worker.get("nodeSelector") or {}
    for label, product in selector.items():
        if label.endswith("gpu.product"):
            options["gpu_product_label"] = label
            options["gpu_product"] = product.removeprefix("NVIDIA-")
    if values.get("global", {}).get("profile") == "secnumcloud":
        options["require_restricted"] = True
    return options
