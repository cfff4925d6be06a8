"""The whole check: read the window, resolve the reference, compute the report (:func:`run_drift`)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from pathlib import Path

from mail2ticket.ops.drift.audit import _local_logs, _time_key, read_audit
from mail2ticket.ops.drift.checks import _empty_message, compute_report
from mail2ticket.ops.drift.config import DriftConfig
from mail2ticket.ops.drift.errors import DriftError, EmptyWindowError
from mail2ticket.ops.drift.reference import ReferenceConfidences, card_reference, read_predictions, registry_reference
from mail2ticket.ops.drift.report import DriftReport


def run_drift(
    audit_logs: str | Path | Sequence[str | Path],
    config: DriftConfig | None = None,
    card: str | Path | None = None,
    registered_model: str | None = None,
    alias: str = "champion",
    tracking_uri: str | None = None,
    reference_predictions: str | Path | None = None,
    now: datetime | None = None,
) -> DriftReport:
    """Read the window, resolve the reference, compute the report.

    The reference is the card ``card`` when given, else the champion's (``registered_model@alias``
    in the registry at ``tracking_uri`` or ``MLFLOW_TRACKING_URI``). Confidences and review rate
    are compared with, in this order: the reference window of the config, the predictions file
    ``reference_predictions``, the champion's evaluation (registry only); else those checks are skipped.
    """
    config = config or DriftConfig()
    logs = [audit_logs] if isinstance(audit_logs, str | Path) else list(audit_logs)
    since, until = config.window(now)
    if card is None and not registered_model:
        raise DriftError("no reference: give a dataset card or a registered model")
    with _local_logs(logs) as paths:
        window = read_audit(paths, since, until)
        if window.decisions == 0:
            raise EmptyWindowError(_empty_message("window", window, since, until))
        served_mode = window.modes.most_common(1)[0][0] if window.modes else None
        if card is not None:
            reference = card_reference(card)
        else:
            reference = registry_reference(registered_model or "", alias, tracking_uri, served_mode)
        confidences = reference.predictions
        if reference_predictions is not None:
            confidences = read_predictions(reference_predictions)
            if confidences is None:
                raise DriftError(f"{reference_predictions}: no confidence in the reference predictions")
        if ref_window := config.reference_window(since):
            earlier = read_audit(paths, *ref_window)
            if earlier.decisions == 0:
                raise EmptyWindowError(_empty_message("reference window", earlier, *ref_window))
            confidences = ReferenceConfidences(
                earlier.confidences, earlier.needs_review,
                f"audit log {_time_key(ref_window[0])} to {_time_key(ref_window[1])} ({earlier.decisions:,} decisions)",
            )  # fmt: skip
    return compute_report(window, reference, config, since, until, confidences)


__all__ = [
    "run_drift",
]
