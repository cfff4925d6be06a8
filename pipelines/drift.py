"""The drift pipeline: one step, :func:`components.drift.check_drift`, meant to run as a KFP recurring run.

Users upload ``pipelines/compiled/drift.yaml`` and schedule it (``docs/operations-drift.md``):
each run reads the last ``window_days`` of the audit log, compares them with the champion's
training distribution, logs the report to MLflow and fails when a check is past its threshold,
so that the failed run is the alert.

Like the training pipeline, cluster settings are fixed at compile time: the Secrets (S3 for an
``s3://`` audit log, MLflow for the registry and the report) from :class:`ClusterSettings`, and
the audit log's volume from :class:`AuditVolume` (``MAIL2TICKET_AUDIT_CLAIM``: a ReadWriteMany
claim the serving pods write the log to, mounted read from the step). The compiled YAML targets
the KFP 2.14.3 API server (see :mod:`pipelines.cluster`).

    python -m pipelines.drift            # writes pipelines/compiled/drift.yaml
"""

# No `from __future__ import annotations` here: KFP reads the real annotation objects.

import os
from dataclasses import dataclass, field
from pathlib import Path

from kfp import compiler, dsl, kubernetes

from components.drift import check_drift
from mail2ticket.ops.drift import DEFAULT_EXPERIMENT, DriftConfig
from pipelines.cluster import ClusterSettings, on_cluster

PIPELINE_NAME = "mail2ticket-drift"
COMPILED_PATH = Path(__file__).parent / "compiled" / "drift.yaml"
#: The thresholds' defaults, from their one home (DriftConfig).
DRIFT = DriftConfig().model_dump()


@dataclass(frozen=True)
class AuditVolume:
    """Where the drift step finds an audit log given as a path (compile-time)."""

    claim: str = field(default_factory=lambda: os.environ.get("MAIL2TICKET_AUDIT_CLAIM", ""))
    """A ReadWriteMany PersistentVolumeClaim holding the audit log (the chart's ``serving.audit.existingClaim``);
    empty: none mounted, the log is read from s3://."""
    mount_path: str = field(
        default_factory=lambda: os.environ.get("MAIL2TICKET_AUDIT_MOUNT", "/var/lib/mail2ticket/audit")
    )
    """Where the claim is mounted in the step (the serving pods' folder, so the same path works)."""


def build_pipeline(settings: "ClusterSettings | None" = None, cluster: bool = True, audit: "AuditVolume | None" = None):
    """The pipeline function; ``cluster=False`` leaves out Kubernetes settings (kfp.local)."""
    settings = settings or ClusterSettings()
    audit = audit or AuditVolume()

    @dsl.pipeline(name=PIPELINE_NAME, description="Drift of the served decisions against the champion's training.")
    def drift(
        audit_log_uri: str,
        card_uri: str = "",
        registered_model: str = "mail2ticket-classifier",
        alias: str = "champion",
        window_days: float = DRIFT["window_days"],
        since: str = "",
        until: str = "",
        reference_since: str = "",
        reference_until: str = "",
        psi_threshold: float = DRIFT["psi_threshold"],
        chi2_p_value: float = DRIFT["chi2_p_value"],
        unknown_rate_delta: float = DRIFT["unknown_rate_delta"],
        review_rate_delta: float = DRIFT["review_rate_delta"],
        confidence_psi_threshold: float = DRIFT["confidence_psi_threshold"],
        fail_on_drift: bool = True,
        mlflow_experiment: str = DEFAULT_EXPERIMENT,
    ):
        """Compare the last window of served decisions with the champion's training distribution.

        Args:
            audit_log_uri: The audit log: s3:// URI, or a path on the mounted audit volume.
            card_uri: A dataset card to compare with instead of the champion's.
            registered_model: Registered model whose alias names the reference.
            alias: Alias of the reference version (serving loads champion).
            window_days: Length of the window, ending when the run starts.
            since: Window start (ISO 8601, UTC) instead of window_days; empty for a recurring run.
            until: Window end (exclusive); empty: now.
            reference_since: A reference window of the same log for confidences and review rate.
            reference_until: End of the reference window (empty: the window's start).
            psi_threshold: Category mix PSI above this is drift (0.1-0.2 moderate, above 0.2 significant).
            chi2_p_value: Chi-square p-value of the category counts under this is drift (0: never).
            unknown_rate_delta: Served unknown share further than this from the training share is drift.
            review_rate_delta: Served review share further than this from the reference's is drift.
            confidence_psi_threshold: PSI of the confidence histogram above this is drift.
            fail_on_drift: Fail the run past a threshold (the alert of a recurring run).
            mlflow_experiment: MLflow experiment of the drift reports.
        """
        checked = check_drift(
            audit_log_uri=audit_log_uri, card_uri=card_uri, registered_model=registered_model, alias=alias,
            window_days=window_days, since=since, until=until, reference_since=reference_since,
            reference_until=reference_until, psi_threshold=psi_threshold, chi2_p_value=chi2_p_value,
            unknown_rate_delta=unknown_rate_delta, review_rate_delta=review_rate_delta,
            confidence_psi_threshold=confidence_psi_threshold, fail_on_drift=fail_on_drift,
            mlflow_experiment=mlflow_experiment,
        )  # fmt: skip
        checked.set_caching_options(False)  # the same parameters read a different window every run
        if cluster:
            on_cluster(checked, settings, gpu=False)
            if audit.claim:
                kubernetes.mount_pvc(checked, pvc_name=audit.claim, mount_path=audit.mount_path)

    return drift


def compile_pipeline(
    path: str | Path = COMPILED_PATH, settings: ClusterSettings | None = None, audit: AuditVolume | None = None
) -> Path:
    """Write the YAML the KFP UI takes."""
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    compiler.Compiler().compile(build_pipeline(settings, audit=audit), str(target))
    return target


if __name__ == "__main__":  # pragma: no cover
    print(f"wrote {compile_pipeline()}")
