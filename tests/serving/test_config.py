"""The Serve config, the application settings, the command, auth and audit (no Ray started here)."""

from __future__ import annotations

import hashlib
import inspect
import json
import re
from pathlib import Path

import pytest
import yaml
from pydantic import ValidationError
from typer.testing import CliRunner

from mail2ticket.auth import AuthConfigError, Caller, TokenRoles
from serving import DEFAULT_CONFIG
from serving.audit import AuditLog
from serving.settings import AppSettings, ServeConfigError, check_serve_config


def test_the_shipped_config_is_a_valid_serve_config() -> None:
    from ray.serve.schema import ServeDeploySchema

    from serving.app import DEPLOYMENTS, build_app, deployment_options

    config = ServeDeploySchema.model_validate(yaml.safe_load(DEFAULT_CONFIG.read_text(encoding="utf-8")))
    (application,) = config.applications
    assert application.import_path == "serving.app:build_app"
    settings = AppSettings.model_validate(application.args)
    assert settings.auth.required and settings.audit.email == "hash" and settings.engine.kind == "transformers"
    assert {d.name for d in application.deployments} == set(DEPLOYMENTS)
    reserved = sum(d.ray_actor_options.num_cpus * d.num_replicas for d in application.deployments)
    assert reserved <= 2.0, "the whole graph fits 2 cores"
    assert all(d.backpressure_config.retry_after_s for d in application.deployments)
    agents = [d for d in application.deployments if d.name != "Engine"]
    assert all(d.max_queued_requests > 0 for d in agents)
    # The Engine's admission follows from the batching: a batch of 4 per replica, 4 batches queued per caller.
    assert check_serve_config(yaml.safe_load(DEFAULT_CONFIG.read_text(encoding="utf-8"))) == [settings]
    assert settings.batching.engine_options() == {"max_ongoing_requests": 4, "max_queued_requests": 16}
    assert build_app(application.args) is not None  # what `serve run` and KubeRay call: one parameter
    assert len(inspect.signature(build_app).parameters) == 1
    options = deployment_options(settings, {"Engine": {"num_replicas": 2}})
    assert options["Engine"] == {"num_replicas": 2, "max_ongoing_requests": 4, "max_queued_requests": 16}
    assert options["Gateway"] == {}


def test_settings_refuse_typos_and_unknown_categories() -> None:
    with pytest.raises(ValidationError, match="requried"):
        AppSettings.model_validate({"auth": {"requried": False}})
    with pytest.raises(ValidationError, match="auth_required"):
        AppSettings.model_validate({"auth_required": False})  # the flat key of earlier configs
    with pytest.raises(ValidationError, match="not taxonomy categories: Facturation"):
        AppSettings.model_validate({"agents": {"review_thresholds": {"Facturation": 0.5}}})
    settings = AppSettings.model_validate({"agents": {"review_thresholds": {"Incidents/Supervision": 0.9}}})
    assert settings.threshold("Incidents/Supervision") == 0.9 and settings.threshold("unknown") == 1.0


def test_the_serve_command_is_plugged_into_mail2ticket() -> None:
    from mail2ticket.cli import app

    result = CliRunner().invoke(app, ["serve", "--help"])
    assert result.exit_code == 0, result.output
    assert "--config" in result.output and "--port" in result.output


def test_the_serve_command_checks_the_config_before_starting_ray(tmp_path: Path) -> None:
    from serving.cli import app

    config = yaml.safe_load(DEFAULT_CONFIG.read_text(encoding="utf-8"))
    config["applications"][0]["args"]["audit"]["emial"] = "keep"
    path = tmp_path / "config.yaml"
    path.write_text(yaml.safe_dump(config), encoding="utf-8")
    result = CliRunner().invoke(app, ["--config", str(path)])
    assert result.exit_code == 2 and "emial" in result.output


def test_tokens_are_required_unless_auth_is_off_explicitly(monkeypatch: pytest.MonkeyPatch) -> None:
    variables = {"client": "M2T_TEST_TOKENS", "reviewer": "M2T_TEST_REVIEWERS", "admin": "M2T_TEST_ADMINS"}
    for variable in variables.values():
        monkeypatch.delenv(variable, raising=False)
    with pytest.raises(AuthConfigError, match="no token is configured: set M2T_TEST_TOKENS"):
        TokenRoles.from_env(True, variables)  # type: ignore[arg-type]
    assert TokenRoles.from_env(False, variables).identify(None) is None  # type: ignore[arg-type]
    monkeypatch.setenv("M2T_TEST_TOKENS", " alpha , beta ,")
    monkeypatch.setenv("M2T_TEST_ADMINS", "ops:gamma")
    auth = TokenRoles.from_env(True, variables)  # type: ignore[arg-type]
    assert auth.identify("alpha").role == "client" and auth.identify("beta").role == "client"
    assert auth.identify("gamma") == Caller("ops", "admin") and auth.identify("ops:gamma") is None
    for wrong in ("alph", "alpha ", "", None):
        assert auth.identify(wrong) is None
    monkeypatch.setenv("M2T_TEST_REVIEWERS", "alpha")
    with pytest.raises(AuthConfigError, match="same token is listed for client"):
        TokenRoles.from_env(True, variables)  # type: ignore[arg-type]


@pytest.mark.parametrize("mode", ["hash", "redact", "keep"])
def test_audit_email_modes(tmp_path: Path, mode: str) -> None:
    log = AuditLog(tmp_path / "a" / "audit.jsonl", mode)  # type: ignore[arg-type]
    log.write({"event": "decision", "email": log.text("Bonjour Mme Durand")})
    log.close()
    (line,) = [json.loads(x) for x in (tmp_path / "a" / "audit.jsonl").read_text(encoding="utf-8").splitlines()]
    assert line["time"].endswith("Z") and line["email"]["chars"] == 18
    text = (tmp_path / "a" / "audit.jsonl").read_text(encoding="utf-8")
    assert ("Durand" in text) == (mode == "keep")
    if mode == "hash":
        assert line["email"]["sha256"] == hashlib.sha256(b"Bonjour Mme Durand").hexdigest()


def test_the_engines_admission_is_derived_never_written() -> None:
    config = yaml.safe_load(DEFAULT_CONFIG.read_text(encoding="utf-8"))
    engine = next(d for d in config["applications"][0]["deployments"] if d["name"] == "Engine")
    assert not {"max_ongoing_requests", "max_queued_requests"} & set(engine)
    engine["max_queued_requests"] = 64
    with pytest.raises(ServeConfigError, match="sets max_queued_requests"):
        check_serve_config(config)


def test_dotted_overrides_merge_into_their_section() -> None:
    from serving.settings import merge_args

    args = {"batching": {"max_batch_size": 4, "batch_wait_timeout_s": 0.25}, "audit": {"email": "hash"}}
    merged = merge_args(args, {"batching.max_batch_size": 8, "audit": {"log": "/tmp/a.jsonl"}})
    assert merged == {"batching": {"max_batch_size": 8, "batch_wait_timeout_s": 0.25},
                      "audit": {"email": "hash", "log": "/tmp/a.jsonl"}}  # fmt: skip
    assert args["batching"]["max_batch_size"] == 4  # the original is left alone
    with pytest.raises(ValueError, match="not a section"):
        merge_args({"audit": {"email": "hash"}}, {"audit.email.mode": "x"})


@pytest.mark.parametrize(
    ("path", "key", "where"),
    [
        ((), "proxy_locaton", "proxy_locaton"),
        (("http_options",), "prot", "http_options.prot"),
        (("applications", 0), "route_prefx", "applications[0].route_prefx"),
        (("applications", 0, "deployments", 3), "num_replica", "applications[0].deployments[3].num_replica"),
        (
            ("applications", 0, "deployments", 3, "ray_actor_options"),
            "num_cpu",
            "applications[0].deployments[3].ray_actor_options.num_cpu",
        ),
    ],
    ids=lambda v: v if isinstance(v, str) and "." not in v else None,
)
def test_serve_config_keys_ray_would_ignore_are_refused(path: tuple[str | int, ...], key: str, where: str) -> None:
    """Ray Serve's ServeDeploySchema takes unknown keys and drops them; check_serve_config refuses them."""
    from ray.serve.schema import ServeDeploySchema

    config = yaml.safe_load(DEFAULT_CONFIG.read_text(encoding="utf-8"))
    target = config
    for step in path:
        target = target[step]
    target[key] = 1
    ServeDeploySchema.model_validate(config)  # Ray alone accepts it
    with pytest.raises(ServeConfigError, match=rf"unknown keys \(Ray Serve would ignore them\): {re.escape(where)}$"):
        check_serve_config(config)


def test_a_mapping_where_ray_takes_a_model_is_walked_too() -> None:
    """autoscaling_config is ``Dict | AutoscalingConfig``: a mapping there is read as AutoscalingConfig."""
    from ray.serve.schema import ServeDeploySchema

    from serving.settings import unknown_keys

    deployment = {"name": "Engine", "autoscaling_config": {"min_replicas": 1, "max_replica": 4}}
    config = {"applications": [{"import_path": "serving.app:build_app", "deployments": [deployment]}]}
    assert unknown_keys(ServeDeploySchema, config) == ["applications[0].deployments[0].autoscaling_config.max_replica"]
    deployment["autoscaling_config"] = {"min_replicas": 1, "max_replicas": 4}
    assert unknown_keys(ServeDeploySchema, config) == []


def test_free_form_serve_config_fields_are_not_walked() -> None:
    """runtime_env and user_config belong to Ray and the deployment; args are AppSettings' (extra="forbid")."""
    config = yaml.safe_load(DEFAULT_CONFIG.read_text(encoding="utf-8"))
    application = config["applications"][0]
    application["runtime_env"] = {"env_vars": {"A": "1"}}
    application["deployments"][0]["user_config"] = {"anything": {"nested": True}}
    assert check_serve_config(config)
    application["args"]["limits"]["max_body_byte"] = 1
    with pytest.raises(ServeConfigError, match="max_body_byte"):
        check_serve_config(config)
