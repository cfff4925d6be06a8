"""Upload the compiled training pipeline to the KFP API: the Helm chart's post-install/upgrade Job.

Idempotent, because Helm re-runs hooks on every upgrade and a platform team may re-run a failed
release: the pipeline is created when absent, and a version named after the chart version and
the package's content hash is uploaded unless a version of that name already exists. The same
chart therefore never uploads twice, and a changed pipeline always gets a new version.

    python -m infra.kfp_upload --host http://ml-pipeline.kubeflow:8888 \
        --package /etc/mail2ticket/pipeline/ticket_classifier.yaml --version 0.1.0-3fa9c2d1
"""

from __future__ import annotations

import argparse
import hashlib
import json
import sys
from dataclasses import dataclass
from pathlib import Path
from typing import Any, Protocol

DEFAULT_PIPELINE_NAME = "mail2ticket-ticket-classifier"


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


def version_name(chart_version: str, package: Path) -> str:
    """``<chart version>-<first 8 hex of the package's sha256>``, as the chart's template computes it."""
    return f"{chart_version}-{hashlib.sha256(package.read_bytes()).hexdigest()[:8]}"


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
    parser.add_argument("--version", help="version name (default: <chart version>-<sha256 prefix>)")
    parser.add_argument("--chart-version", default="0.0.0", help="used when --version is not given")
    parser.add_argument("--description", default="mail2ticket: train, evaluate and promote the classifier adapter.")
    parser.add_argument("--namespace", default=None, help="Kubeflow profile namespace (multi-user KFP)")
    args = parser.parse_args(argv)

    import kfp

    version = args.version or version_name(args.chart_version, args.package)
    try:
        client = kfp.Client(host=args.host, namespace=args.namespace or "kubeflow")
        outcome = ensure_pipeline(client, args.package, args.name, version, args.description)
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
