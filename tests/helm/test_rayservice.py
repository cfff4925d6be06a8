"""The RayService has the structure KubeRay expects, and serves what serving/config.yaml says.

kubernetes-validate knows no custom resources, so the RayService is checked here: its own fields
against the RayService/RayCluster types of KubeRay's ``ray.io/v1`` API (``rayservice_types.go``,
``raycluster_types.go``: unknown fields are errors, as the operator's structural schema would
prune them), and its pod templates against the Kubernetes ``PodTemplateSpec`` schema, strict.
"""

from __future__ import annotations

import json
from typing import Any

import jsonschema
import kubernetes_validate.utils as kv_utils
import pytest
import yaml
from referencing import Registry, Resource

from serving.settings import AppSettings, ServeConfigError, check_serve_config, merge_args
from tests.helm.chart import CHART, Rendered, render

SERVE_FILE = CHART / "files" / "serve-config.yaml"
KUBE_VERSIONS = (kv_utils.all_versions()[0], kv_utils.all_versions()[-1])

_STR_MAP = {"type": "object", "additionalProperties": {"type": "string"}}
_K8S = {"type": "object"}  # a Kubernetes type, validated separately with the Kubernetes schemas

# RayService, ray.io/v1, as KubeRay 1.5 defines it (json tags of the Go types).
RAYSERVICE_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["apiVersion", "kind", "metadata", "spec"],
    "properties": {
        "apiVersion": {"const": "ray.io/v1"},
        "kind": {"const": "RayService"},
        "metadata": {"type": "object", "required": ["name"]},
        "spec": {
            "type": "object",
            "additionalProperties": False,
            "required": ["rayClusterConfig"],
            "properties": {
                "serveConfigV2": {"type": "string", "minLength": 1},
                "rayClusterConfig": {"$ref": "#/$defs/RayClusterSpec"},
                "upgradeStrategy": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        "type": {"enum": ["NewCluster", "NewClusterWithIncrementalUpgrade", "None"]},
                        "clusterUpgradeOptions": {"type": "object"},
                    },
                },
                "rayClusterDeletionDelaySeconds": {"type": "integer", "minimum": 0},
                "excludeHeadPodFromServeSvc": {"type": "boolean"},
                "serveService": _K8S,
                "serviceUnhealthySecondThreshold": {"type": "integer"},
                "deploymentUnhealthySecondThreshold": {"type": "integer"},
            },
        },
    },
    "$defs": {
        "RayClusterSpec": {
            "type": "object",
            "additionalProperties": False,
            "required": ["headGroupSpec"],
            "properties": {
                "suspend": {"type": "boolean"},
                "managedBy": {"type": "string"},
                "authOptions": {"type": "object"},
                "autoscalerOptions": {
                    "type": "object",
                    "additionalProperties": False,
                    "properties": {
                        "resources": _K8S,
                        "image": {"type": "string"},
                        "imagePullPolicy": {"enum": ["Always", "IfNotPresent", "Never"]},
                        "securityContext": _K8S,
                        "idleTimeoutSeconds": {"type": "integer", "minimum": 0},
                        "upscalingMode": {"enum": ["Default", "Aggressive", "Conservative"]},
                        "version": {"enum": ["v1", "v2"]},
                        "env": {"type": "array"},
                        "envFrom": {"type": "array"},
                        "volumeMounts": {"type": "array"},
                    },
                },
                "headServiceAnnotations": _STR_MAP,
                "enableInTreeAutoscaling": {"type": "boolean"},
                "gcsFaultToleranceOptions": {"type": "object"},
                "rayVersion": {"type": "string", "pattern": r"^[0-9]+\.[0-9]+\.[0-9]+$"},
                "headGroupSpec": {
                    "type": "object",
                    "additionalProperties": False,
                    "required": ["template"],
                    "properties": {
                        "template": _K8S,
                        "headService": _K8S,
                        "enableIngress": {"type": "boolean"},
                        "rayStartParams": _STR_MAP,
                        "serviceType": {"enum": ["ClusterIP", "NodePort", "LoadBalancer"]},
                    },
                },
                "workerGroupSpecs": {
                    "type": "array",
                    "items": {
                        "type": "object",
                        "additionalProperties": False,
                        "required": ["groupName", "template"],
                        "properties": {
                            "suspend": {"type": "boolean"},
                            "groupName": {"type": "string", "minLength": 1},
                            "replicas": {"type": "integer", "minimum": 0},
                            "minReplicas": {"type": "integer", "minimum": 0},
                            "maxReplicas": {"type": "integer", "minimum": 0},
                            "idleTimeoutSeconds": {"type": "integer", "minimum": 0},
                            "rayStartParams": _STR_MAP,
                            "template": _K8S,
                            "scaleStrategy": {"type": "object"},
                            "numOfHosts": {"type": "integer", "minimum": 1},
                        },
                    },
                },
            },
        }
    },
}


def k8s_validator(type_file: str, version: str) -> jsonschema.Validator:
    """A strict validator for one Kubernetes type (e.g. ``podtemplatespec-v1``) of a Kubernetes version."""
    folder = f"kubernetes-json-schema/v{version}-local-strict"
    schema = kv_utils.schema_contents(f"{folder}/{type_file}.json", version)
    definitions = kv_utils.schema_contents(f"{folder}/_definitions.json", version)
    registry = Resource.from_contents(definitions) @ (Resource.from_contents(schema) @ Registry())
    return jsonschema.Draft202012Validator(schema, registry=registry)


def errors_of(validator: jsonschema.Validator, data: Any) -> list[str]:
    return [f"{'.'.join(map(str, e.absolute_path))}: {e.message}" for e in validator.iter_errors(data)]


def serve_config(rendered: Rendered) -> dict[str, Any]:
    return yaml.safe_load(rendered.one("RayService")["spec"]["serveConfigV2"])


def cluster(rendered: Rendered) -> dict[str, Any]:
    return rendered.one("RayService")["spec"]["rayClusterConfig"]


def test_rayservice_matches_kuberay_types(rendered: Rendered) -> None:
    service = {k: v for k, v in rendered.one("RayService").items() if k != "_template"}
    errors = errors_of(jsonschema.Draft202012Validator(RAYSERVICE_SCHEMA), service)
    assert not errors, errors


def test_the_kuberay_structure_check_catches_misplaced_fields(renders: dict[str, Rendered]) -> None:
    service = {k: v for k, v in renders["default"].one("RayService").items() if k != "_template"}
    broken = yaml.safe_load(yaml.safe_dump(service))
    broken["spec"]["rayClusterConfig"]["workerGroupSpecs"][0]["gpus"] = 1  # not a KubeRay field
    del broken["spec"]["rayClusterConfig"]["headGroupSpec"]["template"]
    errors = errors_of(jsonschema.Draft202012Validator(RAYSERVICE_SCHEMA), broken)
    assert any("'gpus' was unexpected" in e for e in errors), errors
    assert any("'template' is a required property" in e for e in errors), errors


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
    assert app["args"] == merge_args(source_app["args"], values["args"])
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
