"""Promote a trained adapter in the MLflow registry (DESIGN, data flow step 5).

Registered model ``mail2ticket-classifier``; the alias ``champion`` is what serving loads.
A candidate becomes champion when there is none, or when its metric (macro-F1 by default)
is strictly higher than the champion's, by at least ``min_delta`` and its match rate reaches the floor; otherwise
it gets the alias ``challenger``. The reason is a tag on the model version and the decision is
returned (the KFP component writes it as an output artifact).

A failed or partial run (missing metrics) never moves ``champion``. The champion is re-read
right before the alias is set: if another run took it meanwhile, the decision is made again
against the new champion, so two runs finishing together cannot install the worse model.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import asdict, dataclass, field
from typing import Any

from mail2ticket.tracking import CHALLENGER, CHAMPION, REGISTERED_MODEL

REQUIRED_METRICS = ("macro_f1", "accuracy", "match_rate")
MAX_RACE_RETRIES = 5


class PromotionError(RuntimeError):
    """Promotion could not be carried out; no alias moved."""


@dataclass(frozen=True)
class PromotionPolicy:
    metric: str = "macro_f1"
    """Metric compared with the champion's."""
    min_delta: float = 0.0
    """How much the candidate must beat the champion by."""
    min_match_rate: float = 0.95
    """Below this match rate a candidate never becomes champion."""


@dataclass
class PromotionDecision:
    promoted: bool
    alias: str | None
    version: str | None
    reason: str
    candidate_metric: float | None = None
    champion_version: str | None = None
    champion_metric: float | None = None
    metrics: dict[str, float] = field(default_factory=dict)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)


def decide(
    metrics: dict[str, float], champion_metrics: dict[str, float] | None, policy: PromotionPolicy
) -> tuple[bool, str]:
    """Whether a candidate with ``metrics`` should replace a champion with ``champion_metrics``."""
    value = metrics[policy.metric]
    if metrics["match_rate"] < policy.min_match_rate:
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


def _champion(client: Any, name: str) -> tuple[str, dict[str, float]] | None:
    from mlflow.exceptions import MlflowException

    try:
        version = client.get_model_version_by_alias(name, CHAMPION)
    except MlflowException:
        return None
    metrics = {k[len("metric.") :]: float(v) for k, v in version.tags.items() if k.startswith("metric.")}
    return version.version, metrics


def promote(
    client: Any,
    run_id: str,
    metrics: dict[str, float] | None,
    policy: PromotionPolicy | None = None,
    name: str = REGISTERED_MODEL,
    version_tags: dict[str, str] | None = None,
    before_alias: Callable[[], None] | None = None,
    artifact_path: str = "adapter",
) -> PromotionDecision:
    """Register the adapter logged under ``artifact_path`` in run ``run_id`` and move the aliases.

    ``before_alias`` is called between the decision and the final re-read (tests use it to
    play a concurrent promotion).
    """
    from mlflow.exceptions import MlflowException

    policy = policy or PromotionPolicy()
    missing = [m for m in (*REQUIRED_METRICS, policy.metric) if not metrics or m not in metrics]
    if missing:
        return PromotionDecision(False, None, None, f"partial run: no {', '.join(sorted(set(missing)))}; nothing moved")
    try:
        run = client.get_run(run_id)
    except MlflowException as exc:
        raise PromotionError(f"cannot read run {run_id}: {exc}") from None
    if run.info.status not in ("FINISHED", "RUNNING"):
        return PromotionDecision(False, None, None, f"run {run_id} is {run.info.status}; nothing moved")

    try:
        client.get_registered_model(name)
    except MlflowException:
        client.create_registered_model(name, description="LoRA adapters of the mail2ticket classification agent")
    tags = {**(version_tags or {}), **{f"metric.{k}": repr(float(v)) for k, v in metrics.items()}}
    source = f"{run.info.artifact_uri.rstrip('/')}/{artifact_path}"
    version = client.create_model_version(name, source=source, run_id=run_id, tags=tags).version

    champion = _champion(client, name)
    for _ in range(MAX_RACE_RETRIES):
        promote_it, reason = decide(metrics, champion[1] if champion else None, policy)
        if before_alias:
            before_alias()
            before_alias = None
        latest = _champion(client, name)  # re-read right before moving the alias
        if (latest[0] if latest else None) != (champion[0] if champion else None):
            champion = latest  # someone else promoted meanwhile: decide again against them
            continue
        alias = CHAMPION if promote_it else CHALLENGER
        client.set_registered_model_alias(name, alias, version)
        client.set_model_version_tag(name, version, "promotion_reason", reason)
        client.set_model_version_tag(name, version, "promotion_alias", alias)
        return PromotionDecision(
            promoted=promote_it,
            alias=alias,
            version=version,
            reason=reason,
            candidate_metric=metrics[policy.metric],
            champion_version=champion[0] if champion else None,
            champion_metric=champion[1].get(policy.metric) if champion else None,
            metrics=dict(metrics),
        )
    client.set_model_version_tag(name, version, "promotion_reason", "champion kept changing; nothing moved")
    return PromotionDecision(False, None, version, "champion kept changing during promotion; nothing moved")
