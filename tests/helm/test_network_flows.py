"""Every flow the platform needs passes the rendered NetworkPolicies, and every other stays closed.

For each values file the chart is rendered and the connections below are evaluated with
Kubernetes NetworkPolicy semantics (tests/helm/netpol.py): a flow passes when the source's egress
and the destination's ingress both allow it. Each needed flow names the upstream code that opens
the connection, so a port or peer changed upstream has a place to be checked against.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest

from tests.helm.chart import NAMESPACE, PROFILES, Rendered, pod_templates
from tests.helm.netpol import Endpoint, Policies, peer_matches, port_matches

COMPONENT = "app.kubernetes.io/component"


def release_pod(rendered: Rendered, component: str) -> Endpoint:
    """The pod of one component of the release, with the labels its template gives it."""
    (pod,) = [p for p in pod_templates(rendered) if p.labels.get(COMPONENT) == component]
    return Endpoint(component, NAMESPACE, pod.labels)


def _np(rendered: Rendered) -> dict[str, Any]:
    return rendered.values["networkPolicy"]


def external(rendered: Rendered, key: str) -> tuple[Endpoint, int]:
    """The object storage or PostgreSQL as the values declare it: an address of its CIDR, or a pod."""
    target = _np(rendered)[key]
    if target["cidrs"]:
        network = ipaddress.ip_network(target["cidrs"][0])
        address = next(iter(network.hosts()), network.network_address)
        return Endpoint(key, ip=str(address)), target["ports"][0]
    return Endpoint(key, target["namespace"], dict(target.get("podLabels") or {"app": key})), target["ports"][0]


def operator(rendered: Rendered) -> Endpoint:
    """A KubeRay operator pod, labelled as the kuberay-operator chart labels it."""
    settings = _np(rendered)["kuberayOperator"]
    return Endpoint("kuberay-operator", settings["namespace"], dict(settings["podLabels"]))


def pipeline_step(rendered: Rendered) -> Endpoint:
    """A pipeline step pod: KFP's Argo compiler labels every step ``pipelines.kubeflow.org/v2_component``."""
    kfp = _np(rendered)["kfp"]
    return Endpoint("pipeline-step", kfp["runNamespaces"][0], {"pipelines.kubeflow.org/v2_component": "true"})


def kfp_api(rendered: Rendered) -> Endpoint:
    kfp = _np(rendered)["kfp"]
    return Endpoint("ml-pipeline", kfp["namespace"], dict(kfp["apiServerPodLabels"]))


def coredns(rendered: Rendered) -> Endpoint:
    dns = _np(rendered)["dns"]
    return Endpoint("coredns", dns["namespace"], dict(dns["podLabels"]))


def prometheus(rendered: Rendered) -> Endpoint:
    """A Prometheus server pod, labelled as the prometheus-operator labels it (networkPolicy.prometheus)."""
    settings = _np(rendered)["prometheus"]
    return Endpoint("prometheus", settings["namespace"], dict(settings["podLabels"]))


def ingress_controller(rendered: Rendered) -> Endpoint:
    return Endpoint("ingress-controller", _np(rendered)["ingressController"]["namespace"], {"app": "ingress-nginx"})


def api_server(rendered: Rendered) -> Endpoint:
    """An API server address the values list (a usual Service address when they list none)."""
    cidrs = _np(rendered)["kubeAPIServer"]["cidrs"]
    if not cidrs:
        return Endpoint("kube-apiserver", ip="10.96.0.1")
    cidr = ipaddress.ip_network(cidrs[0])
    return Endpoint("kube-apiserver", ip=str(cidr.network_address if cidr.num_addresses == 1 else next(cidr.hosts())))


def client_namespace(rendered: Rendered) -> str:
    """The first namespace the values let call the API (a ticketing namespace when they list none)."""
    return next(iter(_np(rendered)["clientNamespaces"]), "ticketing")


def values_of(rendered: Rendered, *path: str) -> Any:
    node: Any = rendered.values
    for key in path:
        node = node[key]
    return node


Side = Callable[[Rendered], Endpoint]


@dataclass(frozen=True)
class Flow:
    """A connection: from whom, to whom, which port, and (for needed flows) who opens it upstream."""

    name: str
    source: Side
    destination: Side
    port: Callable[[Rendered], int]
    protocol: str = "TCP"
    why: str = ""
    applies: Callable[[Rendered], bool] = lambda rendered: True


def pod(component: str) -> Side:
    return lambda rendered: release_pod(rendered, component)


def fixed(port: int) -> Callable[[Rendered], int]:
    return lambda rendered: port


def serve_port(rendered: Rendered) -> int:
    return int(values_of(rendered, "serving", "httpOptions", "port"))


def mlflow_port(rendered: Rendered) -> int:
    return int(values_of(rendered, "mlflow", "port"))


def s3(rendered: Rendered) -> Endpoint:
    return external(rendered, "s3")[0]


def s3_port(rendered: Rendered) -> int:
    return external(rendered, "s3")[1]


def postgres(rendered: Rendered) -> Endpoint:
    return external(rendered, "postgres")[0]


def postgres_port(rendered: Rendered) -> int:
    return external(rendered, "postgres")[1]


def node_local_dns(rendered: Rendered) -> Endpoint:
    return Endpoint("node-local-dns", ip="169.254.20.10")


def internet(rendered: Rendered) -> Endpoint:
    return Endpoint("internet", ip="8.8.8.8")


def other_pod(namespace_of: Callable[[Rendered], str], labels: dict[str, str]) -> Side:
    return lambda rendered: Endpoint("other", namespace_of(rendered), labels)


def ingress_on(rendered: Rendered) -> bool:
    return bool(values_of(rendered, "ingress", "enabled"))


def autoscaling_on(rendered: Rendered) -> bool:
    return bool(values_of(rendered, "serving", "autoscaling", "enabled"))


def review_on(rendered: Rendered) -> bool:
    return bool(values_of(rendered, "review", "enabled"))


def metrics_port(rendered: Rendered) -> int:
    """Ray's metrics agent on every Ray pod: templates/_helpers.tpl mail2ticket.metricsPort (KubeRay's 8080)."""
    return 8080


def review_port(rendered: Rendered) -> int:
    """The review app's port: templates/review.yaml, `mail2ticket review serve --port 8080`."""
    return 8080


KUBERAY = "ray-project/kuberay v1.5.1, ray-operator/controllers/ray"
RAY_PODS = ("ray-head", "ray-worker")
RELEASE_PODS = ("ray-head", "ray-worker", "mlflow", "mlflow-migrate", "review", "review-migrate", "kfp-upload", "test")

NEEDED: list[Flow] = [
    Flow("operator checks the head's Serve proxy", operator, pod("ray-head"), serve_port,
         why=f"{KUBERAY}/rayservice_controller.go updateHeadPodServeLabel: GET <head pod IP>:8000/-/healthz"),
    Flow("operator submits the Serve config", operator, pod("ray-head"), fixed(8265),
         why=f"{KUBERAY}/utils/dashboardclient: PUT/GET /api/serve/applications/ on the dashboard port"),
    Flow("worker joins the head's GCS", pod("ray-worker"), pod("ray-head"), fixed(6379),
         why="ray start --address=<head>:6379 (KubeRay's worker command, common/pod.go)"),
    Flow("head reaches a worker's raylet and object manager", pod("ray-head"), pod("ray-worker"), fixed(10002),
         why="Ray picks node manager, object manager and worker ports at start (Ray docs: Configuring Ray, ports)"),
    Flow("worker reaches the head's raylet", pod("ray-worker"), pod("ray-head"), fixed(10002),
         why="Ray's object transfers and task calls go both ways between nodes"),
    Flow("agents load the champion from MLflow", pod("ray-head"), pod("mlflow"), mlflow_port,
         why="mail2ticket.registry: MlflowClient on MLFLOW_TRACKING_URI"),
    Flow("engine loads adapters from MLflow", pod("ray-worker"), pod("mlflow"), mlflow_port,
         why="mail2ticket.registry: the engine downloads the promoted adapter's artifacts"),
    Flow("agents read S3", pod("ray-head"), s3, s3_port, why="mail2ticket.storage: boto3 on AWS_ENDPOINT_URL"),
    Flow("engine downloads the base model from S3", pod("ray-worker"), s3, s3_port,
         why="mail2ticket.storage: the base model under serving.args.engine.base_model"),
    Flow("MLflow stores runs in PostgreSQL", pod("mlflow"), postgres, postgres_port,
         why="mlflow server --backend-store-uri (MLFLOW_BACKEND_STORE_URI)"),
    Flow("MLflow proxies artifacts to S3", pod("mlflow"), s3, s3_port,
         why="mlflow server --serve-artifacts --artifacts-destination s3://…"),
    Flow("migration hook upgrades the schema", pod("mlflow-migrate"), postgres, postgres_port,
         why="mlflow db upgrade $(MLFLOW_BACKEND_STORE_URI)"),
    Flow("upload Job calls the KFP API", pod("kfp-upload"), kfp_api, lambda r: _np(r)["kfp"]["apiServerPort"],
         why="infra/kfp_upload.py: kfp.Client(host=kfp.upload.host)"),
    Flow("pipeline steps log to MLflow", pipeline_step, pod("mlflow"), mlflow_port,
         why="components/*: mlflow on MLFLOW_TRACKING_URI from the pipeline's Secret"),
    Flow("helm test calls the agents", pod("test"), pod("ray-head"), serve_port,
         why="templates/tests/test-healthz.yaml: GET <serve svc>:8000/healthz"),
    Flow("helm test calls MLflow", pod("test"), pod("mlflow"), mlflow_port,
         why="templates/tests/test-healthz.yaml: GET <mlflow svc>:5000/health"),
    Flow("ticketing connector calls the agents", other_pod(client_namespace, {"app": "c"}),
         pod("ray-head"), serve_port, why="networkPolicy.clientNamespaces: the API's clients",
         applies=lambda r: bool(_np(r)["clientNamespaces"])),
    Flow("ingress controller forwards to the Serve proxy", ingress_controller, pod("ray-head"), serve_port,
         why="templates/ingress.yaml: backend <rayservice>-head-svc:8000", applies=ingress_on),
    Flow("ingress controller forwards to MLflow", ingress_controller, pod("mlflow"), mlflow_port,
         why="templates/ingress.yaml: backend <mlflow svc>:5000",
         applies=lambda r: ingress_on(r) and bool(values_of(r, "ingress", "mlflowHost"))),
    Flow("ingress controller forwards to the review app", ingress_controller, pod("review"), review_port,
         why="templates/ingress.yaml: path /review of the API's host, backend <review svc>:8080",
         applies=lambda r: ingress_on(r) and review_on(r)),
    Flow("helm test calls the review app", pod("test"), pod("review"), review_port,
         why="templates/tests/test-healthz.yaml: GET <review svc>:8080/readyz", applies=review_on),
    Flow("review app reads and writes its queue in PostgreSQL", pod("review"), postgres, postgres_port,
         why="review_app: SQLAlchemy engine on MAIL2TICKET_REVIEW_DATABASE_URL", applies=review_on),
    Flow("review migration hook upgrades its schema", pod("review-migrate"), postgres, postgres_port,
         why="mail2ticket review migrate on MAIL2TICKET_REVIEW_DATABASE_URL", applies=review_on),
    Flow("Gateway on the head writes review items", pod("ray-head"), postgres, postgres_port,
         why="serving/gateway.py: review items to args.review.database_url_env (MAIL2TICKET_REVIEW_DATABASE_URL)",
         applies=review_on),
    Flow("Gateway on a worker writes review items", pod("ray-worker"), postgres, postgres_port,
         why="Ray Serve may place the Gateway (0.25 CPU) on a worker: the workers offer their CPUs",
         applies=review_on),
    Flow("autoscaler patches its RayCluster", pod("ray-head"), api_server,
         lambda r: _np(r)["kubeAPIServer"]["ports"][0],
         why=f"{KUBERAY}/common/pod.go: the autoscaler sidecar of the head calls the API server",
         applies=autoscaling_on),
]  # fmt: skip

for _component in RELEASE_PODS:
    for _protocol in ("UDP", "TCP"):
        NEEDED.append(
            Flow(f"{_component} resolves names ({_protocol})", pod(_component), coredns, fixed(53), _protocol,
                 why="every client above resolves a Service name through cluster DNS")
        )  # fmt: skip
        NEEDED.append(
            Flow(f"{_component} resolves through NodeLocal DNSCache ({_protocol})", pod(_component),
                 node_local_dns, fixed(53), _protocol,
                 why="NodeLocal DNSCache (k8s.io/dns nodelocaldns) answers on 169.254.20.10 on every node",
                 applies=lambda r: "169.254.20.10/32" in _np(r)["dns"]["nodeLocalCidrs"])
        )  # fmt: skip

CLOSED: list[Flow] = [
    *[Flow(f"{c} to the internet", pod(c), internet, fixed(443)) for c in RELEASE_PODS],
    *[Flow(f"{c} to an outside DNS", pod(c), internet, fixed(53), "UDP") for c in RELEASE_PODS],
    Flow("another pod of the operator's namespace to the dashboard",
         other_pod(lambda r: _np(r)["kuberayOperator"]["namespace"], {"app": "other"}), pod("ray-head"), fixed(8265)),
    Flow("operator to the head's GCS", operator, pod("ray-head"), fixed(6379)),
    Flow("operator to the Ray client port", operator, pod("ray-head"), fixed(10001)),
    Flow("KFP UI (not a step) to MLflow", other_pod(lambda r: _np(r)["kfp"]["runNamespaces"][0],
                                                    {"app": "ml-pipeline-ui"}), pod("mlflow"), mlflow_port),
    Flow("pipeline step to the agents", pipeline_step, pod("ray-head"), serve_port),
    Flow("a pod of another namespace to the agents", other_pod(lambda r: "elsewhere", {"app": "x"}),
         pod("ray-head"), serve_port),
    Flow("a pod of another namespace to MLflow", other_pod(lambda r: "elsewhere", {"app": "x"}),
         pod("mlflow"), mlflow_port),
    Flow("ingress controller to the dashboard", ingress_controller, pod("ray-head"), fixed(8265)),
    Flow("ingress controller to a worker's Ray ports", ingress_controller, pod("ray-worker"), fixed(6379)),
    Flow("upload Job to MLflow", pod("kfp-upload"), pod("mlflow"), mlflow_port),
    Flow("migration hook to S3", pod("mlflow-migrate"), s3, s3_port),
    Flow("a client namespace to the review app", other_pod(client_namespace, {"app": "c"}), pod("review"),
         review_port),
    Flow("a pod of another namespace to the review app", other_pod(lambda r: "elsewhere", {"app": "x"}),
         pod("review"), review_port),
    Flow("pipeline step to the review app", pipeline_step, pod("review"), review_port),
    Flow("agents to the review app", pod("ray-head"), pod("review"), review_port),
    Flow("MLflow to the review app", pod("mlflow"), pod("review"), review_port),
    Flow("review app to MLflow", pod("review"), pod("mlflow"), mlflow_port),
    Flow("review app to S3", pod("review"), s3, s3_port),
    Flow("review app to the agents", pod("review"), pod("ray-head"), serve_port),
    Flow("review app to the KFP API", pod("review"), kfp_api, lambda r: _np(r)["kfp"]["apiServerPort"]),
    Flow("review app to the API server", pod("review"), api_server, lambda r: _np(r)["kubeAPIServer"]["ports"][0]),
    Flow("review migration hook to S3", pod("review-migrate"), s3, s3_port),
    Flow("review migration hook to MLflow", pod("review-migrate"), pod("mlflow"), mlflow_port),
    Flow("upload Job to PostgreSQL", pod("kfp-upload"), postgres, postgres_port),
    Flow("MLflow to the agents", pod("mlflow"), pod("ray-head"), serve_port),
    Flow("agents to the KFP API", pod("ray-head"), kfp_api, lambda r: _np(r)["kfp"]["apiServerPort"]),
    Flow("test pod to the dashboard", pod("test"), pod("ray-head"), fixed(8265)),
    # No Serve proxy on the workers (HeadOnly): their Serve port is nobody's way in.
    Flow("ingress controller to a worker's Serve port", ingress_controller, pod("ray-worker"), serve_port),
    Flow("helm test to a worker's Serve port", pod("test"), pod("ray-worker"), serve_port),
    Flow("operator to a worker's Serve port", operator, pod("ray-worker"), serve_port),
    # The values files leave monitoring off: nobody scrapes the Ray pods.
    Flow("Prometheus to the head's metrics port (monitoring off)", prometheus, pod("ray-head"), metrics_port),
    Flow("Prometheus to a worker's metrics port (monitoring off)", prometheus, pod("ray-worker"), metrics_port),
]  # fmt: skip


def policies(rendered: Rendered) -> Policies:
    return Policies(NAMESPACE, rendered.of_kind("NetworkPolicy"))


@pytest.mark.parametrize("profile", list(PROFILES))
@pytest.mark.parametrize("flow", NEEDED, ids=[f.name for f in NEEDED])
def test_needed_flow_passes(renders: dict[str, Rendered], profile: str, flow: Flow) -> None:
    """A needed flow passes; where the values turn its feature off, it is closed instead."""
    rendered = renders[profile]
    source, destination, port = flow.source(rendered), flow.destination(rendered), flow.port(rendered)
    allowed = policies(rendered).connection_allowed(source, destination, port, flow.protocol)
    where = f"{flow.name}: {source.name} -> {destination.name}:{port}/{flow.protocol}"
    if flow.applies(rendered):
        assert allowed, f"{where} is blocked ({flow.why})"
    else:
        assert not allowed, f"{where} is open although the {profile} values turn it off"


@pytest.mark.parametrize("profile", list(PROFILES))
@pytest.mark.parametrize("flow", CLOSED, ids=[f.name for f in CLOSED])
def test_other_flow_stays_closed(renders: dict[str, Rendered], profile: str, flow: Flow) -> None:
    rendered = renders[profile]
    source, destination, port = flow.source(rendered), flow.destination(rendered), flow.port(rendered)
    assert not policies(rendered).connection_allowed(source, destination, port, flow.protocol), (
        f"{flow.name}: {source.name} -> {destination.name}:{port}/{flow.protocol} is open"
    )


#: With the ServiceMonitor rendered (templates/monitoring.yaml: its endpoint is port metrics of every Ray pod).
SCRAPES = [Flow(f"Prometheus scrapes the {c}", prometheus, pod(c), metrics_port) for c in RAY_PODS]
NOT_SCRAPES: list[Flow] = [
    Flow("Prometheus to the dashboard", prometheus, pod("ray-head"), fixed(8265)),
    Flow("Prometheus to the Serve proxy", prometheus, pod("ray-head"), serve_port),
    Flow("Prometheus to a worker's Ray ports", prometheus, pod("ray-worker"), fixed(6379)),
    Flow("Prometheus to MLflow", prometheus, pod("mlflow"), mlflow_port),
    Flow("another pod of the monitoring namespace to the metrics port",
         other_pod(lambda r: _np(r)["prometheus"]["namespace"], {"app.kubernetes.io/name": "grafana"}),
         pod("ray-head"), metrics_port),
    Flow("a Prometheus of another namespace to the metrics port",
         other_pod(lambda r: "elsewhere", {"app.kubernetes.io/name": "prometheus"}), pod("ray-worker"), metrics_port),
]  # fmt: skip


@pytest.mark.parametrize("flow", SCRAPES + NOT_SCRAPES, ids=[f.name for f in SCRAPES + NOT_SCRAPES])
def test_prometheus_scrapes_the_ray_pods_metrics_port_only_when_the_servicemonitor_is_rendered(flow: Flow) -> None:
    from tests.helm.test_monitoring import with_monitoring

    rendered = with_monitoring()
    source, destination, port = flow.source(rendered), flow.destination(rendered), flow.port(rendered)
    assert policies(rendered).connection_allowed(source, destination, port) is (flow in SCRAPES), flow.name


def test_every_needed_flow_names_its_reason() -> None:
    assert all(flow.why for flow in NEEDED)


def test_without_policies_everything_passes_and_the_evaluator_sees_it(renders: dict[str, Rendered]) -> None:
    """The closed flows are closed by the chart's policies, not by the evaluator: none, all open."""
    rendered = renders["onprem"]
    nothing = Policies(NAMESPACE, [])
    for flow in CLOSED:
        assert nothing.connection_allowed(flow.source(rendered), flow.destination(rendered), flow.port(rendered))


# --- the evaluator itself, on the API reference's own cases -------------------------------------------


def test_pod_and_namespace_selectors_in_one_peer_are_anded_in_two_peers_ored() -> None:
    both = {"namespaceSelector": {"matchLabels": {"kubernetes.io/metadata.name": "a"}},
            "podSelector": {"matchLabels": {"role": "client"}}}  # fmt: skip
    client_in_a = Endpoint("c", "a", {"role": "client"})
    other_in_a = Endpoint("o", "a", {"role": "other"})
    client_in_b = Endpoint("c", "b", {"role": "client"})
    assert peer_matches(both, "ns", client_in_a)
    assert not peer_matches(both, "ns", other_in_a) and not peer_matches(both, "ns", client_in_b)
    namespace_only = {"namespaceSelector": both["namespaceSelector"]}
    assert peer_matches(namespace_only, "ns", other_in_a)
    pod_only = {"podSelector": both["podSelector"]}
    assert peer_matches(pod_only, "b", client_in_b) and not peer_matches(pod_only, "ns", client_in_b)


def test_ip_blocks_match_addresses_minus_their_exceptions() -> None:
    block = {"ipBlock": {"cidr": "10.0.0.0/8", "except": ["10.1.0.0/16"]}}
    assert peer_matches(block, "ns", Endpoint("x", ip="10.2.3.4"))
    assert not peer_matches(block, "ns", Endpoint("x", ip="10.1.3.4"))
    assert not peer_matches(block, "ns", Endpoint("pod", "ns", {}))


def test_ports_default_to_tcp_and_to_every_port() -> None:
    assert port_matches({}, 1234, "UDP")
    assert port_matches({"ports": [{"port": 53}]}, 53, "TCP")
    assert not port_matches({"ports": [{"port": 53}]}, 53, "UDP")
    assert port_matches({"ports": [{"protocol": "TCP", "port": 8000, "endPort": 8010}]}, 8005, "TCP")


def test_isolation_needs_both_directions() -> None:
    a, b = Endpoint("a", "ns", {"app": "a"}), Endpoint("b", "ns", {"app": "b"})
    deny_all = {"spec": {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}}
    a_out = {"spec": {"podSelector": {"matchLabels": {"app": "a"}}, "policyTypes": ["Egress"],
                      "egress": [{"to": [{"podSelector": {"matchLabels": {"app": "b"}}}]}]}}  # fmt: skip
    b_in = {"spec": {"podSelector": {"matchLabels": {"app": "b"}}, "policyTypes": ["Ingress"],
                     "ingress": [{"from": [{"podSelector": {"matchLabels": {"app": "a"}}}]}]}}  # fmt: skip
    assert Policies("ns", []).connection_allowed(a, b, 80)
    assert not Policies("ns", [deny_all]).connection_allowed(a, b, 80)
    assert not Policies("ns", [deny_all, a_out]).connection_allowed(a, b, 80)
    assert Policies("ns", [deny_all, a_out, b_in]).connection_allowed(a, b, 80)
    assert not Policies("ns", [deny_all, a_out, b_in]).connection_allowed(b, a, 80)
