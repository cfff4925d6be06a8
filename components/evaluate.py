"""KFP components: evaluate the candidate, the served cascade and both baselines, through the serving code.

Every evaluation runs on the test set and, when the pipeline is given them, on the hand-written
dev set and on the reviewed set (review-queue decisions preparation held out of training; an
empty artifact when there are none), and logs the same metric names: the candidate into its
run, the others into runs of their own beside it (``evaluation_step``).
"""

# No `from __future__ import annotations` here: KFP reads the real annotation objects.

from kfp import dsl
from kfp.dsl import Artifact, Dataset, Input, Metrics, Model, Output

from components.images import RUNTIME_IMAGE


@dsl.component(base_image=RUNTIME_IMAGE, install_kfp_package=False)
def evaluate_candidate(
    test_data: Input[Dataset],
    reviewed_data: Input[Dataset],
    adapter: Input[Model],
    metrics: Output[Metrics],
    report: Output[Artifact],
    cascade_report: Output[Artifact],
    confusion_matrix: Output[Artifact],
    predictions: Output[Dataset],
    mlflow_run_id: str,
    base_model: str = "embedded:smollm2-135m",
    mode: str = "constrained",
    max_test_examples: int = 0,
    dev_data_uri: str = "",
    mlflow_tracking_uri: str = "",
):
    """Evaluate the candidate (base model + adapter, calibrated) and the cascade it ships with.

    dev_data_uri: a hand-written labelled JSONL (local or s3://) reported beside the test set.
    reviewed_data: the reviewed set (empty: none), reported beside the test set.
    """
    import os
    import tempfile

    from mail2ticket.evaluation.step import evaluation_step

    reviewed = reviewed_data.path if os.path.getsize(reviewed_data.path) > 0 else None
    outputs = {"metrics": report.path, "confusion_matrix": confusion_matrix.path, "predictions": predictions.path}
    summary = evaluation_step(
        test_data.path, tempfile.mkdtemp(), base_model, adapter.path, mode, None, mlflow_tracking_uri or None,
        mlflow_run_id, max_test_examples or None, outputs, "llm", dev_data_uri or None, reviewed_path=reviewed,
    )  # fmt: skip
    evaluation_step(
        test_data.path, tempfile.mkdtemp(), base_model, adapter.path, "constrained", None,
        mlflow_tracking_uri or None, mlflow_run_id, max_test_examples or None, {"metrics": cascade_report.path},
        "cascade", dev_data_uri or None, "cascade: classical, then the candidate", reviewed,
    )  # fmt: skip
    for name in ("macro_f1", "accuracy", "match_rate", "automation_rate", "dev_accuracy", "dev_macro_f1",
                 "reviewed_accuracy", "reviewed_macro_f1"):  # fmt: skip
        if name in summary:
            metrics.log_metric(name, summary[name])
    confusion_matrix.metadata["mime_type"] = "image/png"


@dsl.component(base_image=RUNTIME_IMAGE, install_kfp_package=False)
def evaluate_baseline(
    test_data: Input[Dataset],
    reviewed_data: Input[Dataset],
    metrics: Output[Metrics],
    report: Output[Artifact],
    confusion_matrix: Output[Artifact],
    mlflow_run_id: str,
    base_model: str = "embedded:smollm2-135m",
    mode: str = "constrained",
    prompt_style: str = "full",
    max_test_examples: int = 0,
    dev_data_uri: str = "",
    mlflow_tracking_uri: str = "",
):
    """Zero-shot evaluation of the bare base model (the paper's Table 2), in a run of its own."""
    import os
    import tempfile

    from mail2ticket.evaluation.step import evaluation_step

    reviewed = reviewed_data.path if os.path.getsize(reviewed_data.path) > 0 else None
    outputs = {"metrics": report.path, "confusion_matrix": confusion_matrix.path}
    summary = evaluation_step(
        test_data.path, tempfile.mkdtemp(), base_model, None, mode, prompt_style, mlflow_tracking_uri or None,
        mlflow_run_id, max_test_examples or None, outputs, "llm", dev_data_uri or None,
        f"zero-shot baseline: {base_model}", reviewed,
    )  # fmt: skip
    for name in ("macro_f1", "accuracy", "match_rate", "dev_accuracy", "dev_macro_f1", "reviewed_accuracy",
                 "reviewed_macro_f1"):  # fmt: skip
        if name in summary:
            metrics.log_metric(name, summary[name])
    confusion_matrix.metadata["mime_type"] = "image/png"


@dsl.component(base_image=RUNTIME_IMAGE, install_kfp_package=False)
def evaluate_classical(
    test_data: Input[Dataset],
    reviewed_data: Input[Dataset],
    adapter: Input[Model],
    metrics: Output[Metrics],
    report: Output[Artifact],
    confusion_matrix: Output[Artifact],
    mlflow_run_id: str,
    max_test_examples: int = 0,
    dev_data_uri: str = "",
    mlflow_tracking_uri: str = "",
):
    """The classical baseline (TF-IDF + linear, trained on the same split, shipped in the adapter folder)."""
    import os
    import tempfile

    from mail2ticket.evaluation.step import evaluation_step

    reviewed = reviewed_data.path if os.path.getsize(reviewed_data.path) > 0 else None
    outputs = {"metrics": report.path, "confusion_matrix": confusion_matrix.path}
    summary = evaluation_step(
        test_data.path, tempfile.mkdtemp(), "", adapter.path, "constrained", None, mlflow_tracking_uri or None,
        mlflow_run_id, max_test_examples or None, outputs, "classical", dev_data_uri or None,
        "classical baseline: TF-IDF + logistic regression", reviewed,
    )  # fmt: skip
    for name in ("macro_f1", "accuracy", "automation_rate", "dev_accuracy", "dev_macro_f1", "reviewed_accuracy",
                 "reviewed_macro_f1"):  # fmt: skip
        if name in summary:
            metrics.log_metric(name, summary[name])
    confusion_matrix.metadata["mime_type"] = "image/png"
