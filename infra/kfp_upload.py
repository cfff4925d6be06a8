"""Upload the compiled training pipeline to the KFP API: the Helm chart's post-install/upgrade Job.

Idempotent, because Helm re-runs hooks on every upgrade and a platform team may re-run a failed
release: the pipeline is created when absent, and a version named after the chart version and
the uploaded package's content hash is uploaded unless a version of that name already exists.
The same release therefore never uploads twice, and a changed pipeline always gets a new version.

The package is compiled once, in the repository, with placeholder images; the site's images are
only known from the chart's values. So the Job rewrites every executor's image before upload
(``--runtime-image``; ``--gpu-image`` for the steps that request an accelerator, which need the
CUDA image) and, with MLflow basic auth on (``--mlflow-auth``), maps the MLflow credentials into
the steps. The version is hashed from the *patched* package, so a new registry, tag or digest
gives a new version.

    python -m infra.kfp_upload --host http://ml-pipeline.kubeflow:8888 \
        --package /etc/mail2ticket/pipeline/ticket_classifier.yaml --chart-version 0.1.0 \
        --runtime-image harbor.dc1.internal/mail2ticket/runtime:0.1.0 \
        --gpu-image harbor.dc1.internal/mail2ticket/engine-gpu:0.1.0
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

import yaml

DEFAULT_PIPELINE_NAME = "mail2ticket-ticket-classifier"
#: The MLflow Secret's keys a step reads when MLflow basic auth is on (pipelines.ticket_classifier).
MLFLOW_URI_KEY = "MLFLOW_TRACKING_URI"
MLFLOW_AUTH_KEYS = ("MLFLOW_TRACKING_USERNAME", "MLFLOW_TRACKING_PASSWORD")


class PipelineClient(Protocol):
    """The part of ``kfp.Client`` this job uses."""

    def get_pipeline_id(self, name: str) -> str | None: ...

    def upload_pipeline(
        self, pipeline_package_path: str, pipeline_name: str | None = ..., description: str | None = ...
    ) -> Any: ...

    def upload_pipeline_version(
        self,
        pipeline_package_path: str,
        pipeline_version_name: str,
        pipeline_id: str | None = ...,
        pipeline_name: str | None = ...,
        description: str | None = ...,
    ) -> Any: ...

    def list_pipeline_versions(
        self,
        pipeline_id: str,
        page_token: str = ...,
        page_size: int = ...,
        sort_by: str = ...,
        filter: str | None = ...,
    ) -> Any: ...


@dataclass(frozen=True)
class UploadOutcome:
    """What the job did, printed as one JSON line in the Job's log."""

    pipeline_id: str
    version: str
    pipeline_created: bool
    version_uploaded: bool


def content_version(chart_version: str, content: bytes) -> str:
    """``<chart version>-<first 8 hex of the content's sha256>``: the name of the version uploaded."""
    return f"{chart_version}-{hashlib.sha256(content).hexdigest()[:8]}"


def version_name(chart_version: str, package: Path) -> str:
    """:func:`content_version` of a package file."""
    return content_version(chart_version, package.read_bytes())


def requests_accelerator(executor: dict[str, Any]) -> bool:
    """Whether an executor's container asks for an accelerator (a GPU step, which needs the GPU image)."""
    accelerator = executor.get("container", {}).get("resources", {}).get("accelerator") or {}
    count = accelerator.get("resourceCount", accelerator.get("count", "0"))
    return bool(accelerator.get("resourceType") or accelerator.get("type")) and str(count) not in ("", "0")


def set_images(pipeline_spec: dict[str, Any], runtime_image: str, gpu_image: str) -> None:
    """Point every executor at the site's images: ``gpu_image`` where an accelerator is requested."""
    for executor in pipeline_spec.get("deploymentSpec", {}).get("executors", {}).values():
        if "container" in executor:
            executor["container"]["image"] = gpu_image if requests_accelerator(executor) else runtime_image


def add_mlflow_auth(platform_spec: dict[str, Any]) -> None:
    """Map MLFLOW_TRACKING_USERNAME/PASSWORD from the Secret that already gives MLFLOW_TRACKING_URI.

    The compiled package maps them only when compiled with MAIL2TICKET_MLFLOW_AUTH (KFP 2.14.3
    cannot mark a key optional, so a key mapped but absent would stop every pod): the chart
    knows whether MLflow auth is on, so the Job adds them then. Adding twice changes nothing.
    """
    executors = platform_spec.get("platforms", {}).get("kubernetes", {}).get("deploymentSpec", {}).get("executors", {})
    for config in executors.values():
        for secret in config.get("secretAsEnv", []):
            mapped = {entry["secretKey"] for entry in secret.get("keyToEnv", [])}
            if MLFLOW_URI_KEY not in mapped:
                continue
            for key in MLFLOW_AUTH_KEYS:
                if key not in mapped:
                    secret["keyToEnv"].append({"envVar": key, "secretKey": key})


def set_image_pull_secrets(platform_spec: dict[str, Any], names: list[str]) -> None:
    """Every step pulls its image with the site's pull Secrets (those of ``global.imagePullSecrets``)."""
    executors = platform_spec.get("platforms", {}).get("kubernetes", {}).get("deploymentSpec", {}).get("executors", {})
    for config in executors.values():
        config["imagePullSecret"] = [
            {"secretName": name, "secretNameParameter": {"runtimeValue": {"constant": name}}} for name in names
        ]


def patch_package(text: str, runtime_image: str | None = None, gpu_image: str | None = None,
                  mlflow_auth: bool = False, image_pull_secrets: list[str] | None = None) -> str:  # fmt: skip
    """The package with the site's images, pull Secrets and MLflow credentials; ``text`` itself when
    nothing changes.

    ``gpu_image`` defaults to ``runtime_image``. Only the two documents KFP reads are touched:
    the PipelineSpec's executors and the PlatformSpec's Kubernetes executor configs.
    """
    if runtime_image is None and gpu_image is None and not mlflow_auth and not image_pull_secrets:
        return text
    documents = [d for d in yaml.safe_load_all(text) if d is not None]
    pipeline_spec, platform_specs = documents[0], documents[1:]
    if runtime_image or gpu_image:
        runtime = runtime_image or gpu_image
        set_images(pipeline_spec, runtime, gpu_image or runtime)
    if (mlflow_auth or image_pull_secrets) and not platform_specs:
        raise ValueError("the package has no platform spec (compiled without cluster settings)")
    for platform_spec in platform_specs:
        if mlflow_auth:
            add_mlflow_auth(platform_spec)
        if image_pull_secrets:
            set_image_pull_secrets(platform_spec, image_pull_secrets)
    return yaml.safe_dump_all(documents, sort_keys=False, allow_unicode=True)


def _version_exists(client: PipelineClient, pipeline_id: str, version: str) -> bool:
    name_filter = json.dumps({"predicates": [{"operation": "EQUALS", "key": "display_name", "stringValue": version}]})
    response = client.list_pipeline_versions(pipeline_id=pipeline_id, filter=name_filter)
    return bool(getattr(response, "pipeline_versions", None))


def ensure_pipeline(
    client: PipelineClient, package: Path, name: str, version: str, description: str = ""
) -> UploadOutcome:
    """Create the pipeline if absent, then make sure a version called ``version`` exists."""
    pipeline_id = client.get_pipeline_id(name)
    created = pipeline_id is None
    if pipeline_id is None:
        pipeline_id = client.upload_pipeline(str(package), pipeline_name=name, description=description).pipeline_id
    if _version_exists(client, pipeline_id, version):
        return UploadOutcome(pipeline_id, version, created, version_uploaded=False)
    client.upload_pipeline_version(
        str(package), pipeline_version_name=version, pipeline_id=pipeline_id, description=description
    )
    return UploadOutcome(pipeline_id, version, created, version_uploaded=True)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the Job; a failure prints one ``error:`` line and exits 1, so the hook fails visibly."""
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--host", required=True, help="KFP API URL, e.g. http://ml-pipeline.kubeflow:8888")
    parser.add_argument("--package", required=True, type=Path, help="compiled pipeline YAML")
    parser.add_argument("--name", default=DEFAULT_PIPELINE_NAME, help="pipeline name in KFP")
    parser.add_argument(
        "--version", help="version name (default: <chart version>-<sha256 prefix of the patched package>)"
    )
    parser.add_argument("--chart-version", default="0.0.0", help="used when --version is not given")
    parser.add_argument("--runtime-image", help="image of the CPU steps (default: the package's)")
    parser.add_argument("--gpu-image", help="image of the steps requesting an accelerator (default: --runtime-image)")
    parser.add_argument("--mlflow-auth", action="store_true", help="map MLFLOW_TRACKING_USERNAME/PASSWORD too")
    parser.add_argument(
        "--image-pull-secrets", default="", help="comma-separated pull Secrets of the steps (default: the package's)"
    )
    parser.add_argument("--description", default="mail2ticket: train, evaluate and promote the classifier adapter.")
    parser.add_argument("--namespace", default=None, help="Kubeflow profile namespace (multi-user KFP)")
    args = parser.parse_args(argv)

    import kfp

    try:
        text = args.package.read_text(encoding="utf-8")
        pull_secrets = [name for name in args.image_pull_secrets.split(",") if name]
        patched = patch_package(text, args.runtime_image, args.gpu_image, args.mlflow_auth, pull_secrets)
        version = args.version or content_version(args.chart_version, patched.encode("utf-8"))
        with tempfile.TemporaryDirectory() as folder:
            package = args.package
            if patched != text:  # the mounted ConfigMap is read-only: upload a patched copy
                package = Path(folder) / args.package.name
                package.write_text(patched, encoding="utf-8")
            client = kfp.Client(host=args.host, namespace=args.namespace or "kubeflow")
            outcome = ensure_pipeline(client, package, args.name, version, args.description)
    except Exception as exc:  # the Job's log is what the platform team reads: one line, no traceback
        first_line = str(exc).strip().splitlines()[0] if str(exc).strip() else ""
        print(
            f"error: cannot upload {args.package} to {args.host}: {exc.__class__.__name__}: {first_line}",
            file=sys.stderr,
        )
        return 1
    print(json.dumps(outcome.__dict__))
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
