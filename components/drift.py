"""KFP component: drift of the served decisions against the champion's training distribution.

A thin wrapper around :func:`mail2ticket.ops.drift.run_drift`: it reads a window of the audit
log, compares it with the champion's dataset card and evaluated confidences, writes the JSON
report and the PNG as output artifacts, logs them to MLflow, and fails the task (exit code 1)
when a check is past its threshold, so that a recurring run turns red: that is the alert. An
error (no audit log, an empty window, no champion) fails it with exit code 2.
"""

# No `from __future__ import annotations` here: KFP reads the real annotation objects.

from kfp import dsl
from kfp.dsl import Artifact, Metrics, Output

from components.images import RUNTIME_IMAGE


@dsl.component(base_image=RUNTIME_IMAGE, install_kfp_package=False)
def check_drift(
    report: Output[Artifact],
    plot: Output[Artifact],
    metrics: Output[Metrics],
    audit_log_uri: str,
    card_uri: str = "",
    registered_model: str = "mail2ticket-classifier",
    alias: str = "champion",
    window_days: float = 7.0,
    since: str = "",
    until: str = "",
    reference_since: str = "",
    reference_until: str = "",
    psi_threshold: float = 0.2,
    chi2_p_value: float = 0.001,
    unknown_rate_delta: float = 0.1,
    review_rate_delta: float = 0.15,
    confidence_psi_threshold: float = 0.2,
    fail_on_drift: bool = True,
    mlflow_experiment: str = "mail2ticket-drift",
    mlflow_tracking_uri: str = "",
) -> bool:
    """Compare a window of the audit log with the champion's training distribution; returns whether it drifted.

    audit_log_uri: the audit log as the task sees it: an s3:// URI (where the log collector ships
        it) or a path on a mounted volume.
    card_uri: a dataset card to compare with instead of the champion's (registered_model@alias).
    since, until: the window (ISO 8601, UTC without offset); empty: the last window_days days.
    reference_since, reference_until: a reference window of the same log for the confidences and
        the review rate (empty: what the champion's evaluation recorded).
    fail_on_drift: fail the task (exit code 1) past a threshold, after logging the report.
    """
    import os
    import shutil
    import sys
    import tempfile
    import traceback

    from mail2ticket.ops.drift import DriftConfig, DriftError, log_report, parse_time, run_drift, write_outputs

    try:
        times = {"since": since, "until": until, "reference_since": reference_since,
                 "reference_until": reference_until}  # fmt: skip
        config = DriftConfig(
            **{k: parse_time(v) for k, v in times.items() if v}, window_days=window_days,
            psi_threshold=psi_threshold, chi2_p_value=chi2_p_value, unknown_rate_delta=unknown_rate_delta,
            review_rate_delta=review_rate_delta, confidence_psi_threshold=confidence_psi_threshold,
        )  # fmt: skip
        result = run_drift(
            audit_log_uri, config, card_uri or None, None if card_uri else registered_model, alias,
            mlflow_tracking_uri or None,
        )  # fmt: skip
        paths = write_outputs(result, tempfile.mkdtemp())
        shutil.copyfile(paths["report"], report.path)
        shutil.copyfile(paths["plot"], plot.path)
        uri = mlflow_tracking_uri or os.environ.get("MLFLOW_TRACKING_URI")
        run_id = log_report(result, uri, mlflow_experiment, paths["plot"]) if uri else ""
    except Exception as exc:  # exit code 1 is drift: any failure to check is 2
        if not isinstance(exc, DriftError | ValueError):
            traceback.print_exc()
        print(f"error: {exc}", file=sys.stderr)
        sys.exit(2)
    plot.metadata["mime_type"] = "image/png"
    report.metadata.update({"drifted": result.drifted, "mlflow_run_id": run_id,
                            "failed_checks": [c.name for c in result.failed]})  # fmt: skip
    for name, value in result.metrics().items():
        metrics.log_metric(name, value)
    print(result.summary())
    if result.drifted and fail_on_drift:
        print(f"drift past thresholds: {result.summary()}", file=sys.stderr)
        sys.exit(1)
    return result.drifted
