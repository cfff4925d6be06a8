"""The chart lints strictly and renders valid Kubernetes objects for every values file.

Rendered by the real Helm SDK (helm-python-sdk binds Helm's Go library), validated against the
Kubernetes OpenAPI schemas bundled by kubernetes-validate, in strict mode (unknown fields are
errors), for the oldest and the newest Kubernetes version it knows.
"""

from __future__ import annotations

import helm_python as helm
import kubernetes_validate
import pytest
from kubernetes_validate.utils import SchemaNotFoundError, ValidationError

from tests.helm.chart import CHART, NAMESPACE, PROFILES, Rendered, profile_values, strip, supported_kube_versions

#: From the chart's kubeVersion floor (Chart.yaml) to the newest kubernetes-validate knows.
KUBE_VERSIONS = supported_kube_versions()
OLDEST, NEWEST = KUBE_VERSIONS[0], KUBE_VERSIONS[-1]
# Custom resources have no schema in kubernetes-validate: test_rayservice.py and test_monitoring.py check them.
CUSTOM_KINDS = {"RayService", "ServiceMonitor"}


@pytest.mark.parametrize("kube_version", [f"v{OLDEST}", f"v{NEWEST}"])
@pytest.mark.parametrize("profile", list(PROFILES))
def test_lint_strict_passes(profile: str, kube_version: str) -> None:
    report = helm.lint(CHART, profile_values(profile), strict=True, namespace=NAMESPACE, kube_version=kube_version)
    problems = [m for m in report["messages"] if m["severity"] >= 2]
    assert report["errors"] == [] and problems == [], problems or report["errors"]


def test_validated_versions_span_what_kubernetes_validate_knows() -> None:
    assert OLDEST.startswith("1.27") and len(KUBE_VERSIONS) >= 10, KUBE_VERSIONS


@pytest.mark.parametrize("version", [OLDEST, NEWEST])
def test_every_object_is_valid_for_kubernetes(rendered: Rendered, version: str) -> None:
    checked, errors = 0, []
    for obj in rendered.objects:
        try:
            kubernetes_validate.validate(strip(obj), version, strict=True)
            checked += 1
        except SchemaNotFoundError:
            assert obj["kind"] in CUSTOM_KINDS, f"no schema for {obj['kind']} in Kubernetes {version}"
        except ValidationError as exc:
            path = ".".join(str(p) for p in exc.path)
            errors.append(f"{obj['kind']}/{obj['metadata']['name']} ({obj['_template']}): {path}: {exc.message}")
    assert not errors, "\n".join(errors)
    assert checked >= 15


def test_rendered_kinds(rendered: Rendered) -> None:
    kinds = {o["kind"] for o in rendered.objects}
    expected = {
        "Deployment", "Service", "Job", "ServiceAccount", "NetworkPolicy", "PodDisruptionBudget",
        "RayService", "ConfigMap", "Pod",
    }  # fmt: skip
    assert expected <= kinds, expected - kinds
    assert ("Ingress" in kinds) == rendered.values["ingress"]["enabled"]
    assert ("Role" in kinds) == rendered.values["serving"]["autoscaling"]["enabled"]
    # No Secret is ever rendered: credentials are created beforehand and referenced by name.
    assert "Secret" not in kinds


def test_every_object_is_namespaced_in_the_release_namespace(rendered: Rendered) -> None:
    for obj in rendered.objects:
        assert obj["metadata"].get("namespace") == NAMESPACE, f"{obj['kind']}/{obj['metadata']['name']}"


def test_notes_tell_how_to_check_the_install(rendered: Rendered) -> None:
    assert "helm test m2t -n mail2ticket" in rendered.notes
    assert "kubectl -n mail2ticket get rayservice m2t-mail2ticket-agents" in rendered.notes
