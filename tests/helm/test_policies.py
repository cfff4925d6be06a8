"""The chart's security and operations rules, checked on what the chart renders for every values file.

Each rule is one test, so a failure names the rule broken: restricted pod security, requests and
limits, private images without `latest`, no host access, NetworkPolicies covering every pod with
default deny and no internet egress, minimal RBAC, PDBs, TLS ingress, MLflow settings, hooks.
"""

from __future__ import annotations

import ipaddress
import re
from pathlib import Path

import pytest
import yaml

from tests.helm.chart import CHART, PROFILES, Rendered, pod_templates, render, selector_matches

HOOK = "helm.sh/hook"


def hook(obj: dict) -> str:
    return obj["metadata"].get("annotations", {}).get(HOOK, "")


# --- restricted pod security ----------------------------------------------------------------------


def test_every_pod_runs_as_non_root_with_seccomp(rendered: Rendered) -> None:
    pods = pod_templates(rendered)
    assert len(pods) >= 6
    for pod in pods:
        context = pod.spec["securityContext"]
        assert context["runAsNonRoot"] is True, pod.where
        assert context["runAsUser"] > 0, pod.where
        assert context["seccompProfile"] == {"type": "RuntimeDefault"}, pod.where


def test_every_container_is_restricted(rendered: Rendered) -> None:
    containers = [c for pod in pod_templates(rendered) for c in pod.containers()]
    spec = rendered.one("RayService")["spec"]["rayClusterConfig"]
    if spec["enableInTreeAutoscaling"]:  # KubeRay injects the autoscaler sidecar with these settings
        containers.append(("RayService/autoscaler", spec["autoscalerOptions"]))
    for where, container in containers:
        context = container["securityContext"]
        assert context["runAsNonRoot"] is True, where
        assert context["allowPrivilegeEscalation"] is False, where
        assert context["readOnlyRootFilesystem"] is True, where
        assert context.get("privileged", False) is False, where
        assert context["capabilities"] == {"drop": ["ALL"]}, where
        assert context["seccompProfile"] == {"type": "RuntimeDefault"}, where


def test_read_only_root_filesystem_leaves_a_writable_tmp(rendered: Rendered) -> None:
    for pod in pod_templates(rendered):
        if pod.where.startswith("Pod/"):
            continue  # the test pod only makes HTTP calls
        for where, container in pod.containers():
            mounts = {m["mountPath"] for m in container.get("volumeMounts", [])}
            assert "/tmp" in mounts, where


def test_no_host_access(rendered: Rendered) -> None:
    for pod in pod_templates(rendered):
        for flag in ("hostNetwork", "hostPID", "hostIPC"):
            assert not pod.spec.get(flag), (pod.where, flag)
        for volume in pod.spec.get("volumes", []):
            assert "hostPath" not in volume, (pod.where, volume["name"])
            allowed = {"name", "emptyDir", "secret", "configMap", "ephemeral", "persistentVolumeClaim", "projected"}
            assert set(volume) <= allowed, (pod.where, volume)
        for where, container in pod.containers():
            for port in container.get("ports", []):
                assert "hostPort" not in port, where


# --- resources ---------------------------------------------------------------------------------------


def test_every_container_has_requests_and_limits(rendered: Rendered) -> None:
    containers = [c for pod in pod_templates(rendered) for c in pod.containers()]
    spec = rendered.one("RayService")["spec"]["rayClusterConfig"]
    if spec["enableInTreeAutoscaling"]:
        containers.append(("RayService/autoscaler", spec["autoscalerOptions"]))
    assert len(containers) >= 6
    for where, container in containers:
        resources = container["resources"]
        for section in ("requests", "limits"):
            assert {"cpu", "memory"} <= set(resources[section]), (where, section)


# --- images --------------------------------------------------------------------------------------------


def test_every_image_comes_from_the_private_registry_without_latest(rendered: Rendered) -> None:
    registry = rendered.values["global"]["imageRegistry"]
    pull_secrets = [{"name": s} for s in rendered.values["global"]["imagePullSecrets"]]
    assert pull_secrets
    for pod in pod_templates(rendered):
        assert pod.spec["imagePullSecrets"] == pull_secrets, pod.where
        for where, container in pod.containers():
            image = container["image"]
            assert image.startswith(registry + "/"), (where, image)
            name, _, tag = image.rpartition("@")[0].rpartition(":") if "@" in image else image.rpartition(":")
            assert name and tag and tag != "latest", (where, image)
            assert container["imagePullPolicy"] == rendered.values["global"]["imagePullPolicy"], where


def test_containers_kuberay_injects_take_the_release_images(rendered: Rendered) -> None:
    """KubeRay 1.5.1 (common/pod.go) gives the autoscaler sidecar the head's Ray image unless
    ``autoscalerOptions.image`` names another, and the wait-for-GCS init container the worker's:
    neither may name a public image."""
    cluster = rendered.one("RayService")["spec"]["rayClusterConfig"]
    registry = rendered.values["global"]["imageRegistry"]
    assert cluster.get("autoscalerOptions", {}).get("image", registry + "/").startswith(registry + "/")
    head = cluster["headGroupSpec"]["template"]["spec"]["containers"][0]
    assert head["image"].startswith(f"{registry}/{rendered.values['images']['runtime']['repository']}:")
    for group in cluster["workerGroupSpecs"]:
        worker = group["template"]["spec"]["containers"][0]
        assert worker["image"].startswith(f"{registry}/{rendered.values['images']['engine']['repository']}:")


def test_latest_tag_is_refused_with_a_clear_message() -> None:
    import helm_python as helm

    with pytest.raises(helm.HelmRenderError, match=r'images\.engine\.tag: "latest" is not allowed'):
        render({"images": {"engine": {"tag": "latest"}}})


def test_public_registry_is_refused_with_a_clear_message() -> None:
    import helm_python as helm

    with pytest.raises(helm.HelmRenderError, match=r'global\.imageRegistry: "docker\.io/library" is a public registry'):
        render({"global": {"imageRegistry": "docker.io/library"}})


def test_digest_pins_the_image() -> None:
    digest = "sha256:" + "ab" * 32
    rendered = render({"images": {"runtime": {"digest": digest}}})
    mlflow = rendered.one("Deployment", "-mlflow")["spec"]["template"]["spec"]["containers"][0]
    assert mlflow["image"] == f"registry.mail2ticket.internal/mail2ticket/runtime:0.1.0@{digest}"


# --- network policies -------------------------------------------------------------------------------


def policies(rendered: Rendered) -> list[dict]:
    return rendered.of_kind("NetworkPolicy")


def test_default_deny_covers_the_namespace(rendered: Rendered) -> None:
    deny = rendered.one("NetworkPolicy", "-default-deny")["spec"]
    assert deny == {"podSelector": {}, "policyTypes": ["Ingress", "Egress"]}


def test_every_pod_is_selected_by_its_own_ingress_and_egress_policy(rendered: Rendered) -> None:
    own = [p for p in policies(rendered) if p["spec"]["podSelector"]]
    for pod in pod_templates(rendered):
        matching = [p for p in own if selector_matches(p["spec"]["podSelector"], pod.labels)]
        types = {t for p in matching for t in p["spec"]["policyTypes"]}
        assert {"Ingress", "Egress"} <= types, (pod.where, [p["metadata"]["name"] for p in matching])


def test_egress_always_names_its_destinations(rendered: Rendered) -> None:
    for policy in policies(rendered):
        for rule in policy["spec"].get("egress", []):
            assert rule.get("to"), (policy["metadata"]["name"], "an egress rule without `to` allows everything")
            for peer in rule["to"]:
                assert peer, (policy["metadata"]["name"], "an empty peer matches everything")
            if not _only_release_pods(rule):
                assert rule.get("ports"), (policy["metadata"]["name"], "egress outside the Ray pods names its ports")


def _only_release_pods(rule: dict) -> bool:
    """Ray's own traffic uses many ports: allowed on all ports, but only between the release's Ray pods."""
    return all(set(peer) == {"podSelector"} and peer["podSelector"].get("matchExpressions") for peer in rule["to"])


def test_no_egress_to_the_internet(rendered: Rendered) -> None:
    for policy in policies(rendered):
        for rule in policy["spec"].get("egress", []):
            for peer in rule["to"]:
                if "ipBlock" in peer:
                    network = ipaddress.ip_network(peer["ipBlock"]["cidr"])
                    assert network.is_private and network.prefixlen >= 8, (policy["metadata"]["name"], network)


def test_secnumcloud_sends_nothing_outside_the_cluster(renders: dict[str, Rendered]) -> None:
    """The only address blocks are the node's own NodeLocal DNSCache (link-local), for DNS only."""
    rendered = renders["secnumcloud"]
    for policy in policies(rendered):
        for rule in policy["spec"].get("egress", []):
            blocks = [ipaddress.ip_network(peer["ipBlock"]["cidr"]) for peer in rule["to"] if "ipBlock" in peer]
            assert all(block.is_link_local for block in blocks), (policy["metadata"]["name"], blocks)
            if blocks:
                assert {p["port"] for p in rule["ports"]} == {53}, policy["metadata"]["name"]


def test_a_world_cidr_is_rejected() -> None:
    import helm_python as helm

    with pytest.raises(helm.HelmValuesError, match=r"at '/networkPolicy/s3/cidrs/0'.*'0\.0\.0\.0/0' does not match"):
        render({"networkPolicy": {"s3": {"cidrs": ["0.0.0.0/0"]}}})


def test_mlflow_accepts_only_the_agents_pipelines_tests_and_ingress(renders: dict[str, Rendered]) -> None:
    rendered = renders["onprem"]
    (rule,) = rendered.one("NetworkPolicy", "-mlflow")["spec"]["ingress"]
    namespaces = {
        p["namespaceSelector"]["matchLabels"]["kubernetes.io/metadata.name"]
        for p in rule["from"]
        if "namespaceSelector" in p
    }
    assert namespaces == {"kubeflow", "ingress-nginx"}
    assert rule["ports"] == [{"protocol": "TCP", "port": 5000}]


# --- service accounts and RBAC --------------------------------------------------------------------


def test_pods_use_their_own_service_account_and_only_the_ray_head_gets_a_token(rendered: Rendered) -> None:
    accounts = {sa["metadata"]["name"]: sa for sa in rendered.of_kind("ServiceAccount")}
    autoscaling = rendered.values["serving"]["autoscaling"]["enabled"]
    for pod in pod_templates(rendered):
        name = pod.spec["serviceAccountName"]
        assert name in accounts and name != "default", pod.where
        token = pod.spec["automountServiceAccountToken"]
        assert token is (autoscaling and pod.where.endswith("/head")), pod.where
        assert accounts[name]["automountServiceAccountToken"] is token, name


def test_rbac_is_minimal(rendered: Rendered) -> None:
    kinds = {o["kind"] for o in rendered.objects}
    assert not kinds & {"ClusterRole", "ClusterRoleBinding"}
    roles = rendered.of_kind("Role")
    if not rendered.values["serving"]["autoscaling"]["enabled"]:
        assert roles == [] and rendered.of_kind("RoleBinding") == []
        return
    (role,) = roles
    rules = {(tuple(r["apiGroups"]), tuple(r["resources"])): set(r["verbs"]) for r in role["rules"]}
    assert rules == {(("",), ("pods",)): {"get", "list", "watch"}, (("ray.io",), ("rayclusters",)): {"get", "patch"}}
    (binding,) = rendered.of_kind("RoleBinding")
    assert binding["subjects"] == [
        {"kind": "ServiceAccount", "name": "m2t-mail2ticket-ray-head", "namespace": "mail2ticket"}
    ]


# --- availability ---------------------------------------------------------------------------------


def test_every_long_running_workload_has_a_pdb_selecting_it(rendered: Rendered) -> None:
    pdbs = rendered.of_kind("PodDisruptionBudget")
    long_running = [p for p in pod_templates(rendered) if p.where.startswith(("Deployment/", "RayService/"))]
    # MLflow, the Ray head and workers, and the review app when it is on.
    assert len(long_running) == 3 + bool(rendered.values["review"]["enabled"])
    for pod in long_running:
        assert any(selector_matches(p["spec"]["selector"], pod.labels) for p in pdbs), pod.where
    for pdb in pdbs:
        assert len({"minAvailable", "maxUnavailable"} & set(pdb["spec"])) == 1
        # An unready pod (a GPU worker whose engine failed) must not block node drains.
        assert pdb["spec"]["unhealthyPodEvictionPolicy"] == "AlwaysAllow", pdb["metadata"]["name"]


def test_mlflow_rolls_out_without_losing_capacity(rendered: Rendered) -> None:
    strategy = rendered.one("Deployment", "-mlflow")["spec"]["strategy"]
    assert strategy["rollingUpdate"]["maxUnavailable"] == 0


# --- ingress ----------------------------------------------------------------------------------------


def test_ingress_is_tls_only(renders: dict[str, Rendered]) -> None:
    for profile in ("onprem", "secnumcloud"):
        ingress = renders[profile].one("Ingress")["spec"]
        hosts = {rule["host"] for rule in ingress["rules"]}
        (tls,) = ingress["tls"]
        assert tls["secretName"] == "mail2ticket-tls" and set(tls["hosts"]) == hosts
        backends = {r["http"]["paths"][0]["backend"]["service"]["name"] for r in ingress["rules"]}
        assert backends == {"m2t-mail2ticket-agents-head-svc", "m2t-mail2ticket-mlflow"}


def test_the_api_goes_to_the_head_only_where_the_proxy_runs(rendered: Rendered) -> None:
    """With proxy_location HeadOnly only the head listens on the Serve port; KubeRay 1.5.1
    (common/pod.go BuildPod) labels every RayService worker ``ray.io/serve=true`` anyway, so
    ``<rayservice>-serve-svc`` would list the workers: the API goes through the head Service
    (common/service.go BuildHeadServiceForRayService: the head container's ports, ``serve`` among them)."""
    service = rendered.one("RayService")
    serve_config = yaml.safe_load(service["spec"]["serveConfigV2"])
    assert serve_config["proxy_location"] == "HeadOnly"
    head = service["spec"]["rayClusterConfig"]["headGroupSpec"]["template"]["spec"]["containers"][0]
    port = rendered.values["serving"]["httpOptions"]["port"]
    assert {"name": "serve", "containerPort": port} in head["ports"]
    head_service = f"{service['metadata']['name']}-head-svc"
    urls = rendered.one("Pod", "-test-healthz")["spec"]["containers"][0]["command"][3:]
    assert urls[0].startswith(f"http://{head_service}.")
    for ingress in rendered.of_kind("Ingress"):
        backends = [r["http"]["paths"][0]["backend"]["service"] for r in ingress["spec"]["rules"]]
        assert {"name": head_service, "port": {"number": port}} in backends


# --- MLflow -------------------------------------------------------------------------------------------


def test_mlflow_server_settings(rendered: Rendered) -> None:
    pod = rendered.one("Deployment", "-mlflow")["spec"]["template"]["spec"]
    (server,) = pod["containers"]
    args = server["args"]
    allowed = next(a for a in args if a.startswith("--allowed-hosts=")).split("=", 1)[1].split(",")
    assert "*" not in allowed
    # Every name a client in the cluster may use for the Service, with and without the port.
    service = "m2t-mail2ticket-mlflow"
    for name in (service, f"{service}.mail2ticket", f"{service}.mail2ticket.svc",
                 f"{service}.mail2ticket.svc.cluster.local", "localhost"):  # fmt: skip
        assert name in allowed and f"{name}:5000" in allowed, name
    assert "--artifacts-destination=s3://mail2ticket/mlflow" in args and "--serve-artifacts" in args
    env = {e["name"]: e for e in server["env"]}
    assert env["MLFLOW_DISABLE_TELEMETRY"]["value"] == "true"
    assert env["MLFLOW_BACKEND_STORE_URI"]["valueFrom"]["secretKeyRef"] == {
        "name": "mail2ticket-mlflow-db", "key": "MLFLOW_BACKEND_STORE_URI"
    }  # fmt: skip
    assert {"secretRef": {"name": "mail2ticket-s3"}} in server["envFrom"]
    assert server["readinessProbe"]["httpGet"]["path"] == "/health"
    auth = rendered.values["mlflow"]["auth"]["enabled"]
    assert ("--app-name=basic-auth" in args) is auth
    if auth:
        assert env["MLFLOW_AUTH_CONFIG_PATH"]["value"] == "/etc/mlflow/auth/basic_auth.ini"
        assert any(v.get("secret", {}).get("secretName") == "mail2ticket-mlflow-auth" for v in pod["volumes"])


def test_mlflow_ingress_host_is_allowed(renders: dict[str, Rendered]) -> None:
    server = renders["onprem"].one("Deployment", "-mlflow")["spec"]["template"]["spec"]["containers"][0]
    allowed = next(a for a in server["args"] if a.startswith("--allowed-hosts=")).split("=", 1)[1].split(",")
    assert "mlflow.dc1.internal" in allowed


def test_database_migration_is_a_pre_install_and_pre_upgrade_hook(rendered: Rendered) -> None:
    job = rendered.one("Job", "-mlflow-migrate")
    assert hook(job) == "pre-install,pre-upgrade"
    (container,) = job["spec"]["template"]["spec"]["containers"]
    assert container["command"] == ["mlflow", "db", "upgrade", "$(MLFLOW_BACKEND_STORE_URI)"]
    # Its ServiceAccount and NetworkPolicy exist before it (hooks of lower weight).
    weight = int(job["metadata"]["annotations"]["helm.sh/hook-weight"])
    for kind in ("ServiceAccount", "NetworkPolicy"):
        prerequisite = rendered.one(kind, "-mlflow-migrate")
        assert hook(prerequisite) == "pre-install,pre-upgrade"
        assert int(prerequisite["metadata"]["annotations"]["helm.sh/hook-weight"]) < weight


# --- KFP upload and helm test ------------------------------------------------------------------------


def test_pipeline_upload_job(rendered: Rendered) -> None:
    """One container per compiled pipeline: the training, the forecasting and the drift pipelines."""
    job = rendered.one("Job", "-kfp-upload")
    assert hook(job) == "post-install,post-upgrade"
    containers = {c["name"]: c for c in job["spec"]["template"]["spec"]["containers"]}
    upload = rendered.values["kfp"]["upload"]
    expected = {
        "upload": ("ticket_classifier.yaml", upload["pipelineName"]),
        "upload-forecast": ("forecast.yaml", upload["forecastPipelineName"]),
        "upload-drift": ("drift.yaml", upload["driftPipelineName"]),
    }
    assert set(containers) == set(expected)
    configmap = rendered.one("ConfigMap", "-pipeline")
    for name, (package, pipeline) in expected.items():
        container = containers[name]
        assert container["command"] == ["python", "-m", "infra.kfp_upload"]
        args = dict(a.split("=", 1) for a in container["args"] if "=" in a)
        assert args["--host"] == upload["host"]
        assert args["--package"] == f"/etc/mail2ticket/pipeline/{package}" and args["--name"] == pipeline
        assert args["--description"].startswith("mail2ticket: ")
        # The Job names the version <chart version>-<hash of the package patched with these images>.
        assert args["--chart-version"] == "0.1.0" and "--version" not in args
        assert args["--runtime-image"] == container["image"]  # the steps' CPU image is the Job's own
        assert args["--gpu-image"].endswith("/mail2ticket/engine-gpu:0.1.0")
        assert ("--mlflow-auth" in container["args"]) == bool(rendered.values["mlflow"]["auth"]["enabled"])
        shipped = (CHART / "files" / package).read_text(encoding="utf-8")
        assert configmap["data"][package].strip() == shipped.strip()


def test_helm_test_calls_healthz(rendered: Rendered) -> None:
    pod = rendered.one("Pod", "-test-healthz")
    assert hook(pod) == "test"
    urls = pod["spec"]["containers"][0]["command"][3:]
    assert urls[0] == "http://m2t-mail2ticket-agents-head-svc.mail2ticket.svc:8000/healthz"
    assert urls[1] == "http://m2t-mail2ticket-mlflow.mail2ticket.svc:5000/health"
    # /readyz: the review app answers 200 only once its database does.
    assert urls[2:] == ["http://m2t-mail2ticket-review.mail2ticket.svc:8080/readyz"]


# --- values files --------------------------------------------------------------------------------------

SECRET_LIKE = re.compile(
    r"(password|passwd|secret_?key|access_?key|token|api_?key)\s*[:=]\s*['\"]?[^\s'\"#]{6,}|"
    r"-----BEGIN|AKIA[0-9A-Z]{16}|postgres(ql)?://[^\s:]+:[^\s@]+@",
    re.IGNORECASE,
)


@pytest.mark.parametrize("path", [CHART / "values.yaml", *[p for p in PROFILES.values() if p]], ids=lambda p: p.name)
def test_no_secret_material_in_values_files(path: Path) -> None:
    text = path.read_text(encoding="utf-8")
    assert not SECRET_LIKE.search(text), SECRET_LIKE.search(text)


def test_the_secret_detector_detects() -> None:
    assert SECRET_LIKE.search("password: hunter2hunter2")
    assert SECRET_LIKE.search("uri: postgresql://mlflow:s3cr3t@db:5432/mlflow")
    assert not SECRET_LIKE.search("existingSecret: mail2ticket-s3")
