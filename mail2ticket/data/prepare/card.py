"""The dataset card (what was done, with which parameters, what came out) and the category histogram."""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from mail2ticket.data.prepare.config import CATEGORY, PrepareConfig
from mail2ticket.data.prepare.steps import StepCount
from mail2ticket.storage import sha256_file
from mail2ticket.taxonomy import UNKNOWN, Taxonomy


def plot_histogram(analysis: pd.DataFrame, kept: Iterable[str], path: str | Path, top: int = 30) -> None:
    """Horizontal bar chart of the most frequent categories; kept ones highlighted."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    kept = set(kept)
    head = analysis.head(top).iloc[::-1]
    others = int(analysis["tickets"].iloc[top:].sum())
    labels = [_shorten(c) for c in head["category"]]
    values = head["tickets"].tolist()
    colours = ["#1f77b4" if c in kept else "#b0b0b0" for c in head["category"]]
    if others:
        labels.insert(0, f"{len(analysis) - top} other categories")
        values.insert(0, others)
        colours.insert(0, "#e0e0e0")
    fig, ax = plt.subplots(figsize=(11, max(4, 0.32 * len(labels) + 1.5)))
    ax.barh(labels, values, color=colours)
    ax.set_xlabel("tickets")
    ax.set_title(
        f"Tickets per category ({int(analysis['tickets'].sum())} tickets, {len(analysis)} categories; kept in blue)"
    )
    ax.tick_params(axis="y", labelsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def _shorten(name: str, width: int = 70) -> str:
    return name if len(name) <= width else "…" + name[-(width - 1) :]


def build_card(
    input_uri: str | Path,
    config: PrepareConfig,
    taxonomy: Taxonomy,
    steps: list[StepCount],
    analysis: pd.DataFrame,
    decisions: pd.DataFrame,
    train: pd.DataFrame,
    test: pd.DataFrame,
    outputs: dict[str, Path],
    with_ground_truth: bool,
    validation: pd.DataFrame | None = None,
    feedback: dict[str, Any] | None = None,
    daily_counts: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The dataset card: what was done, with which parameters, and what came out.

    ``train`` includes the reviewed corrections that joined it; ``feedback`` is their own
    account (:func:`mail2ticket.data.prepare.feedback.select_feedback`), None without feedback.
    ``daily_counts``: the account of ``daily_counts.csv`` (:func:`mail2ticket.data.prepare.daily_counts_of`),
    None when the export has no creation time.
    """
    validation = validation if validation is not None else train.iloc[0:0]
    train_counts = train[CATEGORY].value_counts()
    test_counts = test[CATEGORY].value_counts()
    validation_counts = validation[CATEGORY].value_counts()
    everything = pd.concat([train, validation, test])
    unknown_sources = (
        everything.loc[everything[CATEGORY] == UNKNOWN, "source_category"].value_counts()
        if "source_category" in everything
        else pd.Series(dtype=int)
    )
    kept = decisions[decisions["kept"]].sort_values("tickets", ascending=False)
    return {
        "input": str(input_uri),
        "taxonomy_version": taxonomy.version,
        "parameters": config.model_dump(),
        "steps": [{"step": s.step, "rows": s.rows, "dropped": s.dropped} for s in steps],
        "categories_found": len(analysis),
        "categories_under_5_tickets": int((analysis["tickets"] < 5).sum()),
        "largest_category": {
            "category": str(analysis["category"].iloc[0]),
            "tickets": int(analysis["tickets"].iloc[0]),
        }
        if len(analysis)
        else None,
        "selection": [
            {
                "category": row.category,
                "tickets": int(row.tickets),
                "share": round(float(row.share), 6),
                "representativity": round(float(row.representativity), 6),
                "kept": bool(row.kept),
            }
            for row in decisions.sort_values("tickets", ascending=False).itertuples()
        ],
        "classes": [
            {
                "category": name,
                "train": int(train_counts.get(name, 0)),
                "validation": int(validation_counts.get(name, 0)),
                "test": int(test_counts.get(name, 0)),
            }
            for name in [*kept["category"], *([UNKNOWN] if len(unknown_sources) else [])]
        ],
        "unknown_label": UNKNOWN,
        "unknown_sources": {
            "categories": len(unknown_sources),
            "largest": {str(k): int(v) for k, v in unknown_sources.head(10).items()},
        },
        "ground_truth_fields": with_ground_truth,
        "outputs": {
            name: {"sha256": sha256_file(path), "bytes": path.stat().st_size} for name, path in outputs.items()
        },
        "train_rows": len(train),
        "validation_rows": len(validation),
        "test_rows": len(test),
        "reviewed_rows": feedback["reviewed_rows"] if feedback else 0,
        "feedback": feedback,
        "daily_counts": daily_counts,
    }


def render_card(card: dict[str, Any]) -> str:
    """Markdown view of a dataset card (printed by the demo, shown in the KFP UI)."""
    lines = ["# Dataset card", "", f"Input: `{card['input']}` — taxonomy {card['taxonomy_version']}", ""]
    lines += ["## Rows after each step", "", "| step | rows | dropped |", "|---|---:|---|"]
    for step in card["steps"]:
        dropped = ", ".join(f"{k}: {v:,}" for k, v in step["dropped"].items()) or "—"
        lines.append(f"| {step['step']} | {step['rows']:,} | {dropped} |")
    lines += [
        "",
        f"{card['categories_found']} categories found, {card['categories_under_5_tickets']} with fewer than 5 tickets.",
        "",
    ]
    lines += ["## Classes", "", "| category | train | validation | test |", "|---|---:|---:|---:|"]
    for row in card["classes"]:
        lines.append(f"| {row['category']} | {row['train']:,} | {row.get('validation', 0):,} | {row['test']:,} |")
    lines.append(f"| **total** | {card['train_rows']:,} | {card.get('validation_rows', 0):,} | {card['test_rows']:,} |")
    sources = card.get("unknown_sources") or {}
    if sources.get("categories"):
        lines += ["", f"`{card['unknown_label']}` is drawn from {sources['categories']} categories not kept."]
    dropped = [s for s in card["selection"] if not s["kept"]]
    if dropped:
        lines += [
            "",
            "Strategic categories left out (under min_share): "
            + ", ".join(f"{s['category']} ({s['tickets']})" for s in dropped),
        ]
    lines += _render_feedback(card.get("feedback"))
    counts = card.get("daily_counts")
    if counts and counts.get("series"):
        dropped = "".join(f"; {reason}: {n:,}" for reason, n in counts["dropped"].items())
        lines += [
            "",
            f"Daily ticket counts: {len(counts['series'])} series over {counts['days']:,} days "
            f"({counts['first_day']} to {counts['last_day']}), {counts['tickets']:,} tickets{dropped}.",
        ]
    lines += ["", "## Outputs", ""]
    for name, meta in card["outputs"].items():
        lines.append(f"- `{name}` sha256 `{meta['sha256']}` ({meta['bytes']:,} bytes)")
    params = card["parameters"]
    lines += ["", "## Parameters", "", "```json", json.dumps(params, ensure_ascii=False, indent=2), "```"]
    return "\n".join(lines) + "\n"


def _render_feedback(feedback: dict[str, Any] | None) -> list[str]:
    """The card's account of the reviewed corrections: read, dropped, joined to train, held out."""
    if not feedback:
        return []
    lines = ["", "## Reviewed corrections", "", f"Input: `{feedback['input']}`", ""]
    lines.append(
        f"{feedback['rows_read']:,} decided items read; {feedback['duplicates_dropped']:,} duplicates and "
        f"{feedback['not_kept_dropped']:,} items of categories not kept dropped; "
        f"{feedback['train_rows']:,} joined to train, {feedback['reviewed_rows']:,} held out as the reviewed "
        f"evaluation set ({feedback['holdout']:.0%}, seed {feedback['seed']})."
    )
    if feedback["dropped"]:
        lines += ["", "Dropped: " + "; ".join(f"{reason}: {n:,}" for reason, n in feedback["dropped"].items())]
    lines += ["", "| decision | read | train | reviewed |", "|---|---:|---:|---:|"]
    for kind, counts in feedback["decisions"].items():
        lines.append(f"| {kind} | {counts['read']:,} | {counts['train']:,} | {counts['reviewed']:,} |")
    return lines
