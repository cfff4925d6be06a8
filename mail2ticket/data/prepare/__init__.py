"""The paper's data preparation (section 5), as pure functions plus one orchestrating call.

Steps, in the paper's order, each counted in the dataset card:

1. drop the rows that do not have the four columns (unparseable lines, missing or blank
   values, undecodable text): 175,813 → 154,414 rows in the paper;
2. keep the first row of each ticket (one row per status update): → 29,376 tickets;
3. extract the first client e-mail from the Description thread (:mod:`mail2ticket.data.threads`);
4. category analysis: counts, shares, a histogram;
5. keep the strategic categories whose share reaches ``min_share``: → 4,500 tickets;
6. open set: tickets of the categories not kept become the ``unknown`` class (a share of the
   result, drawn in proportion to their source category; 0 is the paper's closed set);
7. stratified, seeded train/test split (80/20), then a validation split held out of train to
   calibrate confidences and review thresholds; each split in a seeded random order, so that
   a budgeted run's first rows are a fair draw of it;
8. optional PII masking (e-mail addresses, phone numbers, IBANs);
9. optional reviewed corrections (the review queue's export, :mod:`.feedback`): most join the
   training split, a seeded slice is held out as the ``reviewed`` evaluation set.

When the export has ``Date de création``, the tickets of step 2 are also counted per day and
prepared label (a kept category, or ``unknown`` for all the others) into ``daily_counts.csv``,
the forecasting pipeline's input (:func:`daily_counts_of`); the classification steps ignore it.

A problem confined to one row drops that row and is counted; a problem with the whole input
(missing columns, empty file, wrong encoding, unknown category names) raises
:class:`PrepareError` with one message that names it.

Modules: :mod:`.config` (columns, parameters, error), :mod:`.io` (reading the export, writing
the JSONL), :mod:`.steps` (the steps), :mod:`.feedback` (reviewed corrections), :mod:`.card`
(dataset card and histogram); this package runs them in order (:func:`prepare_dataset`).
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd

from mail2ticket.data.prepare.card import build_card, plot_histogram, render_card
from mail2ticket.data.prepare.config import (
    CATEGORY,
    CREATED,
    DESCRIPTION,
    MESSAGE,
    OPTIONAL_COLUMNS,
    REQUIRED_COLUMNS,
    TICKET,
    PrepareConfig,
    PrepareError,
    ShareBasis,
)
from mail2ticket.data.prepare.feedback import (
    FEEDBACK_HOLDOUT,
    Feedback,
    check_holdout,
    read_feedback,
    select_feedback,
    to_feedback_records,
)
from mail2ticket.data.prepare.io import RawExport, read_export, read_ground_truth, to_records, write_jsonl
from mail2ticket.data.prepare.steps import (
    StepCount,
    add_unknown_class,
    category_analysis,
    drop_incomplete_rows,
    extract_first_emails,
    first_row_per_ticket,
    mask_pii,
    select_categories,
    stratified_split,
    validate_categories,
)
from mail2ticket.taxonomy import UNKNOWN, Taxonomy, load_taxonomy

__all__ = [
    "CATEGORY",
    "CREATED",
    "DAILY_COUNTS",
    "DESCRIPTION",
    "FEEDBACK_HOLDOUT",
    "MESSAGE",
    "OPTIONAL_COLUMNS",
    "REQUIRED_COLUMNS",
    "TICKET",
    "Feedback",
    "PrepareConfig",
    "PrepareError",
    "PrepareResult",
    "RawExport",
    "ShareBasis",
    "StepCount",
    "add_unknown_class",
    "build_card",
    "category_analysis",
    "daily_counts_of",
    "drop_incomplete_rows",
    "extract_first_emails",
    "first_row_per_ticket",
    "mask_pii",
    "plot_histogram",
    "prepare_dataset",
    "read_export",
    "read_feedback",
    "read_ground_truth",
    "render_card",
    "select_categories",
    "select_feedback",
    "stratified_split",
    "to_feedback_records",
    "to_records",
    "validate_categories",
    "write_jsonl",
]


#: The daily ticket counts' file name in the output directory.
DAILY_COUNTS = "daily_counts.csv"


@dataclass
class PrepareResult:
    card: dict[str, Any]
    train_path: Path
    test_path: Path
    histogram_path: Path
    validation_path: Path | None = None
    reviewed_path: Path | None = None
    daily_counts_path: Path | None = None
    """``daily_counts.csv`` when the export has ``Date de création``, else None."""


def daily_counts_of(tickets: pd.DataFrame, kept: set[str]) -> tuple[pd.DataFrame | None, dict[str, Any]]:
    """Tickets per day and prepared label, and the card's account of them.

    ``tickets``: one row per ticket (step 2), with ``Date de création``. Every ticket counts,
    under its category when kept and ``unknown`` otherwise: the series are the load the desk
    receives, whatever share of ``unknown`` the training set samples. A ticket with a blank or
    unparsable creation time is left out and counted (a row problem, as everywhere else);
    ``None`` when no ticket has one.
    """
    from mail2ticket.ops.series import daily_counts, parse_timestamps

    times = parse_timestamps(tickets[CREATED])
    dated = tickets.loc[times.notna().to_numpy()]
    account: dict[str, Any] = {"tickets": len(dated), "dropped": {}}
    if len(dated) < len(tickets):
        account["dropped"]["no creation date"] = len(tickets) - len(dated)
    if dated.empty:
        return None, account
    labels = dated[CATEGORY].where(dated[CATEGORY].isin(kept), UNKNOWN)
    counts = daily_counts(dated.assign(**{CATEGORY: labels}), CREATED, CATEGORY)
    account.update(
        series=sorted(counts["series"].unique()),
        first_day=f"{counts['timestamp'].min():%Y-%m-%d}",
        last_day=f"{counts['timestamp'].max():%Y-%m-%d}",
        days=int(counts["timestamp"].nunique()),
    )
    return counts, account


def prepare_dataset(
    input_uri: str | Path,
    out_dir: str | Path,
    config: PrepareConfig | None = None,
    ground_truth_uri: str | Path | None = None,
    taxonomy: Taxonomy | None = None,
    feedback_uri: str | Path | None = None,
    feedback_holdout: float = FEEDBACK_HOLDOUT,
) -> PrepareResult:
    """Run every step and write ``train.jsonl``, ``test.jsonl``, ``categories.png``, ``dataset_card.json``.

    ``feedback_uri``: the review queue's export (JSONL or Parquet, local or s3://); its usable
    decisions open ``train.jsonl`` but for a seeded ``feedback_holdout`` share, written
    as ``reviewed.jsonl`` (when not empty). The export's own splits do not change.
    """
    config = config or PrepareConfig()
    taxonomy = taxonomy or load_taxonomy()
    strategic = validate_categories(
        config.strategic_categories if config.strategic_categories is not None else taxonomy.labels,
        taxonomy,
    )
    check_holdout(feedback_holdout)
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    truth = read_ground_truth(ground_truth_uri) if ground_truth_uri else None
    # Read before the export's steps: a feedback file that breaks its contract fails at once.
    decided = read_feedback(feedback_uri, taxonomy, config.support_domains) if feedback_uri else None

    raw = read_export(input_uri, config.encoding)
    if raw.raw_rows == 0:
        raise PrepareError(f"{input_uri}: the export has a header but no rows")
    steps = [StepCount("raw rows", raw.raw_rows)]
    frame, step = drop_incomplete_rows(raw)
    steps.append(step)
    frame, step = first_row_per_ticket(frame)
    steps.append(step)
    tickets = frame
    frame, step = extract_first_emails(frame, config.support_domains)
    steps.append(step)
    analysis = category_analysis(frame)
    selected, step, decisions = select_categories(frame, analysis, strategic, config.min_share, config.share_basis)
    steps.append(step)
    if selected.empty:
        raise PrepareError(
            f"{input_uri}: no ticket left after selection: none of the strategic categories reaches "
            f"min_share={config.min_share:g} ({config.share_basis}); categories found: "
            + ", ".join(analysis["category"].head(10))
        )
    selected, step = add_unknown_class(frame, selected, config.unknown_share, config.seed)
    steps.append(step)
    train, test = stratified_split(selected, config.test_size, config.seed)
    validation = train.iloc[0:0]
    if config.validation_size > 0:
        train, validation = stratified_split(train, config.validation_size, config.seed)

    feedback: Feedback | None = None
    if decided is not None:
        kept = {*decisions.loc[decisions["kept"], "category"], *selected.loc[selected[CATEGORY] == UNKNOWN, CATEGORY]}
        feedback = select_feedback(decided, selected, kept, feedback_holdout, config.seed, feedback_uri or "")

    paths = {"train.jsonl": out / "train.jsonl", "test.jsonl": out / "test.jsonl"}
    train_records = to_records(train, truth, config.mask_pii)
    if feedback is not None:
        # First in the file: a run on a budget (``max_train_examples`` takes the first rows) still
        # learns from the corrections, the scarcest and most telling examples it has.
        train_records = to_feedback_records(feedback.train, config.mask_pii) + train_records
        train = pd.concat([feedback.train[[TICKET, CATEGORY, "email"]], train], ignore_index=True)
    write_jsonl(train_records, paths["train.jsonl"])
    write_jsonl(to_records(test, truth, config.mask_pii), paths["test.jsonl"])
    if len(validation):
        paths["validation.jsonl"] = out / "validation.jsonl"
        write_jsonl(to_records(validation, truth, config.mask_pii), paths["validation.jsonl"])
    if feedback is not None and len(feedback.reviewed):
        paths["reviewed.jsonl"] = out / "reviewed.jsonl"
        write_jsonl(to_feedback_records(feedback.reviewed, config.mask_pii), paths["reviewed.jsonl"])
    histogram_path = out / "categories.png"
    plot_histogram(analysis, decisions.loc[decisions["kept"], "category"], histogram_path)
    counts_account = None
    if CREATED in tickets.columns:
        counts, counts_account = daily_counts_of(tickets, set(decisions.loc[decisions["kept"], "category"]))
        if counts is not None:
            from mail2ticket.ops.series import write_series

            paths[DAILY_COUNTS] = out / DAILY_COUNTS
            write_series(counts, paths[DAILY_COUNTS])

    card = build_card(
        input_uri, config, taxonomy, steps, analysis, decisions, train, test,
        {**paths, "categories.png": histogram_path}, truth is not None, validation,
        feedback.card if feedback is not None else None, counts_account,
    )  # fmt: skip
    (out / "dataset_card.json").write_text(json.dumps(card, ensure_ascii=False, indent=2), encoding="utf-8")
    return PrepareResult(
        card, paths["train.jsonl"], paths["test.jsonl"], histogram_path, paths.get("validation.jsonl"),
        paths.get("reviewed.jsonl"), paths.get(DAILY_COUNTS),
    )  # fmt: skip
