"""Promotion against a real MLflow server: aliases, floors, partial runs, races, outages."""

from __future__ import annotations

import json
import threading
import time
import uuid
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from types import SimpleNamespace

import mlflow
import pytest

from mail2ticket.registry.promotion import (
    EXTRACTION_REQUIRED_METRICS,
    STATE_TAG,
    PromotionDecision,
    PromotionPolicy,
    decide,
    promote,
    promotion_step,
)
from mail2ticket.registry.tracking import CHAMPION, TrackingError, client, run_tags


def good(macro_f1: float, match_rate: float = 1.0) -> dict[str, float]:
    return {"macro_f1": macro_f1, "accuracy": macro_f1 + 0.1, "match_rate": match_rate}


@pytest.fixture
def registry(mlflow_server: str):
    mlflow_client = client(mlflow_server)
    name = f"mail2ticket-classifier-{uuid.uuid4().hex[:8]}"
    return mlflow_client, name


def finished_run(metrics: dict[str, float] | None = None, status: str = "FINISHED") -> str:
    mlflow.set_experiment("promotion-tests")
    with mlflow.start_run(tags=run_tags()) as run:
        if metrics:
            mlflow.log_metrics(metrics)
        mlflow.log_text('{"r": 16}', "adapter/adapter_config.json")
    if status != "FINISHED":
        mlflow.MlflowClient().set_terminated(run.info.run_id, status=status)
    return run.info.run_id


def champion_version(mlflow_client, name: str) -> str:
    return mlflow_client.get_model_version_by_alias(name, CHAMPION).version


def test_first_candidate_becomes_champion_then_worse_one_is_challenger(registry) -> None:
    mlflow_client, name = registry
    first = promote(mlflow_client, finished_run(good(0.6)), good(0.6), name=name)
    assert first.promoted and first.alias == "champion" and "no champion yet" in first.reason
    worse = promote(mlflow_client, finished_run(good(0.5)), good(0.5), name=name)
    assert not worse.promoted and worse.alias == "challenger"
    assert champion_version(mlflow_client, name) == first.version
    tags = mlflow_client.get_model_version(name, worse.version).tags
    assert "does not beat" in tags["promotion_reason"] and tags["metric.macro_f1"] == "0.5"
    assert mlflow_client.get_model_version_by_alias(name, "challenger").version == worse.version


def test_min_delta_and_match_rate_floor(registry) -> None:
    mlflow_client, name = registry
    policy = PromotionPolicy(min_delta=0.05, min_match_rate=0.98)
    base = promote(mlflow_client, finished_run(good(0.6)), good(0.6), policy, name=name)
    small = promote(mlflow_client, finished_run(good(0.63)), good(0.63), policy, name=name)
    assert not small.promoted
    unmatched = promote(mlflow_client, finished_run(good(0.9, 0.9)), good(0.9, 0.9), policy, name=name)
    assert not unmatched.promoted and "under the floor" in unmatched.reason
    better = promote(mlflow_client, finished_run(good(0.7)), good(0.7), policy, name=name)
    assert better.promoted and better.champion_version == base.version
    assert champion_version(mlflow_client, name) == better.version


def test_the_classical_baseline_is_recorded_and_can_be_required(registry) -> None:
    mlflow_client, name = registry
    classical = {"macro_f1": 0.7, "dev_macro_f1": 0.65}
    loses = {**good(0.8), "dev_macro_f1": 0.5}  # better on the generated test set, worse on the dev set
    recorded = promote(mlflow_client, finished_run(loses), loses, name=name, classical_metrics=classical)
    assert recorded.promoted and recorded.beats_classical is False
    tags = mlflow_client.get_model_version(name, recorded.version).tags
    assert tags["beats_classical"] == "false" and "on the dev set" in tags["promotion_reason"]
    required = PromotionPolicy(require_beating_classical=True)
    better = {**good(0.9), "dev_macro_f1": 0.6}
    refused = promote(mlflow_client, finished_run(better), better, required, name=name, classical_metrics=classical)
    assert not refused.promoted and refused.alias == "challenger" and "beating it is required" in refused.reason
    best = {**good(0.9), "dev_macro_f1": 0.7}
    taken = promote(mlflow_client, finished_run(best), best, required, name=name, classical_metrics=classical)
    assert taken.promoted and taken.beats_classical is True
    assert champion_version(mlflow_client, name) == taken.version


def test_partial_or_failed_runs_never_move_the_champion(registry) -> None:
    mlflow_client, name = registry
    champion = promote(mlflow_client, finished_run(good(0.5)), good(0.5), name=name)
    partial = promote(mlflow_client, finished_run({"accuracy": 0.99}), {"accuracy": 0.99}, name=name)
    assert not partial.promoted and partial.version is None and "partial run" in partial.reason
    failed = promote(mlflow_client, finished_run(good(0.99), status="FAILED"), good(0.99), name=name)
    assert not failed.promoted and "FAILED" in failed.reason
    assert champion_version(mlflow_client, name) == champion.version


def extraction(f1: float) -> dict[str, float]:
    return {"extraction_f1": f1, "extraction_precision": f1, "extraction_recall": f1, "extraction_exact_match": 0.1}


def test_extractor_adapters_pass_the_same_gates_on_field_f1(registry, mlflow_server: str, tmp_path) -> None:
    """No match rate to floor, field F1 compared with the champion's, a partial evaluation moves nothing."""
    mlflow_client, name = registry
    policy = PromotionPolicy.for_extractor(min_delta=0.02)
    assert policy.required_metrics == EXTRACTION_REQUIRED_METRICS and policy.metric == "extraction_f1"
    report = tmp_path / "metrics.json"
    report.write_text(json.dumps({**extraction(0.4), "dev_extraction_f1": 0.3, "field_f1.x.y": 1.0, "task": "x"}))
    parsers = tmp_path / "parsers.json"
    parsers.write_text(json.dumps({**extraction(0.5), "dev_extraction_f1": 0.2}))
    first = promotion_step(report, finished_run(extraction(0.4)), policy, mlflow_server, name, parsers, "ex")
    assert first.promoted and first.alias == "champion" and first.metrics["dev_extraction_f1"] == 0.3
    assert first.beats_classical is True and "0.2000 on the dev set" in first.reason  # the dev set decides
    artifact = SimpleNamespace(path=str(tmp_path / "decision.json"), metadata={})  # as a KFP Output[Artifact]
    first.record(artifact)
    assert json.loads(Path(artifact.path).read_text(encoding="utf-8")) == first.to_dict()
    assert artifact.metadata == {"promoted": True, "alias": "champion", "reason": first.reason, "beats_classical": True}
    assert "field_f1.x.y" not in first.metrics  # only the gate's metrics travel to the version's tags
    assert mlflow_client.get_registered_model(name).description == "ex"
    close = promote(mlflow_client, finished_run(extraction(0.41)), extraction(0.41), policy, name=name)
    assert not close.promoted and "by 0.02" in close.reason
    better = promote(mlflow_client, finished_run(extraction(0.5)), extraction(0.5), policy, name=name)
    assert better.promoted and champion_version(mlflow_client, name) == better.version
    partial = {"extraction_f1": 0.9}
    missing = promote(mlflow_client, finished_run(partial), partial, policy, name=name)
    assert missing.version is None and "extraction_exact_match" in missing.reason
    classifier_figures = promote(mlflow_client, finished_run(good(0.99)), good(0.99), policy, name=name)
    assert classifier_figures.version is None and champion_version(mlflow_client, name) == better.version
    strict = PromotionPolicy.for_extractor(require_beating_classical=True)
    losing = {**extraction(0.9), "dev_extraction_f1": 0.1}
    below = promote(mlflow_client, finished_run(losing), losing, strict, name=name, classical_metrics={
        "dev_extraction_f1": 0.2})  # fmt: skip
    assert not below.promoted and "beating it is required" in below.reason


def test_concurrent_promotions_decide_one_after_the_other(registry) -> None:
    """Two better runs promoted at the same moment: whatever the interleaving, the best one ends champion.

    Each round's two candidates both beat the champion. Whichever registered its version second
    decides against what the first one left (champion or not), never against the stale champion.
    """
    mlflow_client, name = registry
    champion = promote(mlflow_client, finished_run(good(0.4)), good(0.4), name=name)
    for better, worse in [(0.8, 0.6), (0.86, 0.82), (0.95, 0.9)]:
        runs = {score: finished_run(good(score)) for score in (better, worse)}
        start = threading.Barrier(2)

        def promote_together(score: float, runs: dict = runs, start: threading.Barrier = start) -> PromotionDecision:
            start.wait()
            return promote(mlflow_client, runs[score], good(score), name=name)

        with ThreadPoolExecutor(max_workers=2) as pool:
            decisions = dict(zip((better, worse), pool.map(promote_together, (better, worse)), strict=True))
        assert champion_version(mlflow_client, name) == decisions[better].version
        first, second = sorted(decisions.values(), key=lambda d: int(d.version))
        assert first.champion_version == champion.version  # the first decided against the old champion
        assert second.champion_version == (first.version if first.promoted else champion.version)
        assert decisions[better].promoted
        assert decisions[worse].alias == ("champion" if decisions[worse] is first else "challenger")
        for decision in decisions.values():
            assert mlflow_client.get_model_version(name, decision.version).tags[STATE_TAG] == "decided"
        champion = decisions[better]


def test_a_promotion_that_died_midway_is_not_waited_for_forever(registry) -> None:
    mlflow_client, name = registry
    promote(mlflow_client, finished_run(good(0.5)), good(0.5), name=name)
    dead_run = finished_run(good(0.9))
    source = f"{mlflow_client.get_run(dead_run).info.artifact_uri}/adapter"
    mlflow_client.create_model_version(name, source, dead_run, tags={STATE_TAG: "pending"})  # never decides
    started = time.monotonic()
    decision = promote(mlflow_client, finished_run(good(0.7)), good(0.7), PromotionPolicy(abandoned_after_s=2), name)
    assert decision.promoted and 1.5 <= time.monotonic() - started < 30


def test_unreachable_mlflow_is_a_clear_error() -> None:
    from mail2ticket.testing import free_port

    with pytest.raises(TrackingError, match=r"MLflow unreachable at http://127\.0\.0\.1:\d+"):
        client(f"http://127.0.0.1:{free_port()}")


def test_decide_rules() -> None:
    policy = PromotionPolicy(min_delta=0.1)
    assert decide(good(0.5), None, policy)[0]
    assert not decide(good(0.55), good(0.5), policy)[0]
    assert decide(good(0.6), good(0.5), policy)[0]
    assert not decide(good(0.5), good(0.5), PromotionPolicy())[0]  # a tie keeps the champion
    assert not decide(good(0.9, 0.5), None, policy)[0]


def test_runs_are_tagged_with_the_kfp_run_id(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KFP_RUN_ID", raising=False)
    assert run_tags({"step": "train"}) == {"step": "train"}
    monkeypatch.setenv("KFP_RUN_ID", "run-123")
    assert run_tags() == {"kfp.run_id": "run-123"}
