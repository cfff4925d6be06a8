"""Drift of served decisions against the champion's training distribution.

A window of the audit log (``serving/audit.py``: one JSON line per answered decision, with its
``time``, ``category``, ``confidence``, ``needs_review`` and ``models``) is compared with the
reference of :mod:`.reference` (the champion's dataset card and evaluated confidences). Five
checks, each with a threshold of :class:`DriftConfig`:

* ``category_psi``: population stability index of the category mix (``unknown`` left out, it
  has its own check) against the card's train shares. The usual reading: under 0.1 stable,
  0.1 to 0.2 moderate, above 0.2 significant (the default threshold);
* ``category_chi2``: chi-square goodness of fit of the served category counts to the train
  shares; drift when its p-value falls under the threshold. On a large window the test finds
  even a small shift significant: the PSI says whether it is large;
* ``unknown_rate``: served share of ``unknown`` minus the card's train share of it (absolute);
* ``review_rate``: served share of ``needs_review`` minus the reference's (absolute);
* ``confidence_psi``: PSI of the confidences over equal-width bins of [0, 1] against the
  reference's (optionally ``confidence_ks``, the two-sample Kolmogorov-Smirnov statistic).

A check without a reference (no evaluated confidences and no reference window) is skipped, and
said so. The report is :class:`DriftReport`: every figure, per-check status, ``drifted``; it is
written as JSON and a PNG (:func:`plot_drift`) and logged to MLflow (:func:`log_report`).

Exit codes of ``mail2ticket drift`` and of the KFP component: 0 no drift, 1 drift past a
threshold, 2 an error (missing audit log, unreadable card, empty window, registry unreachable).

Reading is one pass over the file's lines with :func:`json.loads` (100,000 lines in under 2 s on
2 cores, ``bench/drift.py``); a line that is not a well-formed decision is counted and skipped,
never fatal: the audit log is append-only and a crashed writer may leave a torn last line.

Modules: :mod:`.config` (the window and the thresholds), :mod:`.audit` (reading the audit log:
windows, malformed lines, ``.gz``, ``s3://``), :mod:`.reference` (the dataset card, the registry,
the reference confidences), :mod:`.statistics` (PSI, chi-square, the confidence histogram),
:mod:`.checks` (the five checks, :func:`compute_report`), :mod:`.report` (the report and its
JSON), :mod:`.run` (the whole check, :func:`run_drift`), :mod:`.plots` (the PNG), :mod:`.outputs`
(the files and tables of the command), :mod:`.tracking` (MLflow), :mod:`.errors` (the errors, each
a :class:`ValueError`).
"""

from mail2ticket.ops.drift.audit import AuditWindow, read_audit
from mail2ticket.ops.drift.checks import compute_report
from mail2ticket.ops.drift.config import DriftConfig, parse_time
from mail2ticket.ops.drift.errors import (
    AuditLogError,
    CardError,
    DriftError,
    EmptyWindowError,
    ReferenceNotFoundError,
)
from mail2ticket.ops.drift.outputs import render_tables, write_outputs
from mail2ticket.ops.drift.plots import plot_drift
from mail2ticket.ops.drift.reference import (
    Reference,
    ReferenceConfidences,
    card_counts,
    card_reference,
    load_card,
    read_predictions,
    registry_reference,
)
from mail2ticket.ops.drift.report import (
    EXIT_DRIFT,
    EXIT_ERROR,
    EXIT_OK,
    CategoryRow,
    Check,
    ConfidenceFigures,
    DriftReport,
)
from mail2ticket.ops.drift.run import run_drift
from mail2ticket.ops.drift.statistics import DEFAULT_EPSILON, chi_square, confidence_histogram, psi, psi_terms
from mail2ticket.ops.drift.tracking import DEFAULT_EXPERIMENT, log_report

__all__ = [
    "DEFAULT_EPSILON",
    "DEFAULT_EXPERIMENT",
    "EXIT_DRIFT",
    "EXIT_ERROR",
    "EXIT_OK",
    "AuditLogError",
    "AuditWindow",
    "CardError",
    "CategoryRow",
    "Check",
    "ConfidenceFigures",
    "DriftConfig",
    "DriftError",
    "DriftReport",
    "EmptyWindowError",
    "Reference",
    "ReferenceConfidences",
    "ReferenceNotFoundError",
    "card_counts",
    "card_reference",
    "chi_square",
    "compute_report",
    "confidence_histogram",
    "load_card",
    "log_report",
    "parse_time",
    "plot_drift",
    "psi",
    "psi_terms",
    "read_audit",
    "read_predictions",
    "registry_reference",
    "render_tables",
    "run_drift",
    "write_outputs",
]
