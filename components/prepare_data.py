"""KFP component: the paper's data preparation (:func:`mail2ticket.data.prepare.prepare_dataset`).

The preparation parameters have no default here: KFP ships this function's source to the pod on
its own, so a default written here would be a second copy of :class:`PrepareConfig`'s. The
pipeline passes every one of them, and its own defaults derive from that class.
"""

# No `from __future__ import annotations` here: KFP reads the real annotation objects.

from kfp import dsl
from kfp.dsl import Artifact, Dataset, Markdown, Metrics, Output

from components.images import RUNTIME_IMAGE


@dsl.component(base_image=RUNTIME_IMAGE, install_kfp_package=False)
def prepare_data(
    raw_uri: str,
    train_data: Output[Dataset],
    validation_data: Output[Dataset],
    test_data: Output[Dataset],
    reviewed_data: Output[Dataset],
    dataset_card: Output[Artifact],
    dataset_card_view: Output[Markdown],
    category_histogram: Output[Artifact],
    daily_counts: Output[Dataset],
    preparation_metrics: Output[Metrics],
    strategic_categories: list,
    min_share: float,
    share_basis: str,
    unknown_share: float,
    test_size: float,
    validation_size: float,
    seed: int,
    mask_pii: bool,
    support_domains: list,
    encoding: str,
    feedback_holdout: float,
    ground_truth_uri: str = "",
    feedback_uri: str = "",
):
    """Clean a raw ticket export and split it into train/test JSONL (paper, section 5).

    raw_uri: the ticket-system export (CSV or Parquet), a local path or an s3:// URI.
    ground_truth_uri: optional ground-truth JSONL that attaches extraction fields to tickets.
    feedback_uri: optional review-queue export (JSONL or Parquet, local or s3://): reviewed corrections
        appended to train, but for a feedback_holdout share written as reviewed_data (empty when none).
    strategic_categories: categories worth automating; empty means every taxonomy category.
    min_share: minimum representativity of a kept category (the paper: 2 %).
    share_basis: what min_share is measured against: largest, tickets or strategic.
    unknown_share: share of the prepared tickets labelled unknown, drawn from the categories not kept (0: the paper).
    test_size: share of tickets in the test set (the paper: 20 %).
    validation_size: share of the training split held out to calibrate (0: none; the file is then empty).
    seed: seed of the stratified split.
    mask_pii: mask e-mail addresses, phone numbers and IBANs in the e-mails.
    support_domains: e-mail domains of the support desk (their messages are not the client's).
    encoding: text encoding of a CSV export.

    daily_counts is the `timestamp, series, value` CSV of tickets per category and day (the forecasting
    pipeline's input) when the export has a creation time (`Date de création`), else empty.
    """
    import json
    import shutil
    import tempfile

    from mail2ticket.data.prepare import PrepareConfig, prepare_dataset, render_card

    config = PrepareConfig.from_pipeline(
        strategic_categories=strategic_categories, min_share=min_share, share_basis=share_basis,
        unknown_share=unknown_share, test_size=test_size, validation_size=validation_size, seed=seed,
        mask_pii=mask_pii, support_domains=support_domains, encoding=encoding,
    )  # fmt: skip
    with tempfile.TemporaryDirectory() as work:
        result = prepare_dataset(
            raw_uri, work, config, ground_truth_uri or None, feedback_uri=feedback_uri or None,
            feedback_holdout=feedback_holdout,
        )  # fmt: skip
        shutil.copyfile(result.train_path, train_data.path)
        shutil.copyfile(result.test_path, test_data.path)
        optional_outputs = ((result.validation_path, validation_data), (result.reviewed_path, reviewed_data),
                            (result.daily_counts_path, daily_counts))  # fmt: skip
        for optional, artifact in optional_outputs:
            if optional:
                shutil.copyfile(optional, artifact.path)
            else:
                open(artifact.path, "w").close()
        shutil.copyfile(result.histogram_path, category_histogram.path)
    card = result.card
    with open(dataset_card.path, "w", encoding="utf-8") as handle:
        json.dump(card, handle, ensure_ascii=False, indent=2)
    with open(dataset_card_view.path, "w", encoding="utf-8") as handle:
        handle.write(render_card(card))
    for artifact, name, rows in (
        (train_data, "train.jsonl", card["train_rows"]),
        (test_data, "test.jsonl", card["test_rows"]),
        (validation_data, "validation.jsonl", card["validation_rows"]),
        (reviewed_data, "reviewed.jsonl", card["reviewed_rows"]),
    ):
        if name not in card["outputs"]:
            continue
        artifact.metadata.update(
            {
                "rows": rows,
                "sha256": card["outputs"][name]["sha256"],
                "format": "jsonl",
                "taxonomy_version": card["taxonomy_version"],
            }
        )
    category_histogram.metadata["mime_type"] = "image/png"
    for step in card["steps"]:
        preparation_metrics.log_metric("rows: " + step["step"], step["rows"])
    preparation_metrics.log_metric("classes", len(card["classes"]))
    feedback = card["feedback"]
    if feedback:
        preparation_metrics.log_metric("feedback: rows read", feedback["rows_read"])
        preparation_metrics.log_metric("feedback: duplicates dropped", feedback["duplicates_dropped"])
        preparation_metrics.log_metric("feedback: categories not kept dropped", feedback["not_kept_dropped"])
        preparation_metrics.log_metric("feedback: joined to train", feedback["train_rows"])
        preparation_metrics.log_metric("feedback: held out as reviewed", feedback["reviewed_rows"])
