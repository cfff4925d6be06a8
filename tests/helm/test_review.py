"""The human-review app in the chart: its Deployment, Secrets, migration hook, route, and the Gateway's side.

The app (``mail2ticket review serve``) runs from the runtime image on port 8080 under /review of the
API's host; its database URL and tokens come from Secrets created beforehand; its schema is
migrated by a pre-install/pre-upgrade hook; the Gateway, in the Ray pods, gets the same database
URL and a durable outbox volume named in the serve config (``args.review``). The NetworkPolicy
flows are in test_network_flows.py, the schema's refusals in test_schema.py.
"""

from __future__ import annotations

from typing import Any

import kubernetes_validate
import pytest
import yaml

from serving.settings import check_serve_config
from tests.helm.chart import Rendered, pod_templates, render, selector_matches, strip, supported_kube_versions
from tests.helm.test_rayservice import errors_of, rayservice_validator

PORT = 8080
OUTBOX = "/var/lib/mail2ticket/review-outbox"
DATABASE_ENV = "MAIL2TICKET_REVIEW_DATABASE_URL"
HOOK = "helm.sh/hook"
COMPONENT = "app.kubernetes.io/component"


def deployment(rendered: Rendered) -> dict[str, Any]:
    return rendered.one("Deployment", "-review")


def container(rendered: Rendered) -> dict[str, Any]:
    (found,) = deployment(rendered)["spec"]["template"]["spec"]["containers"]
    return found


def env_of(container: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return {e["name"]: e for e in container.get("env", [])}


def secret_ref(entry: dict[str, Any]) -> dict[str, str]:
    assert "value" not in entry, f"{entry['name']} is a literal"
    return entry["valueFrom"]["secretKeyRef"]


def ray_containers(rendered: Rendered) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    """(where, pod spec, Ray container) of the head and of every worker group."""
    return [
        (pod.where, pod.spec, pod.spec["containers"][0])
        for pod in pod_templates(rendered)
        if pod.where.startswith("RayService/")
    ]


def serve_args(rendered: Rendered) -> dict[str, Any]:
    config = yaml.safe_load(rendered.one("RayService")["spec"]["serveConfigV2"])
    (app,) = config["applications"]
    return app["args"]


def annotations(obj: dict[str, Any]) -> dict[str, str]:
    return obj["metadata"].get("annotations") or {}


# --- the Deployment -------------------------------------------------------------------------------


def test_review_app_is_on_in_every_shipped_profile(rendered: Rendered) -> None:
    assert rendered.values["review"]["enabled"] is True
    assert deployment(rendered)["spec"]["replicas"] == rendered.values["review"]["replicas"]


def test_review_pod_runs_restricted(rendered: Rendered) -> None:
    spec = deployment(rendered)["spec"]["template"]["spec"]
    assert spec["securityContext"]["runAsNonRoot"] is True and spec["securityContext"]["runAsUser"] > 0
    assert spec["securityContext"]["seccompProfile"] == {"type": "RuntimeDefault"}
    assert spec["automountServiceAccountToken"] is False and spec["enableServiceLinks"] is False
    assert spec["serviceAccountName"] == "m2t-mail2ticket-review"
    context = container(rendered)["securityContext"]
    assert context["runAsNonRoot"] is True
    assert context["allowPrivilegeEscalation"] is False
    assert context["readOnlyRootFilesystem"] is True
    assert context["capabilities"] == {"drop": ["ALL"]}
    assert context["seccompProfile"] == {"type": "RuntimeDefault"}
    # The read-only root filesystem leaves a writable /tmp, an emptyDir.
    (mount,) = [m for m in container(rendered)["volumeMounts"] if m["mountPath"] == "/tmp"]
    (volume,) = [v for v in spec["volumes"] if v["name"] == mount["name"]]
    assert "emptyDir" in volume
    resources = container(rendered)["resources"]
    for section in ("requests", "limits"):
        assert {"cpu", "memory"} <= set(resources[section]), section


def test_review_app_runs_the_runtime_image_with_the_contracts_command(rendered: Rendered) -> None:
    app = container(rendered)
    head = rendered.one("RayService")["spec"]["rayClusterConfig"]["headGroupSpec"]["template"]["spec"]
    assert app["image"] == head["containers"][0]["image"]  # the runtime image, as the Ray head's
    assert app["command"] == [
        "mail2ticket", "review", "serve", "--host", "0.0.0.0", "--port", str(PORT), "--root-path", "/review"
    ]  # fmt: skip
    assert app["ports"] == [{"name": "http", "containerPort": PORT, "protocol": "TCP"}]
    # Liveness never needs the database (an outage must not restart the pods); readiness does.
    assert app["livenessProbe"]["httpGet"] == {"path": "/healthz", "port": "http"}
    assert app["readinessProbe"]["httpGet"] == {"path": "/readyz", "port": "http"}


def test_several_review_replicas_spread_over_nodes(renders: dict[str, Rendered]) -> None:
    rendered = renders["secnumcloud"]
    assert rendered.values["review"]["replicas"] == 2
    spec = deployment(rendered)["spec"]
    (spread,) = spec["template"]["spec"]["topologySpreadConstraints"]
    assert spread["labelSelector"]["matchLabels"] == spec["selector"]["matchLabels"]
    assert spec["strategy"]["rollingUpdate"]["maxUnavailable"] == 0


def test_review_secrets_are_referenced_never_written(rendered: Rendered) -> None:
    review = rendered.values["review"]
    env = env_of(container(rendered))
    assert secret_ref(env[DATABASE_ENV]) == {
        "name": review["database"]["existingSecret"], "key": review["database"]["urlKey"]
    }  # fmt: skip
    assert review["database"]["urlKey"] == "url"
    for name in ("MAIL2TICKET_REVIEWER_TOKENS", "MAIL2TICKET_ADMIN_TOKENS"):
        assert secret_ref(env[name]) == {"name": review["tokens"]["existingSecret"], "key": name}
    assert env["MAIL2TICKET_REVIEW_RETENTION_DAYS"]["value"] == str(review["retentionDays"]) == "90"
    # Off by default: without a proxy that sets (and strips) them, a client could forge the header.
    assert "MAIL2TICKET_REVIEW_USER_HEADER" not in env and "MAIL2TICKET_REVIEW_ROLE_HEADER" not in env
    # No literal value anywhere looks like a URL with credentials or a token.
    for entry in env.values():
        value = str(entry.get("value", ""))
        assert "://" not in value and "@" not in value, entry
    assert "envFrom" not in container(rendered)
    assert "Secret" not in {o["kind"] for o in rendered.objects}


def test_proxy_headers_reach_the_app_when_set() -> None:
    rendered = render({"review": {"auth": {"userHeader": "X-Forwarded-User", "roleHeader": "X-Forwarded-Groups"}}})
    env = env_of(container(rendered))
    assert env["MAIL2TICKET_REVIEW_USER_HEADER"]["value"] == "X-Forwarded-User"
    assert env["MAIL2TICKET_REVIEW_ROLE_HEADER"]["value"] == "X-Forwarded-Groups"


# --- migration hook --------------------------------------------------------------------------------


def test_review_migration_is_a_pre_install_and_pre_upgrade_hook(rendered: Rendered) -> None:
    job = rendered.one("Job", "-review-migrate")
    notes = annotations(job)
    assert notes[HOOK] == "pre-install,pre-upgrade"
    assert notes["helm.sh/hook-delete-policy"] == "before-hook-creation,hook-succeeded"
    (migrate,) = job["spec"]["template"]["spec"]["containers"]
    assert migrate["command"] == ["mail2ticket", "review", "migrate"]
    assert migrate["image"] == container(rendered)["image"]
    env = env_of(migrate)
    assert secret_ref(env[DATABASE_ENV]) == secret_ref(env_of(container(rendered))[DATABASE_ENV])
    assert migrate["securityContext"]["readOnlyRootFilesystem"] is True
    weight = int(notes["helm.sh/hook-weight"])
    # After MLflow's migration (independent schemas: one failing stops the release either way).
    assert weight > int(annotations(rendered.one("Job", "-mlflow-migrate"))["helm.sh/hook-weight"])
    # Its ServiceAccount and NetworkPolicy exist before it (hooks of lower weight).
    for kind in ("ServiceAccount", "NetworkPolicy"):
        prerequisite = rendered.one(kind, "-review-migrate")
        assert annotations(prerequisite)[HOOK] == "pre-install,pre-upgrade"
        assert int(annotations(prerequisite)["helm.sh/hook-weight"]) < weight
    assert job["spec"]["template"]["spec"]["serviceAccountName"] == "m2t-mail2ticket-review-migrate"


# --- Service and Ingress ---------------------------------------------------------------------------


def test_review_service_selects_the_review_pods(rendered: Rendered) -> None:
    service = rendered.one("Service", "-review")
    assert service["metadata"]["name"] == "m2t-mail2ticket-review"
    assert service["spec"]["ports"] == [{"name": "http", "port": PORT, "targetPort": "http", "protocol": "TCP"}]
    labels = deployment(rendered)["spec"]["template"]["metadata"]["labels"]
    assert selector_matches({"matchLabels": service["spec"]["selector"]}, labels)
    others = [p for p in pod_templates(rendered) if p.labels.get(COMPONENT) != "review"]
    assert not any(selector_matches({"matchLabels": service["spec"]["selector"]}, p.labels) for p in others)


def test_ingress_routes_review_to_the_review_service(rendered: Rendered) -> None:
    if not rendered.values["ingress"]["enabled"]:
        assert rendered.of_kind("Ingress") == []
        return
    ingress = rendered.one("Ingress")["spec"]
    host = rendered.values["ingress"]["host"]
    (rule,) = [r for r in ingress["rules"] if r["host"] == host]
    paths = {p["path"]: p for p in rule["http"]["paths"]}
    assert paths["/review"]["pathType"] == "Prefix"
    assert paths["/review"]["backend"] == {"service": {"name": "m2t-mail2ticket-review", "port": {"number": PORT}}}
    # The API keeps the rest of the host; the path is passed unchanged (the app serves under --root-path).
    assert paths["/"]["backend"]["service"]["name"] == "m2t-mail2ticket-agents-head-svc"
    command = container(rendered)["command"]
    assert command[command.index("--root-path") + 1] == "/review"
    assert not any("rewrite-target" in key for key in annotations(rendered.one("Ingress")))
    (tls,) = ingress["tls"]
    assert host in tls["hosts"]


def test_review_pods_have_a_disruption_budget(rendered: Rendered) -> None:
    pdb = rendered.one("PodDisruptionBudget", "-review")
    labels = deployment(rendered)["spec"]["template"]["metadata"]["labels"]
    assert selector_matches(pdb["spec"]["selector"], labels)


def test_notes_tell_where_reviewers_go(renders: dict[str, Rendered]) -> None:
    assert "https://mail2ticket.dc1.internal/review/" in renders["onprem"].notes
    assert "port-forward svc/m2t-mail2ticket-review 8080" in renders["default"].notes


# --- the Gateway's side: database and outbox in the Ray pods ----------------------------------------


def test_ray_pods_get_the_review_database_and_the_outbox(rendered: Rendered) -> None:
    """The Gateway writes the review items; Ray Serve may place it on the head or on a worker
    (the workers offer CPUs: no num-cpus 0 in their rayStartParams), so every Ray pod gets both."""
    review = rendered.values["review"]
    pods = ray_containers(rendered)
    assert len(pods) == 2
    for where, spec, ray in pods:
        assert secret_ref(env_of(ray)[DATABASE_ENV]) == {
            "name": review["database"]["existingSecret"], "key": review["database"]["urlKey"]
        }, where  # fmt: skip
        (mount,) = [m for m in ray["volumeMounts"] if m["mountPath"] == OUTBOX]
        assert not mount.get("readOnly"), where
        (volume,) = [v for v in spec["volumes"] if v["name"] == mount["name"]]
        assert volume["emptyDir"] == {"sizeLimit": review["outbox"]["sizeLimit"]}, where
    assert rendered.of_kind("PersistentVolumeClaim") == []


def test_serve_config_names_the_outbox_the_ray_pods_mount(rendered: Rendered) -> None:
    assert serve_args(rendered)["review"] == {"enabled": True, "outbox": OUTBOX}
    yaml_config = yaml.safe_load(rendered.one("RayService")["spec"]["serveConfigV2"])
    (settings,) = check_serve_config(yaml_config)
    assert settings.review.enabled is True and settings.review.outbox == OUTBOX
    assert settings.review.database_url_env == DATABASE_ENV


def test_the_chart_decides_the_review_args() -> None:
    """review.enabled and the mounted path win over a serving.args.review written in the values."""
    rendered = render({"serving": {"args": {"review": {"enabled": True, "outbox": "/elsewhere"}}}})
    assert serve_args(rendered)["review"] == {"enabled": True, "outbox": OUTBOX}


def test_outbox_persistence_is_one_shared_claim_kept_on_uninstall() -> None:
    rendered = render(
        {"review": {"outbox": {"persistence": {"enabled": True, "storageClassName": "cephfs", "size": "5Gi"}}}}
    )
    claim = rendered.one("PersistentVolumeClaim", "-review-outbox")
    assert claim["spec"] == {
        "accessModes": ["ReadWriteMany"], "storageClassName": "cephfs", "resources": {"requests": {"storage": "5Gi"}}
    }  # fmt: skip
    assert annotations(claim)["helm.sh/resource-policy"] == "keep"
    assert annotations(claim).get(HOOK) is None
    for where, spec, ray in ray_containers(rendered):
        (mount,) = [m for m in ray["volumeMounts"] if m["mountPath"] == OUTBOX]
        (volume,) = [v for v in spec["volumes"] if v["name"] == mount["name"]]
        assert volume["persistentVolumeClaim"] == {"claimName": claim["metadata"]["name"]}, where
    versions = supported_kube_versions()
    for version in (versions[0], versions[-1]):
        kubernetes_validate.validate(strip(claim), version, strict=True)
    assert errors_of(rayservice_validator(), strip(rendered.one("RayService"))) == []


# --- off --------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def review_off() -> Rendered:
    return render({"review": {"enabled": False}, "ingress": {"enabled": True, "host": "m2t.internal",
                                                             "tls": {"secretName": "tls"}}})  # fmt: skip


def test_review_off_renders_none_of_it(review_off: Rendered) -> None:
    components = {o["metadata"].get("labels", {}).get(COMPONENT) for o in review_off.objects}
    assert not components & {"review", "review-migrate", "review-outbox"}
    assert not [o for o in review_off.objects if "review" in o["metadata"]["name"]]
    (rule,) = review_off.one("Ingress")["spec"]["rules"]
    assert [p["path"] for p in rule["http"]["paths"]] == ["/"]
    urls = review_off.one("Pod", "-test-healthz")["spec"]["containers"][0]["command"][3:]
    assert not any("review" in url for url in urls)


def test_review_off_tells_the_gateway_and_closes_its_database(review_off: Rendered) -> None:
    assert serve_args(review_off)["review"] == {"enabled": False}
    for where, spec, ray in ray_containers(review_off):
        assert DATABASE_ENV not in env_of(ray), where
        assert OUTBOX not in {m["mountPath"] for m in ray["volumeMounts"]}, where
        assert "review-outbox" not in {v["name"] for v in spec["volumes"]}, where
    ray_policy = review_off.one("NetworkPolicy", "-ray")["spec"]
    postgres = review_off.values["networkPolicy"]["postgres"]
    blocks = [p["ipBlock"]["cidr"] for rule in ray_policy["egress"] for p in rule["to"] if "ipBlock" in p]
    assert not set(postgres["cidrs"]) & set(blocks)
    (settings,) = check_serve_config(yaml.safe_load(review_off.one("RayService")["spec"]["serveConfigV2"]))
    assert settings.review.enabled is False
