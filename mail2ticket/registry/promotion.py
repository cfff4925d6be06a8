"""Promote a trained adapter in the MLflow registry: ``champion`` or ``challenger``.

Registered models ``mail2ticket-classifier`` and ``mail2ticket-extractor`` (the extraction
agents' adapter, on field F1: :meth:`PromotionPolicy.for_extractor`); the alias ``champion`` is
what serving loads.
A candidate becomes champion when there is none, or when its metric (macro-F1 by default)
is strictly higher than the champion's, by at least ``min_delta``, and its match rate reaches
the floor; otherwise it gets the alias ``challenger``. The reason is a tag on the model version
and the decision is returned (the KFP component writes it as an output artifact).

A failed or partial run (missing metrics) never moves ``champion``.

Concurrent promotions: MLflow moves an alias with a plain write (no compare-and-set), so two
runs that decided against the same champion could each install themselves, the worse one last.
What MLflow does order is version creation: version numbers are assigned one at a time. So a
version is registered as ``promotion_state: pending`` and decides only when every older pending
version of the model has decided: promotions of one model decide one after the other, in the
order of their versions, each against the champion the previous one left. A pending version
older than ``abandoned_after_s`` belongs to a promotion that died midway and is not waited for.
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from mail2ticket.registry import tracking
from mail2ticket.registry.tracking import CHALLENGER, CHAMPION, REGISTERED_MODEL

#: The candidate run's tag naming the logged model of its adapter (set by the training step).
ADAPTER_MODEL_TAG = "mail2ticket.adapter_model_id"

logger = logging.getLogger(__name__)

#: Metrics a classifier candidate must have, or its run is partial and nothing moves.
REQUIRED_METRICS = ("macro_f1", "accuracy", "match_rate")
#: The same for an extractor candidate (the extraction agents' adapter), scored on ticket fields.
EXTRACTION_REQUIRED_METRICS = ("extraction_f1", "extraction_precision", "extraction_recall", "extraction_exact_match")
#: The version tag that orders concurrent promotions: ``pending`` from registration, then ``decided``.
STATE_TAG = "promotion_state"
#: How often a promotion checks whether the older pending versions have decided, in seconds.
TURN_POLL_S = 0.2


class PromotionError(RuntimeError):
    """Promotion could not be carried out; no alias moved."""


@dataclass(frozen=True)
class PromotionPolicy:
    """When a candidate replaces the champion."""

    metric: str = "macro_f1"
    """Metric compared with the champion's."""
    min_delta: float = 0.0
    """How much the candidate must beat the champion by."""
    min_match_rate: float = 0.95
    """Below this match rate a candidate never becomes champion."""
    abandoned_after_s: float = 600.0
    """A version pending for longer than this is a promotion that died; later ones stop waiting for it."""
    require_beating_classical: bool = False
    """Only a candidate that beats the classical baseline (TF-IDF + linear) may become champion."""
    required_metrics: tuple[str, ...] = REQUIRED_METRICS
    """Metrics the candidate's evaluation must have written, or the run is partial and nothing moves."""

    @classmethod
    def for_extractor(
        cls, metric: str = "extraction_f1", min_delta: float = 0.0, require_beating_classical: bool = False
    ) -> PromotionPolicy:
        """The extractor adapter's policy: the same gates on field F1, without a match rate (no label to match).

        Its classical baseline is the alert parsers alone: rules, no model.
        """
        return cls(
            metric=metric,
            min_delta=min_delta,
            min_match_rate=0.0,
            required_metrics=EXTRACTION_REQUIRED_METRICS,
            require_beating_classical=require_beating_classical,
        )


@dataclass
class PromotionDecision:
    """What a promotion did, as the KFP component's output artifact records it."""

    promoted: bool
    """Whether the candidate became champion."""
    alias: str | None
    """The alias it got (``champion``, ``challenger``), None when nothing moved."""
    version: str | None
    """Its registered version, None when it was not registered (a partial or failed run)."""
    reason: str
    """Why, in words (also the version's ``promotion_reason`` tag)."""
    candidate_metric: float | None = None
    champion_version: str | None = None
    """The champion it was compared with."""
    champion_metric: float | None = None
    metrics: dict[str, float] = field(default_factory=dict)
    beats_classical: bool | None = None
    """Whether the candidate beats the classical baseline (None: no classical figures given)."""

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    def record(self, artifact: Any) -> None:
        """Write the decision into a KFP output artifact (anything with ``path`` and ``metadata``):
        the whole decision as JSON in its file, what the KFP UI lists in its metadata."""
        Path(artifact.path).write_text(json.dumps(self.to_dict(), ensure_ascii=False, indent=2), encoding="utf-8")
        artifact.metadata.update({"promoted": self.promoted, "alias": self.alias or "", "reason": self.reason,
                                  "beats_classical": self.beats_classical})  # fmt: skip


def decide(
    metrics: dict[str, float], champion_metrics: dict[str, float] | None, policy: PromotionPolicy
) -> tuple[bool, str]:
    """Whether a candidate with ``metrics`` should replace a champion with ``champion_metrics``."""
    value = metrics[policy.metric]
    if metrics.get("match_rate", 1.0) < policy.min_match_rate:  # a classifier's: it has no other way to be absent
        return False, f"match rate {metrics['match_rate']:.4f} is under the floor {policy.min_match_rate:.4f}"
    if champion_metrics is None:
        return True, f"no champion yet; {policy.metric} {value:.4f}"
    if policy.metric not in champion_metrics:
        return True, f"the champion has no {policy.metric}; candidate {value:.4f}"
    best = champion_metrics[policy.metric]
    # Strictly better, and by at least min_delta: a tie keeps the champion (no churn).
    if value > best and value - best >= policy.min_delta - 1e-12:
        return True, f"{policy.metric} {value:.4f} beats the champion's {best:.4f} by at least {policy.min_delta:g}"
    return False, f"{policy.metric} {value:.4f} does not beat the champion's {best:.4f} by {policy.min_delta:g}"


def beats_classical(
    metrics: dict[str, float], classical: dict[str, float] | None, metric: str
) -> tuple[bool | None, str]:
    """Whether the candidate beats the classical baseline on ``metric``: on the hand-written dev set when
    both were evaluated on it (generalisation), else on the test set."""
    if not classical:
        return None, "no classical baseline figures"
    for prefix, where in (("dev_", "the dev set"), ("", "the test set")):
        if prefix + metric in metrics and prefix + metric in classical:
            mine, theirs = metrics[prefix + metric], classical[prefix + metric]
            verdict = "beats" if mine > theirs else "does not beat"
            return mine > theirs, f"{metric} {mine:.4f} {verdict} the classical baseline's {theirs:.4f} on {where}"
    return None, f"the classical baseline has no {metric}"


def _champion(client: Any, name: str) -> tuple[str, dict[str, float]] | None:
    from mlflow.exceptions import MlflowException

    try:
        version = client.get_model_version_by_alias(name, CHAMPION)
    except MlflowException:
        return None
    metrics = {k[len("metric.") :]: float(v) for k, v in version.tags.items() if k.startswith("metric.")}
    return version.version, metrics


def _wait_for_turn(client: Any, name: str, version: str, abandoned_after_s: float) -> None:
    """Return once no older version of ``name`` is still pending (or those left are abandoned)."""
    while True:
        now_ms = time.time() * 1000
        waiting = [
            found.version
            for found in client.search_model_versions(f"name='{name}'")
            if int(found.version) < int(version)
            and found.tags.get(STATE_TAG) == "pending"
            and now_ms - found.creation_timestamp < 1000 * abandoned_after_s
        ]
        if not waiting:
            return
        logger.info("version %s of %s waits for the promotion of version(s) %s", version, name, ", ".join(waiting))
        time.sleep(TURN_POLL_S)


def promote(
    client: Any,
    run_id: str,
    metrics: dict[str, float] | None,
    policy: PromotionPolicy | None = None,
    name: str = REGISTERED_MODEL,
    version_tags: dict[str, str] | None = None,
    artifact_path: str = "adapter",
    classical_metrics: dict[str, float] | None = None,
    model_id: str | None = None,
    description: str = "LoRA adapters of the mail2ticket classification agent",
) -> PromotionDecision:
    """Register the adapter logged under ``artifact_path`` in run ``run_id`` and move the aliases.

    ``description`` is the registered model's, when this promotion creates it.
    """
    from mlflow.exceptions import MlflowException

    policy = policy or PromotionPolicy()
    missing = [m for m in (*policy.required_metrics, policy.metric) if not metrics or m not in metrics]
    if missing:
        return PromotionDecision(False, None, None, f"partial run: no {', '.join(sorted(set(missing)))}; nothing moved")
    assert metrics is not None
    try:
        run = client.get_run(run_id)
    except MlflowException as exc:
        raise PromotionError(f"cannot read run {run_id}: {exc}") from None
    if run.info.status not in ("FINISHED", "RUNNING"):
        return PromotionDecision(False, None, None, f"run {run_id} is {run.info.status}; nothing moved")

    try:
        client.get_registered_model(name)
    except MlflowException:
        client.create_registered_model(name, description=description)
    tags = {
        **(version_tags or {}),
        **{f"metric.{k}": repr(float(v)) for k, v in metrics.items()},
        STATE_TAG: "pending",
    }
    beats, versus_classical = beats_classical(metrics, classical_metrics, policy.metric)
    if beats is not None:
        tags["beats_classical"] = str(beats).lower()
    # The logged model's own artifacts when the run logged one (the version then links to it), else the run's.
    if model_id:
        source = client.get_logged_model(model_id).artifact_location
    else:
        source = f"{run.info.artifact_uri.rstrip('/')}/{artifact_path}"
    version = client.create_model_version(name, source=source, run_id=run_id, tags=tags, model_id=model_id).version
    try:
        _wait_for_turn(client, name, version, policy.abandoned_after_s)
        champion = _champion(client, name)
        promote_it, reason = decide(metrics, champion[1] if champion else None, policy)
        if promote_it and policy.require_beating_classical and beats is not True:
            promote_it, reason = False, f"{versus_classical}, and beating it is required"
        elif beats is not None:
            reason = f"{reason}; {versus_classical}"
        alias = CHAMPION if promote_it else CHALLENGER
        client.set_registered_model_alias(name, alias, version)
        client.set_model_version_tag(name, version, "promotion_reason", reason)
        client.set_model_version_tag(name, version, "promotion_alias", alias)
    finally:  # decided or failed: the next promotion must not wait for this one
        client.set_model_version_tag(name, version, STATE_TAG, "decided")
    return PromotionDecision(
        promoted=promote_it,
        alias=alias,
        version=version,
        reason=reason,
        candidate_metric=metrics[policy.metric],
        champion_version=champion[0] if champion else None,
        champion_metric=champion[1].get(policy.metric) if champion else None,
        metrics=dict(metrics),
        beats_classical=beats,
    )


def promotion_step(
    metrics_path: str | Path,
    run_id: str,
    policy: PromotionPolicy,
    tracking_uri: str | None = None,
    registered_model: str = REGISTERED_MODEL,
    classical_metrics_path: str | Path | None = None,
    description: str | None = None,
) -> PromotionDecision:
    """The pipeline's promote step: the candidate's metrics file, its run's adapter, the aliases moved.

    ``classical_metrics_path``: the classical baseline's metrics file; whether the candidate beats
    it is recorded on the version (and required when the policy says so).
    """
    metrics = _read_metrics(metrics_path)
    wanted = (*policy.required_metrics, policy.metric)
    candidate = {k: float(v) for k, v in metrics.items() if k in wanted or k.removeprefix("dev_") in wanted}
    classical = _read_metrics(classical_metrics_path) if classical_metrics_path else None
    client = tracking.client(tracking_uri)
    run = client.get_run(run_id)
    tags = {k: run.data.tags[k] for k in ("taxonomy_version", "prompt_version") if k in run.data.tags}
    if tracking.KFP_RUN_ID_TAG in run.data.tags:
        tags[tracking.KFP_RUN_ID_TAG] = run.data.tags[tracking.KFP_RUN_ID_TAG]
    model_id = run.data.tags.get(ADAPTER_MODEL_TAG)
    return promote(client, run_id, candidate, policy, registered_model, tags, classical_metrics=classical,
                   model_id=model_id, **({"description": description} if description else {}))  # fmt: skip


def _read_metrics(path: str | Path) -> dict[str, Any]:
    try:
        metrics = json.loads(Path(path).read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise PromotionError(f"{path}: no evaluation metrics ({exc}); nothing promoted") from None
    return {k: v for k, v in metrics.items() if isinstance(v, int | float) and not isinstance(v, bool)}


__all__ = [
    "ADAPTER_MODEL_TAG",
    "EXTRACTION_REQUIRED_METRICS",
    "REQUIRED_METRICS",
    "STATE_TAG",
    "PromotionDecision",
    "PromotionError",
    "PromotionPolicy",
    "beats_classical",
    "decide",
    "promote",
    "promotion_step",
]
