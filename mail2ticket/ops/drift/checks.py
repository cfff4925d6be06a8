"""The checks of a window against the reference: the category mix, the unknown and review rates, the confidences."""

from __future__ import annotations

from collections import Counter
from datetime import datetime

import numpy as np

from mail2ticket.ops.drift.audit import AuditWindow, _time_key
from mail2ticket.ops.drift.config import DriftConfig
from mail2ticket.ops.drift.errors import EmptyWindowError
from mail2ticket.ops.drift.reference import Reference, ReferenceConfidences
from mail2ticket.ops.drift.report import CategoryRow, Check, ConfidenceFigures, DriftReport
from mail2ticket.ops.drift.statistics import chi_square, confidence_histogram, psi, psi_terms


def _check(
    name: str, description: str, value: float | None, threshold: float | None, note: str = "", below: bool = False
) -> Check:
    """A check drifting when ``value`` is above ``threshold`` (below it with ``below``); skipped without a value."""
    if value is None or threshold is None:
        return Check(name, description, value, threshold, "skipped", note)
    drifted = value < threshold if below else value > threshold
    return Check(name, description, value, threshold, "drift" if drifted else "pass", note)


def _category_mix(
    counts: Counter[str], reference: Reference, epsilon: float
) -> tuple[list[CategoryRow], list[str], float | None, tuple[float, float, int] | None, str]:
    """Rows of the category table, unseen categories, PSI, chi-square, and why they were not computed."""
    unknown = reference.unknown_label
    by_size = sorted((c for c in reference.train_counts if c != unknown), key=lambda c: (-reference.train_counts[c], c))
    unseen = sorted(c for c in counts if c != unknown and c not in reference.train_counts)
    names = by_size + unseen
    train = np.array([reference.train_counts.get(c, 0) for c in names], dtype=float)
    served = np.array([counts.get(c, 0) for c in names], dtype=float)
    if served.sum() == 0 or train.sum() == 0:
        why = "every served decision is unknown" if served.sum() == 0 else "the card has only unknown examples"
        return [], unseen, None, None, why
    terms = psi_terms(train, served, epsilon)
    train_shares, served_shares = train / train.sum(), served / served.sum()
    rows = [
        CategoryRow(name, int(t), round(float(ts), 6), int(s), round(float(ss), 6), round(float(term), 6))
        for name, t, ts, s, ss, term in zip(names, train, train_shares, served, served_shares, terms, strict=True)
    ]
    return rows, unseen, float(terms.sum()), chi_square(served, train, epsilon), ""


def compute_report(
    window: AuditWindow,
    reference: Reference,
    config: DriftConfig,
    since: datetime,
    until: datetime,
    reference_confidences: ReferenceConfidences | None = None,
) -> DriftReport:
    """The figures and checks of ``window`` against ``reference`` (and the reference confidences, when any)."""
    if window.decisions == 0:
        raise EmptyWindowError(_empty_message("window", window, since, until))
    unknown = reference.unknown_label
    rows, unseen, mix_psi, chi2, why = _category_mix(window.category_counts, reference, config.epsilon)
    statistic, p_value, dof = chi2 if chi2 else (None, None, 0)
    sparse = bool(rows) and min(r.train_share for r in rows) * window.decisions < 5
    unknown_rate = window.category_counts.get(unknown, 0) / window.decisions
    unknown_reference = reference.train_counts.get(unknown, 0) / reference.train_total
    review_rate = float(window.needs_review.mean())
    flags = reference_confidences.needs_review if reference_confidences is not None else None
    review_reference = float(flags.mean()) if flags is not None and flags.size else None
    confidence = _confidence_figures(window.confidences, reference_confidences, config)
    no_confidence = "no reference confidences" if confidence.served_n else "no served confidence"
    checks = [
        _check(
            "category_psi", "PSI of the category mix (unknown left out) against the train shares", mix_psi,
            config.psi_threshold, why or (f"{len(unseen)} served categories never seen in training" if unseen else ""),
        ),
        _check(
            "category_chi2", "chi-square p-value of the category counts (drift below the threshold)", p_value,
            config.chi2_p_value, why or ("under 5 expected decisions in some category" if sparse else ""), below=True,
        ),
        _check(
            "unknown_rate", f"|served - train| share of {unknown}", abs(unknown_rate - unknown_reference),
            config.unknown_rate_delta, f"served {unknown_rate:.3f}, train {unknown_reference:.3f}",
        ),
        _check(
            "review_rate", "|served - reference| share of needs_review",
            None if review_reference is None else abs(review_rate - review_reference), config.review_rate_delta,
            "no reference review rate" if review_reference is None
            else f"served {review_rate:.3f}, reference {review_reference:.3f}",
        ),
        _check(
            "confidence_psi", "PSI of the confidence histogram against the reference's", confidence.psi,
            config.confidence_psi_threshold, "" if confidence.psi is not None else no_confidence,
        ),
    ]  # fmt: skip
    if config.confidence_ks_threshold is not None:
        checks.append(
            _check(
                "confidence_ks", "Kolmogorov-Smirnov statistic of the confidences against the reference's",
                confidence.ks_statistic, config.confidence_ks_threshold,
                "" if confidence.ks_statistic is not None else no_confidence,
            )
        )  # fmt: skip
    return DriftReport(
        since=_time_key(since),
        until=_time_key(until),
        audit=window.account(),
        reference={
            "card": reference.card_source,
            "model": reference.model,
            "train_examples": reference.train_total,
            "unknown_label": unknown,
            "confidences": reference_confidences.source if reference_confidences else None,
        },
        served={
            "decisions": window.decisions,
            "classifiers": dict(window.versions.most_common()),
            "modes": dict(window.modes.most_common()),
            "endpoints": dict(window.endpoints.most_common()),
        },
        categories=rows,
        unseen_categories=unseen,
        category_psi=mix_psi,
        category_chi2=statistic,
        category_chi2_p_value=p_value,
        category_chi2_dof=dof,
        unknown_rate=round(unknown_rate, 6),
        unknown_rate_reference=round(unknown_reference, 6),
        review_rate=round(review_rate, 6),
        review_rate_reference=None if review_reference is None else round(review_reference, 6),
        confidence=confidence,
        checks=checks,
        thresholds=config.model_dump(mode="json"),
        drifted=any(c.status == "drift" for c in checks),
    )


def _confidence_figures(
    served: np.ndarray, reference: ReferenceConfidences | None, config: DriftConfig
) -> ConfidenceFigures:
    finite = served[np.isfinite(served)]
    counts, edges = confidence_histogram(finite, config.confidence_bins)
    figures = ConfidenceFigures(
        served_n=int(finite.size),
        served_mean=round(float(finite.mean()), 6) if finite.size else None,
        served_median=round(float(np.median(finite)), 6) if finite.size else None,
        edges=[round(float(e), 6) for e in edges],
        served_histogram=[int(c) for c in counts],
    )
    if reference is None:
        return figures
    ref = reference.confidences[np.isfinite(reference.confidences)]
    ref_counts, _ = confidence_histogram(ref, config.confidence_bins)
    figures.reference_n, figures.reference_source = int(ref.size), reference.source
    figures.reference_histogram = [int(c) for c in ref_counts]
    if ref.size:
        figures.reference_mean = round(float(ref.mean()), 6)
        figures.reference_median = round(float(np.median(ref)), 6)
    if ref.size and finite.size:
        from scipy.stats import ks_2samp

        figures.psi = psi(ref_counts, counts, config.epsilon)
        result = ks_2samp(finite, ref)
        figures.ks_statistic, figures.ks_p_value = float(result.statistic), float(result.pvalue)
    return figures


def _empty_message(what: str, window: AuditWindow, since: datetime, until: datetime) -> str:
    span = f" (decisions from {window.first} to {window.last} outside it)" if window.outside_window else ""
    return (
        f"no decision in the {what} {_time_key(since)} to {_time_key(until)} of {', '.join(window.files)}: "
        f"{window.lines:,} lines read, {window.outside_window:,} decisions outside the {what}{span}, "
        f"{window.malformed:,} malformed, {window.other_events:,} other events"
    )


__all__ = [
    "compute_report",
]
