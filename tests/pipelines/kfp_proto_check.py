"""Parse a compiled pipeline strictly with the protos of the KFP release the cluster runs.

Run by ``.venv-kfp/bin/python`` (made by ``make test``), never by the main venv: the main venv
has a newer kfp SDK, whose protos know fields the pinned API server (KFP 2.14.3) rejects when it
creates a run. ``kfp/kubernetes/__init__.py`` imports the whole kfp SDK, which that venv does not
have, so the generated ``_pb2`` modules are loaded by file path.

    .venv-kfp/bin/python tests/pipelines/kfp_proto_check.py pipelines/compiled/ticket_classifier.yaml

Prints one JSON object, ``{"file": ..., "errors": [...], "executors": [...]}``; exits 1 on any error.
"""

from __future__ import annotations

import importlib.util
import json
import sys
from pathlib import Path
from types import ModuleType
from typing import Any

import yaml
from google.protobuf import json_format


def _site_packages() -> Path:
    """The folder holding ``kfp/pipeline_spec`` in this interpreter."""
    for entry in sys.path:
        if (Path(entry) / "kfp" / "pipeline_spec" / "pipeline_spec_pb2.py").is_file():
            return Path(entry)
    raise SystemExit("kfp-pipeline-spec is not installed in this interpreter (run `make test`)")


def _load(name: str, path: Path) -> ModuleType:
    """Import a generated module from its file, bypassing its package's ``__init__``."""
    spec = importlib.util.spec_from_file_location(name, path)
    assert spec and spec.loader
    module = importlib.util.module_from_spec(spec)
    sys.modules[name] = module
    spec.loader.exec_module(module)
    return module


def load_protos() -> tuple[ModuleType, ModuleType]:
    """``pipeline_spec_pb2`` then ``kubernetes_executor_config_pb2``, the latter importing the former."""
    root = _site_packages()
    pipeline_spec = _load("kfp.pipeline_spec.pipeline_spec_pb2", root / "kfp/pipeline_spec/pipeline_spec_pb2.py")
    kubernetes = _load(
        "kfp.kubernetes.kubernetes_executor_config_pb2", root / "kfp/kubernetes/kubernetes_executor_config_pb2.py"
    )
    return pipeline_spec, kubernetes


def _parse(message_type: Any, value: Any, where: str, errors: list[str]) -> None:
    try:
        json_format.ParseDict(value, message_type(), ignore_unknown_fields=False)
    except json_format.ParseError as exc:
        errors.append(f"{where}: {exc}")


def check(path: Path) -> dict[str, Any]:
    """Every error the pinned protos find in the package at ``path``: the pipeline, platform and executor specs."""
    pipeline_spec, kubernetes = load_protos()
    documents = [d for d in yaml.safe_load_all(path.read_text(encoding="utf-8")) if d is not None]
    errors: list[str] = []
    if not documents:
        return {"file": str(path), "errors": ["no YAML document"], "executors": []}
    _parse(pipeline_spec.PipelineSpec, documents[0], "PipelineSpec", errors)
    executors: list[str] = []
    for index, platform in enumerate(documents[1:], start=1):
        _parse(pipeline_spec.PlatformSpec, platform, f"PlatformSpec (document {index + 1})", errors)
        deployment = platform.get("platforms", {}).get("kubernetes", {}).get("deploymentSpec", {})
        for name, config in deployment.get("executors", {}).items():
            executors.append(name)
            _parse(kubernetes.KubernetesExecutorConfig, config, f"KubernetesExecutorConfig {name}", errors)
    return {"file": str(path), "errors": errors, "executors": executors}


def main(argv: list[str]) -> int:
    """Check each file given; exit 1 when any has an error."""
    results = [check(Path(arg)) for arg in argv]
    print(json.dumps(results))
    return 1 if any(r["errors"] for r in results) else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
