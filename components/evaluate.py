"""KFP components: evaluate the candidate adapter and the zero-shot baseline, through the serving engine."""

# No `from __future__ import annotations` here: KFP reads the real annotation objects.

from kfp import dsl
from kfp.dsl import Artifact, Dataset, Input, Metrics, Model, Output

from components.images import RUNTIME_IMAGE


@dsl.component(base_image=RUNTIME_IMAGE, install_kfp_package=False)
def evaluate_candidate(
    test_data: Input[Dataset],
    adapter: Input[Model],
    metrics: Output[Metrics],
    report: Output[Artifact],
    confusion_matrix: Output[Artifact],
    predictions: Output[Dataset],
    mlflow_run_id: str,
    base_model: str = "embedded:smollm2-135m",
    mode: str = "constrained",
    max_test_examples: int = 0,
    mlflow_tracking_uri: str = "",
):
    """Evaluate base model + adapter on the test set; metrics go to the training run."""
    import tempfile

    from mail2ticket.evaluation.step import evaluation_step

    outputs = {"metrics": report.path, "confusion_matrix": confusion_matrix.path, "predictions": predictions.path}
    summary = evaluation_step(
        test_data.path, tempfile.mkdtemp(), base_model, adapter.path, mode, None, mlflow_tracking_uri or None,
        mlflow_run_id, "", max_test_examples or None, outputs,
    )  # fmt: skip
    for name in ("macro_f1", "accuracy", "match_rate", "matched", "unmatched"):
        metrics.log_metric(name, summary[name])
    confusion_matrix.metadata["mime_type"] = "image/png"


@dsl.component(base_image=RUNTIME_IMAGE, install_kfp_package=False)
def evaluate_baseline(
    test_data: Input[Dataset],
    metrics: Output[Metrics],
    report: Output[Artifact],
    confusion_matrix: Output[Artifact],
    mlflow_run_id: str,
    base_model: str = "embedded:smollm2-135m",
    mode: str = "constrained",
    prompt_style: str = "full",
    max_test_examples: int = 0,
    mlflow_tracking_uri: str = "",
):
    """Zero-shot evaluation of the bare base model (the paper's Table 2), logged as baseline_*."""
    import tempfile

    from mail2ticket.evaluation.step import evaluation_step

    outputs = {"metrics": report.path, "confusion_matrix": confusion_matrix.path}
    summary = evaluation_step(
        test_data.path, tempfile.mkdtemp(), base_model, None, mode, prompt_style, mlflow_tracking_uri or None,
        mlflow_run_id, "baseline_", max_test_examples or None, outputs,
    )  # fmt: skip
    for name in ("macro_f1", "accuracy", "match_rate", "matched", "unmatched"):
        metrics.log_metric(name, summary[name])
    confusion_matrix.metadata["mime_type"] = "image/png"
