"""The optional monitoring objects: a ServiceMonitor over the Ray pods and a Grafana dashboard.

Both are off by default, and on only where the cluster serves ``monitoring.coreos.com/v1``
ServiceMonitor (the prometheus-operator's CRD): the chart is rendered here with and without that
API among the cluster's (``helm template --api-versions``). The rendered ServiceMonitor is checked
against the upstream CRD's ``v1`` ``openAPIV3Schema``, vendored in
third_party/prometheus-operator-<version>/ and made strict the way test_rayservice.py makes
KubeRay's; the other objects against Kubernetes' own schemas. The dashboard must query only
metrics that serving/metrics.py defines, and every one of them.
"""

from __future__ import annotations

import copy
import functools
import json
import re
from typing import Any

import jsonschema
import kubernetes_validate
import pytest
import yaml

from serving.metrics import METRICS
from tests.helm.chart import (
    CHART,
    MONITORING_API_VERSIONS,
    NAMESPACE,
    PROFILES,
    REPO_ROOT,
    Rendered,
    pod_templates,
    profile_values,
    render,
    selector_matches,
    strip,
    supported_kube_versions,
)
from tests.helm.test_rayservice import errors_of, strict_json_schema

#: The prometheus-operator release whose ServiceMonitor CRD is vendored (third_party/prometheus-operator-<it>/).
PROMETHEUS_OPERATOR_VERSION = "v0.93.0"
VENDORED = REPO_ROOT / "third_party" / f"prometheus-operator-{PROMETHEUS_OPERATOR_VERSION}"
DASHBOARD = CHART / "dashboards" / "mail2ticket-serving.json"
ON = {"monitoring": {"serviceMonitor": {"enabled": True}, "grafanaDashboard": {"enabled": True}}}
#: KubeRay v1.5.1 (common/pod.go labelPod): the label it puts on every pod of a RayCluster.
KUBERAY_NODE_LABEL = {"ray.io/is-ray-node": "yes"}
MONITORING_KINDS = {"ServiceMonitor", "Service", "ConfigMap", "NetworkPolicy"}
KUBE_VERSIONS = (supported_kube_versions()[0], supported_kube_versions()[-1])


@functools.cache
def with_monitoring(profile: str = "onprem") -> Rendered:
    """A values file with both monitoring objects on, on a cluster that has the prometheus-operator's CRD."""
    values = copy.deepcopy(profile_values(profile))
    values.update(ON)
    return render(values, profile, api_versions=MONITORING_API_VERSIONS)


@functools.cache
def servicemonitor_validator() -> jsonschema.Validator:
    """A strict validator of ServiceMonitor ``monitoring.coreos.com/v1`` as the vendored CRD defines it."""
    crd = yaml.safe_load((VENDORED / "monitoring.coreos.com_servicemonitors.yaml").read_text(encoding="utf-8"))
    (version,) = [v for v in crd["spec"]["versions"] if v["name"] == "v1"]
    schema = strict_json_schema(version["schema"]["openAPIV3Schema"])
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def monitoring_objects(rendered: Rendered) -> list[dict[str, Any]]:
    """What templates/monitoring.yaml rendered, and the metrics NetworkPolicy."""
    return [
        o
        for o in rendered.objects
        if o["_template"].endswith("/monitoring.yaml") or o["metadata"]["name"].endswith("-ray-metrics")
    ]


def test_the_vendored_crd_is_the_pinned_prometheus_operator_version() -> None:
    crd = yaml.safe_load((VENDORED / "monitoring.coreos.com_servicemonitors.yaml").read_text(encoding="utf-8"))
    assert crd["spec"]["group"] == "monitoring.coreos.com" and crd["spec"]["names"]["kind"] == "ServiceMonitor"
    assert crd["metadata"]["annotations"]["operator.prometheus.io/version"] == PROMETHEUS_OPERATOR_VERSION[1:]
    assert [v["name"] for v in crd["spec"]["versions"] if v["storage"]] == ["v1"]
    provenance = (VENDORED / "README.md").read_text(encoding="utf-8")
    assert f"`{PROMETHEUS_OPERATOR_VERSION}`" in provenance and "Apache License 2.0" in provenance
    assert "Apache License" in (VENDORED / "LICENSE").read_text(encoding="utf-8")


@pytest.mark.parametrize("profile", list(PROFILES))
def test_off_by_default(renders: dict[str, Rendered], profile: str) -> None:
    rendered = renders[profile]
    assert rendered.values["monitoring"]["serviceMonitor"]["enabled"] is False
    assert rendered.values["monitoring"]["grafanaDashboard"]["enabled"] is False
    assert monitoring_objects(rendered) == []
    assert "ServiceMonitor" not in rendered.notes


def test_off_by_default_even_where_the_crd_is_installed() -> None:
    rendered = render(api_versions=MONITORING_API_VERSIONS)
    assert monitoring_objects(rendered) == []


def test_on_without_the_crd_renders_nothing_and_the_notes_say_so() -> None:
    """``helm install`` on a cluster without the prometheus-operator: an unknown kind would fail the install."""
    rendered = render(ON)
    assert monitoring_objects(rendered) == []
    notes = " ".join(rendered.notes.split())
    assert "no ServiceMonitor API (monitoring.coreos.com/v1)" in notes and "not rendered" in notes


def test_on_with_the_crd_renders_the_service_the_servicemonitor_the_policy_and_the_dashboard() -> None:
    rendered = with_monitoring()
    kinds = sorted(o["kind"] for o in monitoring_objects(rendered))
    assert kinds == ["ConfigMap", "NetworkPolicy", "Service", "ServiceMonitor"]
    assert "ServiceMonitor m2t-mail2ticket-ray" in rendered.notes


def test_each_object_is_on_by_itself() -> None:
    only_monitor = render({"monitoring": {"serviceMonitor": {"enabled": True}}}, api_versions=MONITORING_API_VERSIONS)
    assert sorted(o["kind"] for o in monitoring_objects(only_monitor)) == ["NetworkPolicy", "Service", "ServiceMonitor"]
    only_dashboard = render(
        {"monitoring": {"grafanaDashboard": {"enabled": True}}}, api_versions=MONITORING_API_VERSIONS
    )
    assert [o["kind"] for o in monitoring_objects(only_dashboard)] == ["ConfigMap"]
    no_policies = render(
        {**ON, "networkPolicy": {"enabled": False}}, api_versions=MONITORING_API_VERSIONS
    )  # no policy at all: nothing to open
    assert "NetworkPolicy" not in {o["kind"] for o in monitoring_objects(no_policies)}


@pytest.mark.parametrize("profile", list(PROFILES))
def test_the_servicemonitor_matches_the_prometheus_operators_crd(profile: str) -> None:
    monitor = strip(with_monitoring(profile).one("ServiceMonitor"))
    errors = errors_of(servicemonitor_validator(), monitor)
    assert not errors, errors


def test_the_crd_check_is_strict() -> None:
    monitor = copy.deepcopy(strip(with_monitoring().one("ServiceMonitor")))  # the render is shared: break a copy
    monitor["spec"]["endpoints"][0]["intervall"] = "30s"
    monitor["spec"]["endpoints"][0]["interval"] = "half a minute"
    errors = errors_of(servicemonitor_validator(), monitor)
    assert any("'intervall' was unexpected" in e for e in errors), errors
    assert any(e.startswith("spec.endpoints.0.interval: 'half a minute' does not match") for e in errors), errors
    del monitor["spec"]["selector"]
    assert any("'selector' is a required property" in e for e in errors_of(servicemonitor_validator(), monitor))


@pytest.mark.parametrize("version", KUBE_VERSIONS)
def test_the_other_objects_are_valid_kubernetes(version: str) -> None:
    for obj in monitoring_objects(with_monitoring()):
        if obj["kind"] != "ServiceMonitor":
            kubernetes_validate.validate(strip(obj), version, strict=True)
        assert obj["metadata"]["namespace"] == NAMESPACE


def test_the_servicemonitor_scrapes_every_ray_pod_and_nothing_else() -> None:
    """The monitor selects the metrics Service; the Service selects the Ray pods as KubeRay labels them, on the
    port their Ray container declares (and KubeRay's default metrics-export-port, 8080)."""
    rendered = with_monitoring()
    monitor, service = rendered.one("ServiceMonitor"), rendered.one("Service", "-ray-metrics")
    assert selector_matches(monitor["spec"]["selector"], service["metadata"]["labels"])
    assert monitor["spec"]["namespaceSelector"] == {"matchNames": [NAMESPACE]}
    (endpoint,) = monitor["spec"]["endpoints"]
    (port,) = service["spec"]["ports"]
    assert endpoint["port"] == port["name"] == port["targetPort"] == "metrics" and endpoint["path"] == "/metrics"
    assert endpoint["interval"] == "30s" and service["spec"]["clusterIP"] == "None"
    selector = {"matchLabels": service["spec"]["selector"]}
    cluster = rendered.one("RayService")["spec"]["rayClusterConfig"]
    start_params = [
        cluster["headGroupSpec"]["rayStartParams"],
        *(g["rayStartParams"] for g in cluster["workerGroupSpecs"]),
    ]
    assert {p["metrics-export-port"] for p in start_params} == {str(port["port"])} == {"8080"}
    for pod in pod_templates(rendered):
        labels = {**pod.labels, **KUBERAY_NODE_LABEL} if pod.where.startswith("RayService/") else pod.labels
        assert selector_matches(selector, labels) is pod.where.startswith("RayService/"), pod.where
        if pod.where.startswith("RayService/"):
            ports = {p["name"]: p["containerPort"] for p in pod.spec["containers"][0]["ports"]}
            assert ports["metrics"] == port["port"], pod.where


def test_servicemonitor_labels_reach_the_prometheus_selector() -> None:
    values = copy.deepcopy(ON)
    values["monitoring"]["serviceMonitor"]["labels"] = {"release": "kube-prometheus-stack"}
    monitor = render(values, api_versions=MONITORING_API_VERSIONS).one("ServiceMonitor")
    assert monitor["metadata"]["labels"]["release"] == "kube-prometheus-stack"


def test_the_dashboard_configmap_is_the_dashboard_file_for_grafanas_sidecar() -> None:
    configmap = with_monitoring().one("ConfigMap", "-grafana-dashboard")
    assert configmap["metadata"]["labels"]["grafana_dashboard"] == "1"
    (name,) = configmap["data"]
    assert name.endswith(".json")
    assert json.loads(configmap["data"][name]) == json.loads(DASHBOARD.read_text(encoding="utf-8"))


def dashboard_queries() -> list[tuple[str, str]]:
    """Every (panel title, PromQL expression) of the dashboard."""
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    return [(panel["title"], target["expr"]) for panel in dashboard["panels"] for target in panel["targets"]]


def test_the_dashboard_parses_and_is_a_grafana_dashboard() -> None:
    dashboard = json.loads(DASHBOARD.read_text(encoding="utf-8"))
    assert dashboard["uid"] and dashboard["title"] and dashboard["schemaVersion"] >= 30
    ids = [panel["id"] for panel in dashboard["panels"]]
    assert len(ids) == len(set(ids)) >= len(METRICS)
    variables = {v["name"] for v in dashboard["templating"]["list"]}
    assert {"datasource", "namespace", "application"} <= variables
    for panel in dashboard["panels"]:
        assert panel["datasource"] == {"type": "prometheus", "uid": "${datasource}"}, panel["title"]
        assert panel["targets"], panel["title"]


def test_every_panel_queries_metrics_that_serving_defines_and_every_metric_has_a_panel() -> None:
    defined = {series: spec for spec in METRICS for series in spec.series}
    shown = set()
    for title, expr in dashboard_queries():
        named = set(re.findall(r"\bray_mail2ticket_[a-z0-9_]+", expr))
        assert named, f"{title}: {expr} names no mail2ticket metric"
        unknown = named - set(defined)
        assert not unknown, f"{title}: {sorted(unknown)} not defined in serving/metrics.py"
        shown |= {defined[name].name for name in named}
        assert "$namespace" in expr and "$application" in expr, f"{title}: not filtered by the variables"
    assert shown == {spec.name for spec in METRICS}, {spec.name for spec in METRICS} - shown


def test_histogram_queries_use_buckets_and_counters_are_rated() -> None:
    """histogram_quantile needs _bucket series grouped by le; a counter is read through rate()."""
    for title, expr in dashboard_queries():
        if "histogram_quantile(" in expr:
            assert "_bucket" in expr and "by (le" in expr, title
        for counter in (s.exported for s in METRICS if s.kind == "counter"):
            for found in re.finditer(rf"\b{counter}\b", expr):
                assert expr[: found.start()].endswith("rate("), f"{title}: {counter} not in rate()"
