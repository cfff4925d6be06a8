"""KFP components: promote a candidate in the MLflow registry (champion / challenger), classifier or extractor."""

# No `from __future__ import annotations` here: KFP reads the real annotation objects.

from kfp import dsl
from kfp.dsl import Artifact, Input, Output

from components.images import RUNTIME_IMAGE


@dsl.component(base_image=RUNTIME_IMAGE, install_kfp_package=False)
def promote_adapter(
    candidate_report: Input[Artifact],
    classical_report: Input[Artifact],
    decision: Output[Artifact],
    mlflow_run_id: str,
    metric: str = "macro_f1",
    min_delta: float = 0.0,
    min_match_rate: float = 0.95,
    require_beating_classical: bool = False,
    registered_model: str = "mail2ticket-classifier",
    mlflow_tracking_uri: str = "",
) -> str:
    """Register the adapter and move the aliases; returns the alias it got ('' when none moved).

    classical_report: the classical baseline's metrics; whether the candidate beats it is recorded
        on the version, and required for champion when require_beating_classical is set.
    """
    from mail2ticket.registry.promotion import PromotionPolicy, promotion_step

    policy = PromotionPolicy(
        metric=metric, min_delta=min_delta, min_match_rate=min_match_rate,
        require_beating_classical=require_beating_classical,
    )  # fmt: skip
    result = promotion_step(
        candidate_report.path, mlflow_run_id, policy, mlflow_tracking_uri or None, registered_model,
        classical_report.path,
    )  # fmt: skip
    result.record(decision)
    return result.alias or ""


@dsl.component(base_image=RUNTIME_IMAGE, install_kfp_package=False)
def promote_extractor(
    candidate_report: Input[Artifact],
    classical_report: Input[Artifact],
    decision: Output[Artifact],
    mlflow_run_id: str,
    metric: str = "extraction_f1",
    min_delta: float = 0.0,
    require_beating_classical: bool = False,
    registered_model: str = "mail2ticket-extractor",
    mlflow_tracking_uri: str = "",
) -> str:
    """Register the extraction agents' adapter and move its aliases; returns the alias it got ('' when none moved).

    metric: the field metric compared with the champion's (extraction_f1 on the test set, or
        dev_extraction_f1 when the pipeline evaluates the hand-written dev set).
    classical_report: the alert parsers alone (the classical baseline); whether the candidate
        beats them is recorded on the version, and required for champion when
        require_beating_classical is set.
    """
    from mail2ticket.registry.promotion import PromotionPolicy, promotion_step

    result = promotion_step(
        candidate_report.path, mlflow_run_id,
        PromotionPolicy.for_extractor(metric, min_delta, require_beating_classical),
        mlflow_tracking_uri or None, registered_model, classical_report.path,
        description="LoRA adapters of the mail2ticket extraction agents (one multi-task adapter)",
    )  # fmt: skip
    result.record(decision)
    return result.alias or ""
