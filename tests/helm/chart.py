"""Rendering the mail2ticket chart with the real Helm SDK, and walking what it renders.

Shared by the chart tests: every values file is rendered once per session (see conftest.py),
and the helpers below find the pods, containers and policies in the rendered objects.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import helm_python as helm
import yaml

from infra.preflight import merge_values

REPO_ROOT = Path(__file__).resolve().parents[2]
CHART = REPO_ROOT / "helm" / "mail2ticket"
RELEASE = "m2t"
NAMESPACE = "mail2ticket"
PROFILES = {
    "default": None,
    "onprem": CHART / "values-onprem.yaml",
    "secnumcloud": CHART / "values-secnumcloud.yaml",
}
#: What a site must give on top of the chart's defaults for the schema to accept them: where the
#: object storage, MLflow's PostgreSQL and the API server are. The "default" profile is this.
SITE_MINIMUM: dict[str, Any] = {
    "networkPolicy": {
        "s3": {"cidrs": ["10.20.0.0/24"]},
        "postgres": {"cidrs": ["10.20.1.10/32"]},
        "kubeAPIServer": {"cidrs": ["10.10.0.10/32"]},
    }
}


def supported_kube_versions() -> list[str]:
    """The Kubernetes versions kubernetes-validate knows from the chart's kubeVersion floor on."""
    import kubernetes_validate.utils

    floor = re.match(r">=(\d+)\.(\d+)", yaml.safe_load((CHART / "Chart.yaml").read_text())["kubeVersion"])
    minimum = tuple(int(x) for x in floor.groups())
    known = dict.fromkeys(kubernetes_validate.utils.all_versions())
    return [v for v in known if tuple(int(x) for x in v.split(".")[:2]) >= minimum]


def profile_values(profile: str) -> dict[str, Any]:
    """The values a profile passes to ``helm install -f`` (the site's minimum for the chart's defaults)."""
    path = PROFILES[profile]
    return yaml.safe_load(path.read_text(encoding="utf-8")) if path else SITE_MINIMUM


@dataclass(frozen=True)
class Rendered:
    """One rendered release: the objects (with the template each came from) and NOTES.txt."""

    profile: str
    values: dict[str, Any]
    objects: list[dict[str, Any]]
    templates: dict[str, str]
    notes: str

    def of_kind(self, kind: str) -> list[dict[str, Any]]:
        return [o for o in self.objects if o["kind"] == kind]

    def one(self, kind: str, name_suffix: str = "") -> dict[str, Any]:
        found = [o for o in self.of_kind(kind) if o["metadata"]["name"].endswith(name_suffix)]
        assert len(found) == 1, (
            f"expected one {kind} named *{name_suffix}, found {[o['metadata']['name'] for o in found]}"
        )
        return found[0]


#: What a cluster with the prometheus-operator's CRDs lists among its APIs (discovery gives both forms).
MONITORING_API_VERSIONS = ("monitoring.coreos.com/v1", "monitoring.coreos.com/v1/ServiceMonitor")


def render_templates(chart: helm.Chart, values: dict[str, Any], api_versions: Sequence[str] = ()) -> dict[str, str]:
    """``helm install``'s rendering; ``api_versions`` are APIs the cluster serves (``helm template --api-versions``).

    helm-python-sdk 0.2.2's ``Chart.render`` has no argument for them, but the library's render
    call reads ``api_versions`` from the same options object (``.Capabilities.APIVersions``).
    """
    if not api_versions:
        return chart.render(values, name=RELEASE, namespace=NAMESPACE, is_install=True)
    from helm_python import _native

    options = {"name": RELEASE, "namespace": NAMESPACE, "is_install": True, "api_versions": list(api_versions)}
    return json.loads(_native.call_string("helm_render", chart._raw(), json.dumps(values), json.dumps(options)))


def render(values: dict[str, Any] | None = None, profile: str = "custom", api_versions: Sequence[str] = ()) -> Rendered:
    """Render the chart offline as ``helm install`` would (schema validation included).

    Values without a profile are laid over the site's minimum, so a test changes only what it tests.
    ``api_versions``: the APIs the cluster serves beyond Kubernetes' own (none: no CRD installed).
    """
    if profile == "custom":
        values = merge_values(SITE_MINIMUM, values or {})
    with helm.Chart.load(CHART) as chart:
        merged = chart.merge_values(values or {})
        templates = render_templates(chart, values or {}, api_versions)
    objects: list[dict[str, Any]] = []
    for path, text in templates.items():
        if not path.endswith((".yaml", ".yml")):
            continue
        for document in yaml.safe_load_all(text):
            if document:
                document.setdefault("metadata", {}).setdefault("annotations", {})
                objects.append({**document, "_template": path})
    notes = next((t for p, t in templates.items() if p.endswith("NOTES.txt")), "")
    return Rendered(profile, merged, objects, templates, notes)


def strip(obj: dict[str, Any]) -> dict[str, Any]:
    """The object as the API server would receive it (without the test's bookkeeping key)."""
    clean = {k: v for k, v in obj.items() if k != "_template"}
    if not clean["metadata"].get("annotations"):
        clean["metadata"] = {k: v for k, v in clean["metadata"].items() if k != "annotations"}
    return clean


@dataclass(frozen=True)
class PodTemplate:
    """A pod the release will run: where it is declared, its labels and its spec."""

    where: str
    labels: dict[str, str]
    spec: dict[str, Any]

    def containers(self) -> Iterator[tuple[str, dict[str, Any]]]:
        for kind in ("initContainers", "containers"):
            for container in self.spec.get(kind) or []:
                yield f"{self.where}/{kind}/{container['name']}", container


def pod_templates(rendered: Rendered) -> list[PodTemplate]:
    """Every pod template: Deployments, Jobs, test Pods and the RayService's head and workers."""
    pods: list[PodTemplate] = []
    for obj in rendered.objects:
        kind, name = obj["kind"], obj["metadata"]["name"]
        if kind in {"Deployment", "StatefulSet", "DaemonSet", "Job"}:
            template = obj["spec"]["template"]
            pods.append(PodTemplate(f"{kind}/{name}", template["metadata"].get("labels", {}), template["spec"]))
        elif kind == "Pod":
            pods.append(PodTemplate(f"Pod/{name}", obj["metadata"].get("labels", {}), obj["spec"]))
        elif kind == "RayService":
            cluster = obj["spec"]["rayClusterConfig"]
            head = cluster["headGroupSpec"]["template"]
            pods.append(PodTemplate(f"RayService/{name}/head", head["metadata"]["labels"], head["spec"]))
            for group in cluster.get("workerGroupSpecs", []):
                template = group["template"]
                pods.append(
                    PodTemplate(
                        f"RayService/{name}/worker/{group['groupName']}",
                        template["metadata"]["labels"],
                        template["spec"],
                    )
                )
    return pods


def selector_matches(selector: dict[str, Any], labels: dict[str, str]) -> bool:
    """Kubernetes LabelSelector semantics (matchLabels and matchExpressions)."""
    for key, value in (selector.get("matchLabels") or {}).items():
        if labels.get(key) != value:
            return False
    for expression in selector.get("matchExpressions") or []:
        key, operator, values = expression["key"], expression["operator"], expression.get("values") or []
        if operator == "In" and labels.get(key) not in values:
            return False
        if operator == "NotIn" and labels.get(key) in values:
            return False
        if operator == "Exists" and key not in labels:
            return False
        if operator == "DoesNotExist" and key in labels:
            return False
    return True
