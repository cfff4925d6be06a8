"""Where the pipelines' steps run on the cluster, fixed at compile time (shared by every pipeline).

Kubernetes scheduling fields (GPU nodes, tolerations) and the Secrets that feed the steps'
environment are not pipeline parameters: they come from :class:`ClusterSettings` (environment
variables ``MAIL2TICKET_*``) when a pipeline is compiled.

``use_secret_as_env(..., optional=True)`` is never used (``SecretAsEnv.optional`` appeared in
KFP 2.15.0 and the pinned 2.14.3 API server rejects it): every key mapped must exist in its
Secret, which is why the MLflow credentials are mapped only when MLflow basic auth is on
(:attr:`ClusterSettings.mlflow_auth`).
"""

# No `from __future__ import annotations` here: KFP reads the real annotation objects.

import json
import os
from dataclasses import dataclass, field

from kfp import dsl, kubernetes


def _env_json(name: str, default: object) -> object:
    value = os.environ.get(name)
    return json.loads(value) if value else default


def _env_flag(name: str) -> bool:
    """A boolean environment variable: true, 1 or yes (any case) turn it on; unset is off."""
    return os.environ.get(name, "false").strip().lower() in ("1", "true", "yes")


@dataclass(frozen=True)
class ClusterSettings:
    """Where and how the steps run on the cluster (compile-time)."""

    gpu_node_selector: dict[str, str] = field(
        default_factory=lambda: _env_json("MAIL2TICKET_GPU_NODE_SELECTOR", {"nvidia.com/gpu.product": "NVIDIA-A10"})
    )
    """Node labels of the A10 GPU nodes (set by the NVIDIA GPU operator's feature discovery)."""
    gpu_tolerations: list[dict[str, str]] = field(
        default_factory=lambda: _env_json(
            "MAIL2TICKET_GPU_TOLERATIONS", [{"key": "nvidia.com/gpu", "operator": "Exists", "effect": "NoSchedule"}]
        )
    )
    """Tolerations for the taints of the GPU nodes."""
    gpu_count: int = int(os.environ.get("MAIL2TICKET_GPU_COUNT", "1"))
    s3_secret: str = os.environ.get("MAIL2TICKET_S3_SECRET", "mail2ticket-s3")
    """Secret with AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_ENDPOINT_URL."""
    mlflow_secret: str = os.environ.get("MAIL2TICKET_MLFLOW_SECRET", "mail2ticket-mlflow")
    """Secret with MLFLOW_TRACKING_URI (and MLFLOW_TRACKING_USERNAME/PASSWORD when auth is on)."""
    mlflow_auth: bool = field(default_factory=lambda: _env_flag("MAIL2TICKET_MLFLOW_AUTH"))
    """MLflow basic auth is on: also map MLFLOW_TRACKING_USERNAME/PASSWORD, which must then be in the Secret.

    Off by default because KFP 2.14.3 cannot mark a Secret key optional: a mapped key missing from
    the Secret stops the step's pod from starting. The chart's upload Job adds the two keys to an
    already compiled package when ``mlflow.auth.enabled`` (``infra.kfp_upload --mlflow-auth``)."""
    image_pull_secrets: list[str] = field(
        default_factory=lambda: _env_json("MAIL2TICKET_IMAGE_PULL_SECRETS", ["mail2ticket-registry"])
    )


S3_KEYS = {k: k for k in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_ENDPOINT_URL")}
MLFLOW_KEYS = {"MLFLOW_TRACKING_URI": "MLFLOW_TRACKING_URI"}
#: Mapped only with MLflow basic auth (ClusterSettings.mlflow_auth): KFP 2.14.3 has no optional keys.
MLFLOW_AUTH_KEYS = {k: k for k in ("MLFLOW_TRACKING_USERNAME", "MLFLOW_TRACKING_PASSWORD")}


def mlflow_keys(settings: ClusterSettings) -> dict[str, str]:
    """The MLflow Secret's keys the steps read: every one must exist (no ``optional`` before KFP 2.15)."""
    return {**MLFLOW_KEYS, **MLFLOW_AUTH_KEYS} if settings.mlflow_auth else dict(MLFLOW_KEYS)


def use_secret_as_env(task: dsl.PipelineTask, secret: str, keys: dict[str, str]) -> None:
    """``kubernetes.use_secret_as_env`` without the ``optional`` field, unknown to the KFP 2.14.3 API server.

    kfp-kubernetes 2.15+ writes ``optional`` even when false (the field has explicit presence),
    so it is removed from what the call emitted.
    """
    kubernetes.use_secret_as_env(task, secret, keys)
    for entry in task.platform_config["kubernetes"]["secretAsEnv"]:
        entry.pop("optional", None)


def on_cluster(task: dsl.PipelineTask, settings: ClusterSettings, gpu: bool, mlflow: bool = True) -> None:
    """Secrets as environment, image pull secrets, and (``gpu``) one A10 with its node selector and tolerations."""
    use_secret_as_env(task, settings.s3_secret, S3_KEYS)
    if mlflow:
        use_secret_as_env(task, settings.mlflow_secret, mlflow_keys(settings))
    if settings.image_pull_secrets:
        kubernetes.set_image_pull_secrets(task, settings.image_pull_secrets)
    if gpu:
        task.set_accelerator_type("nvidia.com/gpu").set_accelerator_limit(settings.gpu_count)
        for key, value in settings.gpu_node_selector.items():
            kubernetes.add_node_selector(task, label_key=key, label_value=value)
        for toleration in settings.gpu_tolerations:
            kubernetes.add_toleration(task, **toleration)
