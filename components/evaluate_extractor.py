"""KFP components: score the extraction agents' fields (``extraction_evaluation_step``, in mail2ticket.evaluation).

The pipeline calls it three times, each into a run of its own beside the classifier candidate's:
the extractor candidate (its adapter behind the alert parsers, as served), the prompts-only
agents behind the same parsers (the baseline the adapter must beat) and the parsers alone.
"""

# No `from __future__ import annotations` here: KFP reads the real annotation objects.

from kfp import dsl
from kfp.dsl import Artifact, Dataset, Input, Metrics, Model, Output

from components.images import RUNTIME_IMAGE


@dsl.component(base_image=RUNTIME_IMAGE, install_kfp_package=False)
def evaluate_extractor(
    test_data: Input[Dataset],
    adapter: Input[Model],
    metrics: Output[Metrics],
    report: Output[Artifact],
    predictions: Output[Dataset],
    mlflow_run_id: str,
    base_model: str = "embedded:smollm2-135m",
    max_test_examples: int = 0,
    dev_data_uri: str = "",
    max_new_tokens: int = 256,
    mlflow_tracking_uri: str = "",
):
    """The extractor candidate as served (alert parsers, then base model + adapter), into its own run.

    mlflow_run_id: the extractor candidate's run (from its training step).
    max_test_examples: evaluate N e-mails of the test set and of the dev set, taken evenly (0: all).
    dev_data_uri: a hand-written JSONL with ground-truth fields (local or s3://), never trained on.
    max_new_tokens: tokens an extraction may write (serving's agents.extract_max_new_tokens).
    """
    import tempfile

    from mail2ticket.evaluation.extraction_step import extraction_evaluation_step

    summary = extraction_evaluation_step(
        test_data.path, tempfile.mkdtemp(), base_model, adapter.path, "combined", mlflow_tracking_uri or None,
        mlflow_run_id, None, max_test_examples or None, dev_data_uri or None,
        {"metrics": report.path, "predictions": predictions.path}, max_new_tokens,
    )  # fmt: skip
    for name in ("extraction_f1", "extraction_exact_match", "extraction_hostname_f1", "extraction_dates_f1",
                 "dev_extraction_f1", "dev_extraction_exact_match", "dev_extraction_hostname_f1",
                 "dev_extraction_dates_f1"):  # fmt: skip
        if name in summary:
            metrics.log_metric(name, summary[name])


@dsl.component(base_image=RUNTIME_IMAGE, install_kfp_package=False)
def evaluate_extraction_baseline(
    test_data: Input[Dataset],
    metrics: Output[Metrics],
    report: Output[Artifact],
    mlflow_run_id: str,
    extractor: str,
    run_name: str,
    base_model: str = "embedded:smollm2-135m",
    max_test_examples: int = 0,
    dev_data_uri: str = "",
    max_new_tokens: int = 256,
    mlflow_tracking_uri: str = "",
):
    """A baseline of the extractor candidate, in a run ``run_name`` beside ``mlflow_run_id``.

    extractor: combined (the alert parsers, then the prompts-only agents: serving without an
        extractor adapter) or parsers (the parsers alone; no model runs).
    """
    import tempfile

    from mail2ticket.evaluation.extraction_step import extraction_evaluation_step

    summary = extraction_evaluation_step(
        test_data.path, tempfile.mkdtemp(), base_model, None, extractor, mlflow_tracking_uri or None,
        mlflow_run_id, run_name, max_test_examples or None, dev_data_uri or None, {"metrics": report.path},
        max_new_tokens,
    )  # fmt: skip
    for name in ("extraction_f1", "extraction_exact_match", "dev_extraction_f1", "dev_extraction_exact_match"):
        if name in summary:
            metrics.log_metric(name, summary[name])
