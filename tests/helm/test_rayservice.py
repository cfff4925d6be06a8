"""The RayService is what KubeRay 1.5.1 accepts, and serves what serving/config.yaml says.

kubernetes-validate knows no custom resources, so the RayService is checked here against
KubeRay's own CRD, vendored at the pinned version (third_party/kuberay-<KUBERAY_VERSION>/): its
``v1`` ``openAPIV3Schema`` turned into a strict JSON Schema (an unknown field is an error, as the
API server would prune it and ``kubectl --validate=strict`` refuses it). The pod templates are
checked again against the Kubernetes ``PodTemplateSpec`` schemas of the oldest and newest
Kubernetes the chart supports, and the ``serveConfigV2`` against Ray Serve's own schema, unknown
keys refused (serving/settings.py: check_serve_config).
"""

from __future__ import annotations

import copy
import functools
import json
import re
from collections.abc import Callable
from typing import Any

import jsonschema
import kubernetes_validate.utils as kv_utils
import pytest
import yaml
from referencing import Registry, Resource

from serving.settings import AppSettings, ServeConfigError, check_serve_config, merge_args
from tests.helm.chart import CHART, REPO_ROOT, Rendered, render, strip, supported_kube_versions

SERVE_FILE = CHART / "files" / "serve-config.yaml"
KUBE_VERSIONS = (supported_kube_versions()[0], supported_kube_versions()[-1])
VERSIONS_ENV = REPO_ROOT / "infra" / "prerequisites" / "versions.env"


def kuberay_version() -> str:
    """The KubeRay version the chart is tested against (infra/prerequisites/versions.env)."""
    (version,) = re.findall(r"^KUBERAY_VERSION=(\S+)$", VERSIONS_ENV.read_text(encoding="utf-8"), re.MULTILINE)
    return version


def crd_schema(kind_file: str, version: str = "v1") -> dict[str, Any]:
    """The ``openAPIV3Schema`` of one API version of a vendored KubeRay CRD."""
    path = REPO_ROOT / "third_party" / f"kuberay-{kuberay_version()}" / kind_file
    crd = yaml.safe_load(path.read_text(encoding="utf-8"))
    (found,) = [v for v in crd["spec"]["versions"] if v["name"] == version]
    return found["schema"]["openAPIV3Schema"]


def strict_json_schema(node: dict[str, Any]) -> dict[str, Any]:
    """A Kubernetes structural schema as a JSON Schema that refuses what the API server would drop.

    - an object with ``properties`` and neither ``additionalProperties`` nor
      ``x-kubernetes-preserve-unknown-fields: true`` gets ``additionalProperties: false``: the
      API server prunes unknown fields there (and strict field validation refuses them);
    - ``x-kubernetes-int-or-string`` becomes ``type: [integer, string]`` (its ``pattern``
      applies to strings only, as in Kubernetes);
    - ``nullable: true`` adds ``null`` to the type;
    - the other ``x-kubernetes-*`` extensions are dropped: list and map semantics do not change
      what is valid, and the CEL rules (``x-kubernetes-validations``: in RayService v1 only
      ``managedBy``'s, which the chart does not set) cannot be evaluated here.
    """
    out: dict[str, Any] = {}
    for key, value in node.items():
        if key == "properties":
            out[key] = {name: strict_json_schema(sub) for name, sub in value.items()}
        elif key in ("items", "additionalProperties", "not") and isinstance(value, dict):
            out[key] = strict_json_schema(value)
        elif key in ("anyOf", "allOf", "oneOf"):
            out[key] = [strict_json_schema(sub) for sub in value]
        elif not key.startswith("x-kubernetes-") and key not in ("nullable", "description"):
            out[key] = value
    if node.get("x-kubernetes-int-or-string"):
        out.pop("anyOf", None)
        out["type"] = ["integer", "string"]
    if node.get("nullable") and isinstance(out.get("type"), str):
        out["type"] = [out["type"], "null"]
    if (
        "properties" in node
        and "additionalProperties" not in node
        and not node.get("x-kubernetes-preserve-unknown-fields")
    ):
        out["additionalProperties"] = False
    return out


@functools.cache
def rayservice_validator() -> jsonschema.Validator:
    """A strict validator of RayService ``ray.io/v1`` as KubeRay's CRD defines it."""
    schema = strict_json_schema(crd_schema("ray.io_rayservices.yaml"))
    jsonschema.Draft202012Validator.check_schema(schema)
    return jsonschema.Draft202012Validator(schema)


def k8s_validator(type_file: str, version: str) -> jsonschema.Validator:
    """A strict validator for one Kubernetes type (e.g. ``podtemplatespec-v1``) of a Kubernetes version."""
    folder = f"kubernetes-json-schema/v{version}-local-strict"
    schema = kv_utils.schema_contents(f"{folder}/{type_file}.json", version)
    definitions = kv_utils.schema_contents(f"{folder}/_definitions.json", version)
    registry = Resource.from_contents(definitions) @ (Resource.from_contents(schema) @ Registry())
    return jsonschema.Draft202012Validator(schema, registry=registry)


def errors_of(validator: jsonschema.Validator, data: Any) -> list[str]:
    return [f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(data)]


def rayservice(rendered: Rendered) -> dict[str, Any]:
    """The RayService as the API server receives it (a copy: tests may break it)."""
    return copy.deepcopy(strip(rendered.one("RayService")))


def serve_config(rendered: Rendered) -> dict[str, Any]:
    return yaml.safe_load(rendered.one("RayService")["spec"]["serveConfigV2"])


def cluster(rendered: Rendered) -> dict[str, Any]:
    return rendered.one("RayService")["spec"]["rayClusterConfig"]


def test_the_vendored_crds_are_the_pinned_kuberay_version() -> None:
    folder = REPO_ROOT / "third_party" / f"kuberay-{kuberay_version()}"
    for name, kind in (("ray.io_rayservices.yaml", "RayService"), ("ray.io_rayclusters.yaml", "RayCluster")):
        crd = yaml.safe_load((folder / name).read_text(encoding="utf-8"))
        assert crd["spec"]["names"]["kind"] == kind and crd["spec"]["group"] == "ray.io"
        assert [v["name"] for v in crd["spec"]["versions"] if v["storage"]] == ["v1"]
    provenance = (folder / "README.md").read_text(encoding="utf-8")
    assert f"`v{kuberay_version()}`" in provenance and "Apache License 2.0" in provenance
    assert "Apache License" in (folder / "LICENSE").read_text(encoding="utf-8")


def test_rayservice_matches_kuberays_crd(rendered: Rendered) -> None:
    errors = errors_of(rayservice_validator(), rayservice(rendered))
    assert not errors, errors


def _unknown_in_spec(service: dict[str, Any]) -> None:
    service["spec"]["serveConfig"] = "{}"  # not a v1 field (older KubeRay's predecessor of serveConfigV2)


def _unknown_in_cluster(service: dict[str, Any]) -> None:
    service["spec"]["rayClusterConfig"]["workerGroupSpecs"][0]["gpus"] = 1  # rayStartParams' num-gpus, misplaced


def _unknown_in_cluster_config(service: dict[str, Any]) -> None:
    service["spec"]["rayClusterConfig"]["autoscaling"] = True  # enableInTreeAutoscaling's name elsewhere


def _unknown_in_container(service: dict[str, Any]) -> None:
    head = service["spec"]["rayClusterConfig"]["headGroupSpec"]["template"]["spec"]["containers"][0]
    head["readinessProbes"] = {}


def _wrong_type(service: dict[str, Any]) -> None:
    service["spec"]["rayClusterConfig"]["workerGroupSpecs"][0]["replicas"] = "1"


def _not_int_or_string(service: dict[str, Any]) -> None:
    head = service["spec"]["rayClusterConfig"]["headGroupSpec"]["template"]["spec"]["containers"][0]
    head["resources"]["limits"]["cpu"] = True


def _missing_template(service: dict[str, Any]) -> None:
    del service["spec"]["rayClusterConfig"]["headGroupSpec"]["template"]


@pytest.mark.parametrize(
    ("breaks", "expected"),
    [
        (_unknown_in_spec, r"^spec: .*'serveConfig' was unexpected"),
        (_unknown_in_cluster_config, r"^spec\.rayClusterConfig: .*'autoscaling' was unexpected"),
        (_unknown_in_cluster, r"^spec\.rayClusterConfig\.workerGroupSpecs\.0: .*'gpus' was unexpected"),
        (_unknown_in_container, r"containers\.0: .*'readinessProbes' was unexpected"),
        (_wrong_type, r"workerGroupSpecs\.0\.replicas: '1' is not of type 'integer'"),
        (_not_int_or_string, r"limits\.cpu: True is not of type 'integer', 'string'"),
        (_missing_template, r"headGroupSpec: 'template' is a required property"),
    ],
    ids=lambda v: getattr(v, "__name__", "")[1:],
)
def test_the_crd_check_is_strict(
    renders: dict[str, Rendered], breaks: Callable[[dict[str, Any]], None], expected: str
) -> None:
    service = rayservice(renders["default"])
    assert not errors_of(rayservice_validator(), service)
    breaks(service)
    errors = errors_of(rayservice_validator(), service)
    assert any(re.search(expected, e) for e in errors), errors


def test_int_or_string_quantities_accept_both_forms(renders: dict[str, Rendered]) -> None:
    """``cpu: 2`` and ``cpu: "2"`` are both valid quantities (x-kubernetes-int-or-string)."""
    service = rayservice(renders["default"])
    head = service["spec"]["rayClusterConfig"]["headGroupSpec"]["template"]["spec"]["containers"][0]
    for value in (2, "2", "1500m"):
        head["resources"]["limits"]["cpu"] = value
        assert not errors_of(rayservice_validator(), service), value
    head["resources"]["limits"]["cpu"] = "two cores"
    assert any("does not match" in e for e in errors_of(rayservice_validator(), service))


@pytest.mark.parametrize("version", KUBE_VERSIONS)
def test_pod_templates_and_autoscaler_are_valid_kubernetes(rendered: Rendered, version: str) -> None:
    spec = cluster(rendered)
    templates = [spec["headGroupSpec"]["template"]] + [g["template"] for g in spec["workerGroupSpecs"]]
    validator = k8s_validator("podtemplatespec-v1", version)
    for template in templates:
        assert not errors_of(validator, template), errors_of(validator, template)
    if spec["enableInTreeAutoscaling"]:
        options = spec["autoscalerOptions"]
        assert not errors_of(k8s_validator("securitycontext-v1", version), options["securityContext"])
        assert not errors_of(k8s_validator("resourcerequirements-v1", version), options["resources"])


def test_head_has_no_gpu_and_the_worker_group_runs_on_a10(rendered: Rendered) -> None:
    spec, values = cluster(rendered), rendered.values["serving"]
    head = spec["headGroupSpec"]
    assert head["rayStartParams"]["num-gpus"] == "0"
    for container in head["template"]["spec"]["containers"]:
        for section in ("requests", "limits"):
            assert not any("gpu" in key for key in container["resources"][section]), container["resources"]
    assert "nodeSelector" not in head["template"]["spec"] or not any(
        "gpu" in k for k in head["template"]["spec"]["nodeSelector"]
    )
    (worker,) = spec["workerGroupSpecs"]
    pod = worker["template"]["spec"]
    gpus = str(values["worker"]["gpus"])
    (engine,) = pod["containers"]
    assert engine["resources"]["limits"]["nvidia.com/gpu"] == gpus
    assert engine["resources"]["requests"]["nvidia.com/gpu"] == gpus
    assert worker["rayStartParams"]["num-gpus"] == gpus
    assert pod["nodeSelector"] == values["worker"]["nodeSelector"]
    assert pod["nodeSelector"]["nvidia.com/gpu.product"] == "NVIDIA-A10"
    assert pod["tolerations"] == values["worker"]["tolerations"]
    assert engine["image"].split("/")[-1].startswith("engine-gpu:")


def test_autoscaling_bounds(rendered: Rendered) -> None:
    spec, values = cluster(rendered), rendered.values["serving"]
    (worker,) = spec["workerGroupSpecs"]
    assert worker["minReplicas"] == values["worker"]["minReplicas"]
    assert worker["maxReplicas"] == values["worker"]["maxReplicas"]
    assert worker["minReplicas"] <= worker["replicas"] <= worker["maxReplicas"]
    assert spec["enableInTreeAutoscaling"] is values["autoscaling"]["enabled"]
    engine = next(d for d in serve_config(rendered)["applications"][0]["deployments"] if d["name"] == "Engine")
    gpus = values["worker"]["gpus"]
    if values["autoscaling"]["enabled"]:
        # One engine replica per GPU, within the worker group's bounds.
        assert engine["num_replicas"] == "auto"
        assert engine["autoscaling_config"]["min_replicas"] == worker["minReplicas"] * gpus
        assert engine["autoscaling_config"]["max_replicas"] == worker["maxReplicas"] * gpus
        assert spec["autoscalerOptions"]["idleTimeoutSeconds"] == values["autoscaling"]["idleTimeoutSeconds"]
    else:
        assert worker["minReplicas"] == worker["maxReplicas"]
        assert "autoscaling_config" not in engine
        assert engine["num_replicas"] * engine["ray_actor_options"]["num_gpus"] <= worker["minReplicas"] * gpus


def test_upgrade_strategy_keeps_serving(rendered: Rendered) -> None:
    assert rendered.one("RayService")["spec"]["upgradeStrategy"] == {"type": "NewCluster"}


def test_serve_config_is_the_repository_file_with_cluster_overrides(rendered: Rendered) -> None:
    source = yaml.safe_load(SERVE_FILE.read_text(encoding="utf-8"))
    served = serve_config(rendered)
    values = rendered.values["serving"]
    for key in source.keys() - {"applications", "http_options"}:
        assert served[key] == source[key], key
    assert served["http_options"] == {**source["http_options"], "host": "0.0.0.0", "port": 8000}
    (app,), (source_app,) = served["applications"], source["applications"]
    for key in source_app.keys() - {"args", "deployments"}:
        assert app[key] == source_app[key], key
    # The review section follows review.enabled (the outbox is the volume the Ray pods mount).
    review = {"enabled": True, "outbox": "/var/lib/mail2ticket/review-outbox"}
    assert app["args"] == merge_args(source_app["args"], {**values["args"], "review": review})
    assert app["args"]["engine"]["kind"] == "vllm" and app["args"]["engine"]["base_model"].startswith("s3://")
    assert [d["name"] for d in app["deployments"]] == [d["name"] for d in source_app["deployments"]]
    for deployment, original in zip(app["deployments"], source_app["deployments"], strict=True):
        override = values.get("deployments", {}).get(deployment["name"], {})
        for key, value in original.items():
            if key not in override and not (deployment["name"] == "Engine" and key == "num_replicas"):
                assert deployment[key] == value, (deployment["name"], key)
    engine = next(d for d in app["deployments"] if d["name"] == "Engine")
    assert engine["ray_actor_options"]["num_gpus"] == 1


def test_a_misspelt_deployment_override_is_refused() -> None:
    import helm_python as helm

    with pytest.raises(helm.HelmRenderError, match=r"serving\.deployments\.Engien: no deployment of that name"):
        render({"serving": {"deployments": {"Engien": {"num_replicas": 2}}}})


def test_model_and_adapters_come_from_the_customers_storage(rendered: Rendered) -> None:
    values = rendered.values
    (worker,) = cluster(rendered)["workerGroupSpecs"]
    pod = worker["template"]["spec"]
    (engine,) = pod["containers"]
    assert {"secretRef": {"name": values["s3"]["existingSecret"]}} in engine["envFrom"]
    env = {e["name"]: e for e in engine["env"]}
    assert env["MAIL2TICKET_CACHE"]["value"] == "/var/cache/mail2ticket"
    assert env["MLFLOW_TRACKING_URI"]["value"] == "http://m2t-mail2ticket-mlflow.mail2ticket.svc:5000"
    assert env["HF_HUB_OFFLINE"]["value"] == "1"
    mount = next(m for m in engine["volumeMounts"] if m["mountPath"] == "/var/cache/mail2ticket")
    volume = next(v for v in pod["volumes"] if v["name"] == mount["name"])
    claim = volume["ephemeral"]["volumeClaimTemplate"]["spec"]
    assert claim["resources"]["requests"]["storage"] == values["serving"]["modelCache"]["size"]
    if values["serving"]["modelCache"]["storageClassName"]:
        assert claim["storageClassName"] == values["serving"]["modelCache"]["storageClassName"]


def test_api_tokens_come_from_a_secret_when_auth_is_required(rendered: Rendered) -> None:
    head = cluster(rendered)["headGroupSpec"]["template"]["spec"]["containers"][0]
    env = {e["name"]: e for e in head["env"]}
    assert rendered.values["serving"]["args"]["auth"]["required"] is True
    assert env["MAIL2TICKET_API_TOKENS"]["valueFrom"]["secretKeyRef"]["name"] == "mail2ticket-api-tokens"


def ray_containers(rendered: Rendered) -> list[dict[str, Any]]:
    """The head's and every worker group's containers: Ray may place the Gateway on any of them."""
    spec = cluster(rendered)
    groups = [spec["headGroupSpec"], *spec["workerGroupSpecs"]]
    return [c for group in groups for c in group["template"]["spec"]["containers"]]


def test_admin_tokens_come_from_the_api_secret_optionally(rendered: Rendered) -> None:
    """POST /admin/reload takes admin tokens only: the same Secret's MAIL2TICKET_ADMIN_TOKENS, optional
    (a release without the key serves /v1, and nobody can reload), never a literal value."""
    secret = rendered.values["serving"]["apiTokens"]["existingSecret"]
    for container in ray_containers(rendered):
        env = {e["name"]: e for e in container["env"]}
        assert env["MAIL2TICKET_API_TOKENS"]["valueFrom"] == {
            "secretKeyRef": {"name": secret, "key": rendered.values["serving"]["apiTokens"]["key"]}
        }  # fmt: skip
        assert env["MAIL2TICKET_ADMIN_TOKENS"] == {
            "name": "MAIL2TICKET_ADMIN_TOKENS",
            "valueFrom": {"secretKeyRef": {"name": secret, "key": "MAIL2TICKET_ADMIN_TOKENS", "optional": True}},
        }
        # The reviewers' tokens belong to the review app: the Gateway only refuses them (403).
        assert "MAIL2TICKET_REVIEWER_TOKENS" not in env
        for entry in container["env"]:
            if entry["name"].endswith("_TOKENS"):
                assert "value" not in entry and "secretKeyRef" in entry["valueFrom"], entry


def test_no_token_variable_without_authentication() -> None:
    rendered = render({"serving": {"args": {"auth": {"required": False}}}})
    for container in ray_containers(rendered):
        names = {e["name"] for e in container["env"]}
        assert not {n for n in names if n.endswith("_TOKENS")}, names


def test_the_api_key_cannot_be_the_admin_key() -> None:
    import helm_python as helm

    with pytest.raises(helm.HelmRenderError, match=r"serving\.apiTokens\.key: MAIL2TICKET_ADMIN_TOKENS is the"):
        render({"serving": {"apiTokens": {"key": "MAIL2TICKET_ADMIN_TOKENS"}}})


def test_the_rendered_serve_config_passes_the_apps_own_checks(rendered: Rendered) -> None:
    """The chart's values go through the validation ``mail2ticket serve`` and the app run (extra="forbid",
    no Engine option that the batching decides)."""
    (settings,) = check_serve_config(serve_config(rendered))
    assert settings.engine.kind == "vllm" and settings.engine.base_model.startswith("s3://")
    assert settings.audit.path().parent.as_posix() == "/var/lib/mail2ticket/audit"
    # GPU: one vLLM replica per GPU takes a batch of 8 and each caller queues two more.
    assert settings.batching.engine_options() == {"max_ongoing_requests": 8, "max_queued_requests": 16}


def test_a_value_that_sets_what_the_batching_decides_is_refused() -> None:
    rendered = render({"serving": {"deployments": {"Engine": {"max_ongoing_requests": 32}}}})
    with pytest.raises(ServeConfigError, match=r"sets max_ongoing_requests: these follow from args\.batching"):
        check_serve_config(serve_config(rendered))


def test_the_values_schema_names_only_settings_the_app_knows() -> None:
    """The chart's hand-written schema of serving.args may be stricter, never wider, than AppSettings."""
    schema = json.loads((CHART / "values.schema.json").read_text(encoding="utf-8"))
    args = schema["properties"]["serving"]["properties"]["args"]["properties"]
    for section, spec in args.items():
        assert section in AppSettings.model_fields, section
        known = type(AppSettings().__getattribute__(section)).model_fields
        assert set(spec.get("properties", {})) <= set(known), (section, set(spec["properties"]) - set(known))


def test_the_rendered_serve_config_passes_ray_serves_schema_strictly(rendered: Rendered) -> None:
    """``serveConfigV2`` is what Ray's dashboard validates (``ServeDeploySchema``) when KubeRay submits
    it; Ray ignores unknown keys there, the check refuses them."""
    from ray.serve.schema import ServeDeploySchema

    from serving.settings import check_ray_serve_schema, unknown_keys

    config = serve_config(rendered)
    assert unknown_keys(ServeDeploySchema, config) == []
    check_ray_serve_schema(config)
    parsed = ServeDeploySchema.model_validate(config)
    assert parsed.proxy_location.value == config["proxy_location"]
    assert [d.name for d in parsed.applications[0].deployments] == [
        d["name"] for d in config["applications"][0]["deployments"]
    ]


def _typo_at_top(config: dict[str, Any]) -> None:
    config["proxy_locaton"] = config.pop("proxy_location")


def _typo_in_application(config: dict[str, Any]) -> None:
    config["applications"][0]["route_prefx"] = config["applications"][0].pop("route_prefix")


def _typo_in_deployment(config: dict[str, Any]) -> None:
    config["applications"][0]["deployments"][0]["num_replica"] = 2


def _typo_in_actor_options(config: dict[str, Any]) -> None:
    config["applications"][0]["deployments"][0]["ray_actor_options"]["num_cpu"] = 1


@pytest.mark.parametrize(
    ("breaks", "key"),
    [
        (_typo_at_top, "proxy_locaton"),
        (_typo_in_application, "applications[0].route_prefx"),
        (_typo_in_deployment, "applications[0].deployments[0].num_replica"),
        (_typo_in_actor_options, "applications[0].deployments[0].ray_actor_options.num_cpu"),
    ],
    ids=lambda v: getattr(v, "__name__", "")[1:],
)
def test_an_unknown_serve_config_key_is_refused(
    renders: dict[str, Rendered], breaks: Callable[[dict[str, Any]], None], key: str
) -> None:
    from ray.serve.schema import ServeDeploySchema

    config = serve_config(renders["default"])
    breaks(config)
    ServeDeploySchema.model_validate(config)  # Ray alone takes it, and would ignore the key
    with pytest.raises(ServeConfigError, match=rf"unknown keys .*: {re.escape(key)}$"):
        check_serve_config(config)


def test_a_wrong_serve_config_value_is_refused(renders: dict[str, Rendered]) -> None:
    config = serve_config(renders["default"])
    config["applications"][0]["deployments"][0]["num_replicas"] = "two"
    with pytest.raises(
        ServeConfigError, match=r"(?s)not a valid Serve config: .*num_replicas. must be an int or .auto."
    ):
        check_serve_config(config)


# KubeRay v1.5.1, ray-operator/controllers/ray/utils/constant.go.
KUBERAY_DASHBOARD_AGENT_PORT = 52365  # DefaultDashboardAgentListenPort
KUBERAY_RAYLET_HEALTH_PATH = "api/local_raylet_healthz"  # RayAgentRayletHealthPath
KUBERAY_SERVE_PROXY_HEALTH_PATH = "-/healthz"  # RayServeProxyHealthPath
KUBERAY_SERVING_PORT = 8000  # DefaultServingPort


def probed_urls(probe: dict[str, Any]) -> list[tuple[int, str]]:
    """The (port, path) of every ``http://localhost:PORT/PATH`` an exec probe fetches."""
    command = " ".join(probe["exec"]["command"])
    return [(int(port), path) for port, path in re.findall(r"http://(?:localhost|127\.0\.0\.1):(\d+)/(\S*)", command)]


def test_workers_are_ready_when_their_raylet_is_healthy_without_a_serve_proxy(rendered: Rendered) -> None:
    """KubeRay v1.5.1 would make the GPU workers wait for a Serve proxy that HeadOnly never starts.

    Upstream rule (ray-operator/controllers/ray/common/pod.go, ``initLivenessAndReadinessProbe``,
    called by ``BuildPod``): for the Ray container (index 0) with no ``readinessProbe``, KubeRay
    injects ``bash -c "wget --tries 1 -T 2 -q -O- http://localhost:52365/api/local_raylet_healthz
    | grep success"`` (constant.go: ``BaseWgetHealthCommand``, ``DefaultDashboardAgentListenPort``,
    ``RayAgentRayletHealthPath``) and, for a RayService worker, appends the Serve proxy check
    ``http://localhost:<serve port, default 8000>/-/healthz`` with ``failureThreshold: 1``. A
    container's own probe is left alone. The liveness probe it injects when none is set checks only
    the raylet, for workers. So the worker sets its own readiness probe: upstream's raylet check,
    no proxy check.
    """
    config = serve_config(rendered)
    assert config["proxy_location"] == "HeadOnly", "with proxies on every node the injected probe would do"
    spec = cluster(rendered)
    serving_ports = {KUBERAY_SERVING_PORT, config["http_options"]["port"]}
    for group in spec["workerGroupSpecs"]:
        ray_container = group["template"]["spec"]["containers"][0]
        agent_port = int(group["rayStartParams"].get("dashboard-agent-listen-port", KUBERAY_DASHBOARD_AGENT_PORT))
        probe = ray_container.get("readinessProbe")
        assert probe is not None, "without it KubeRay injects the Serve proxy check"
        assert probe["exec"]["command"][:2] == ["bash", "-c"] and "grep success" in probe["exec"]["command"][2]
        assert probed_urls(probe) == [(agent_port, KUBERAY_RAYLET_HEALTH_PATH)]
        assert probe["failureThreshold"] > 1 and probe["timeoutSeconds"] >= 2
        for checked in (probe, ray_container.get("livenessProbe")):
            for port, path in probed_urls(checked) if checked else []:
                assert port not in serving_ports and path != KUBERAY_SERVE_PROXY_HEALTH_PATH, (port, path)


def test_the_head_exposes_the_ports_kuberay_calls(rendered: Rendered) -> None:
    """KubeRay v1.5.1 finds the head's ports by name: the Serve proxy check of the RayService
    controller (rayservice_controller.go ``updateHeadPodServeLabel``, utils/httpproxy_httpclient.go:
    ``http://<head pod IP>:<port named serve, default 8000>/-/healthz``) and the dashboard it
    submits the Serve config to (``FetchHeadServiceURL`` with the head Service's port named
    ``dashboard``; /api/serve/applications/). Both must be the ports Ray listens on."""
    head = cluster(rendered)["headGroupSpec"]
    ports = {p["name"]: p["containerPort"] for p in head["template"]["spec"]["containers"][0]["ports"]}
    assert ports["serve"] == serve_config(rendered)["http_options"]["port"]
    assert ports["dashboard"] == int(head["rayStartParams"].get("dashboard-port", 8265))
    assert "readinessProbe" not in head["template"]["spec"]["containers"][0], (
        "KubeRay's own head probe (raylet and GCS, no Serve) is the one wanted"
    )
