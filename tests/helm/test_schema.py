"""values.schema.json rejects incomplete or wrong values, and the message names the key at fault.

Helm validates the values against the schema before rendering anything (install, upgrade, lint,
template): these cases go through the same code path with the real Helm SDK.
"""

from __future__ import annotations

from typing import Any

import helm_python as helm
import pytest

from infra.preflight import merge_values
from tests.helm.chart import CHART, SITE_MINIMUM, profile_values

CASES: list[tuple[str, dict[str, Any], list[str]]] = [
    ("registry missing", {"global": {"imageRegistry": None}}, ["at '/global': missing property 'imageRegistry'"]),
    ("registry with a scheme", {"global": {"imageRegistry": "https://harbor.internal"}},
     ["at '/global/imageRegistry'"]),
    ("no pull secret", {"global": {"imagePullSecrets": []}},
     ["at '/global/imagePullSecrets': minItems: got 0, want 1"]),
    ("unknown profile", {"global": {"profile": "cloud"}},
     ["at '/global/profile': value must be one of 'onprem', 'secnumcloud'"]),
    ("empty tag", {"images": {"runtime": {"tag": ""}}}, ["at '/images/runtime/tag': minLength: got 0, want 1"]),
    ("bad digest", {"images": {"engine": {"digest": "md5:abc"}}}, ["at '/images/engine/digest'"]),
    ("bucket missing", {"s3": {"bucket": None}}, ["at '/s3': missing property 'bucket'"]),
    ("database secret missing", {"mlflow": {"database": {"existingSecret": None}}},
     ["at '/mlflow/database': missing property 'existingSecret'"]),
    ("base model not in S3", {"serving": {"args": {"engine": {"base_model": "Qwen/Qwen2.5-14B-Instruct"}}}},
     ["at '/serving/args/engine/base_model': 'Qwen/Qwen2.5-14B-Instruct' does not match pattern"]),
    ("unknown engine", {"serving": {"args": {"engine": {"kind": "ollama"}}}},
     ["at '/serving/args/engine/kind': value must be one of 'vllm', 'transformers'"]),
    ("upgrade strategy with downtime", {"serving": {"upgradeStrategy": "None"}},
     ["at '/serving/upgradeStrategy': value must be 'NewCluster'"]),
    ("no GPU", {"serving": {"worker": {"gpus": 0}}}, ["at '/serving/worker/gpus': minimum: got 0, want 1"]),
    ("GPU nodes not selected", {"serving": {"worker": {"nodeSelector": None}}},
     ["at '/serving/worker': missing property 'nodeSelector'"]),
    ("requests missing", {"mlflow": {"resources": {"requests": None}}},
     ["at '/mlflow/resources': missing property 'requests'"]),
    ("memory limit missing", {"serving": {"head": {"resources": {"limits": {"memory": None}}}}},
     ["at '/serving/head/resources/limits': missing property 'memory'"]),
    ("proxy on localhost", {"serving": {"httpOptions": {"host": "127.0.0.1"}}},
     ["at '/serving/httpOptions/host': value must be '0.0.0.0'"]),
    ("KFP URL without scheme", {"kfp": {"upload": {"host": "ml-pipeline.kubeflow:8888"}}}, ["at '/kfp/upload/host'"]),
    ("ingress without TLS", {"ingress": {"enabled": True, "host": "m2t.internal"}},
     ["at '/ingress/tls/secretName': minLength: got 0, want 1"]),
    ("ingress without host", {"ingress": {"enabled": True, "tls": {"secretName": "tls"}}},
     ["at '/ingress/host': minLength: got 0, want 1"]),
    ("world CIDR", {"networkPolicy": {"postgres": {"cidrs": ["0.0.0.0/0"]}}},
     ["at '/networkPolicy/postgres/cidrs/0'", "'0.0.0.0/0' does not match pattern"]),
    ("IPv6 world CIDR", {"networkPolicy": {"s3": {"cidrs": ["::/0"]}}}, ["at '/networkPolicy/s3/cidrs/0'"]),
    ("two PDB rules", {"podDisruptionBudgets": {"rayWorkers": {"minAvailable": 1}}},
     ["at '/podDisruptionBudgets/rayWorkers': maxProperties: got 2, want 1"]),
    ("typo at the top", {"ingres": {"enabled": True}}, ["additional properties 'ingres' not allowed"]),
    ("typo in a section", {"mlflow": {"replica": 2}}, ["at '/mlflow': additional properties 'replica' not allowed"]),
    ("secnumcloud without MLflow auth", {"global": {"profile": "secnumcloud", "imagePullPolicy": "Always"},
                                         "mlflow": {"replicas": 2}},
     ["at '/mlflow/auth/enabled': value must be true"]),
    ("secnumcloud with one MLflow replica", {"global": {"profile": "secnumcloud", "imagePullPolicy": "Always"},
                                             "mlflow": {"auth": {"enabled": True}}},
     ["at '/mlflow/replicas': minimum: got 1, want 2"]),
    ("no object storage destination", {"networkPolicy": {"s3": {"cidrs": []}}},
     ["at '/networkPolicy/s3/cidrs': minItems: got 0, want 1",
      "at '/networkPolicy/s3/namespace': minLength: got 0, want 1"]),
    ("no PostgreSQL destination", {"networkPolicy": {"postgres": {"cidrs": [], "namespace": ""}}},
     ["at '/networkPolicy/postgres/cidrs': minItems: got 0, want 1",
      "at '/networkPolicy/postgres/namespace': minLength: got 0, want 1"]),
    ("autoscaler without the API server", {"networkPolicy": {"kubeAPIServer": {"cidrs": []}}},
     ["at '/networkPolicy/kubeAPIServer/cidrs': minItems: got 0, want 1"]),
    ("review database secret missing", {"review": {"database": {"existingSecret": None}}},
     ["at '/review/database': missing property 'existingSecret'"]),
    ("review database secret empty", {"review": {"database": {"existingSecret": ""}}},
     ["at '/review/database/existingSecret': minLength: got 0, want 1"]),
    ("review database URL key empty", {"review": {"database": {"urlKey": ""}}},
     ["at '/review/database/urlKey': minLength: got 0, want 1"]),
    ("review tokens secret missing", {"review": {"tokens": {"existingSecret": None}}},
     ["at '/review/tokens': missing property 'existingSecret'"]),
    ("review user header not a header name", {"review": {"auth": {"userHeader": "X Forwarded User"}}},
     ["at '/review/auth/userHeader'"]),
    ("review retention of 0 days", {"review": {"retentionDays": 0}},
     ["at '/review/retentionDays': minimum: got 0, want 1"]),
    ("review outbox claim without size", {"review": {"outbox": {"persistence": {"size": None}}}},
     ["at '/review/outbox/persistence': missing property 'size'"]),
    ("typo in the review section", {"review": {"replica": 2}},
     ["at '/review': additional properties 'replica' not allowed"]),
    ("review without a PostgreSQL destination", {"mlflow": {"enabled": False},
                                                 "networkPolicy": {"postgres": {"cidrs": [], "namespace": ""}}},
     ["at '/networkPolicy/postgres/cidrs': minItems: got 0, want 1"]),
    ("ServiceMonitor interval not a duration", {"monitoring": {"serviceMonitor": {"interval": "30 seconds"}}},
     ["at '/monitoring/serviceMonitor/interval'", "does not match pattern"]),
    ("typo in the monitoring section", {"monitoring": {"serviceMonitors": {"enabled": True}}},
     ["at '/monitoring': additional properties 'serviceMonitors' not allowed"]),
    ("dashboard labels not strings", {"monitoring": {"grafanaDashboard": {"labels": {"grafana_dashboard": 1}}}},
     ["at '/monitoring/grafanaDashboard/labels/grafana_dashboard'"]),
    ("Prometheus pods not selected", {"networkPolicy": {"prometheus": {"podLabels": None}}},
     ["at '/networkPolicy/prometheus': missing property 'podLabels'"]),
    ("Prometheus namespace not a namespace name", {"networkPolicy": {"prometheus": {"namespace": "Monitoring"}}},
     ["at '/networkPolicy/prometheus/namespace'", "does not match pattern"]),
    ("secnumcloud keeping e-mails",
     {**profile_values("secnumcloud"), "serving": {"args": {"audit": {"email": "keep"}}}},
     ["at '/serving/args/audit/email': value must be one of 'hash', 'redact'"]),
]  # fmt: skip


@pytest.mark.parametrize(("values", "fragments"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_schema_rejects_with_a_clear_message(values: dict[str, Any], fragments: list[str]) -> None:
    with helm.Chart.load(CHART) as chart, pytest.raises(helm.HelmValuesError) as caught:
        chart.render(merge_values(SITE_MINIMUM, values), name="m2t", namespace="mail2ticket")
    message = str(caught.value)
    assert "values don't meet the specifications of the schema" in message
    for fragment in fragments:
        assert fragment in message, message


@pytest.mark.parametrize("profile", ["default", "onprem", "secnumcloud"])
def test_shipped_values_pass_the_schema(profile: str) -> None:
    with helm.Chart.load(CHART) as chart:
        chart.validate_schema(profile_values(profile))


def test_lint_reports_schema_errors() -> None:
    report = helm.lint(CHART, {"s3": {"bucket": None}}, strict=True)
    assert any("missing property 'bucket'" in error for error in report["errors"]), report


def test_the_chart_defaults_alone_are_refused_naming_what_the_site_must_give() -> None:
    """Without the site's storage, database and API server no pod could reach them: refuse early."""
    with helm.Chart.load(CHART) as chart, pytest.raises(helm.HelmValuesError) as caught:
        chart.render({}, name="m2t", namespace="mail2ticket")
    message = str(caught.value)
    for path in ("/networkPolicy/s3", "/networkPolicy/postgres", "/networkPolicy/kubeAPIServer/cidrs"):
        assert f"at '{path}" in message, message


def test_destinations_are_not_asked_for_what_is_off() -> None:
    """No NetworkPolicy, no destination to declare; no autoscaler, no API server; no MLflow and no review
    app, no database."""
    with helm.Chart.load(CHART) as chart:
        chart.validate_schema({"networkPolicy": {"enabled": False}})
        chart.validate_schema(
            merge_values(SITE_MINIMUM, {"serving": {"autoscaling": {"enabled": False}},
                                      "networkPolicy": {"kubeAPIServer": {"cidrs": []}}})
        )  # fmt: skip
        chart.validate_schema(
            merge_values(SITE_MINIMUM, {"mlflow": {"enabled": False}, "review": {"enabled": False},
                                      "networkPolicy": {"postgres": {"cidrs": []}}})
        )  # fmt: skip


def test_review_secrets_are_not_asked_for_when_the_review_app_is_off() -> None:
    with helm.Chart.load(CHART) as chart:
        chart.validate_schema(
            merge_values(SITE_MINIMUM, {"review": {"enabled": False, "database": {"existingSecret": ""},
                                                   "tokens": {"existingSecret": ""}}})
        )  # fmt: skip
