"""The drift report's PNG: category shares served vs training, confidence histograms served vs reference."""

from __future__ import annotations

from pathlib import Path

import numpy as np

from mail2ticket.ops.drift.report import DriftReport, _fmt


def _short(name: str, width: int = 48) -> str:
    return name if len(name) <= width else "…" + name[-(width - 1) :]


def plot_drift(report: DriftReport, path: str | Path) -> Path:
    """PNG: category shares served vs training (left), confidence histograms served vs reference (right)."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    rows = report.categories
    height = max(4.0, 0.34 * len(rows) + 1.8)
    fig, (mix, conf) = plt.subplots(1, 2, figsize=(15, height), gridspec_kw={"width_ratios": [3, 2]})
    if rows:
        positions = np.arange(len(rows))[::-1]
        mix.barh(positions + 0.2, [r.train_share for r in rows], height=0.4, label="training", color="#9ecae1")
        mix.barh(positions - 0.2, [r.served_share for r in rows], height=0.4, label="served", color="#d6604d")
        mix.set_yticks(positions, [_short(r.category) + (" (unseen)" if r.train == 0 else "") for r in rows],
                       fontsize=8)  # fmt: skip
        mix.legend(loc="lower right")
    mix.set_xlabel("share of the decisions (unknown left out)")
    mix.set_title(
        f"Category mix: PSI {_fmt(report.category_psi)}, chi-square p {_fmt(report.category_chi2_p_value)}\n"
        f"unknown {report.unknown_rate:.1%} served vs {report.unknown_rate_reference:.1%} in training"
    )
    figures = report.confidence
    edges = np.array(figures.edges)
    centres, width = (edges[:-1] + edges[1:]) / 2, float(edges[1] - edges[0])
    served = np.array(figures.served_histogram, dtype=float)
    if served.sum():
        conf.bar(centres + width / 4, served / served.sum(), width=width / 2, label="served", color="#d6604d")
    reference = np.array(figures.reference_histogram, dtype=float)
    if reference.size and reference.sum():
        conf.bar(centres - width / 4, reference / reference.sum(), width=width / 2, label="reference", color="#9ecae1")
    conf.set_xlim(0, 1)
    conf.set_xlabel("confidence")
    conf.set_ylabel("share of the decisions")
    conf.legend(loc="best")
    review = "—" if report.review_rate_reference is None else f"{report.review_rate_reference:.1%}"
    conf.set_title(
        f"Confidence: PSI {_fmt(figures.psi)}, KS {_fmt(figures.ks_statistic)}\n"
        f"review {report.review_rate:.1%} served vs {review} reference"
    )
    verdict = f"DRIFT ({', '.join(c.name for c in report.failed)})" if report.drifted else "no drift"
    fig.suptitle(f"{verdict}: {report.audit['decisions']:,} decisions, {report.since} to {report.until}")
    fig.tight_layout()
    target = Path(path)
    target.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(target, dpi=100)
    plt.close(fig)
    return target


__all__ = [
    "plot_drift",
]
