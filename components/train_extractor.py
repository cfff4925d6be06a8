"""KFP component: fine-tune the extraction agents' adapter (:func:`mail2ticket.training.step.extractor_training_step`).

The recipe's parameters have no default here: the pipeline passes every one of them, and its
defaults derive from :data:`mail2ticket.training.extractor.EXTRACTOR_TRAINING`.
"""

# No `from __future__ import annotations` here: KFP reads the real annotation objects.

from kfp import dsl
from kfp.dsl import Dataset, Input, Model, Output

from components.images import RUNTIME_IMAGE


@dsl.component(base_image=RUNTIME_IMAGE, install_kfp_package=False)
def train_extractor_adapter(
    train_data: Input[Dataset],
    adapter: Output[Model],
    sibling_run_id: str,
    lora_layers: int,
    learning_rate: float,
    max_steps: int,
    batch_size: int,
    gradient_accumulation: int,
    base_model: str = "embedded:smollm2-135m",
    max_train_examples: int = 0,
    artifact_store_uri: str = "",
    mlflow_tracking_uri: str = "",
    kfp_run_id: str = "",
    max_tagger_train_examples: int = 0,
) -> str:
    """Train the one multi-task adapter of the extraction agents on the ground-truth fields; returns its MLflow run id.

    sibling_run_id: the classifier candidate's run; the extractor's run goes beside it.
    lora_layers: adapt the last N decoder layers only (0: every layer).
    max_train_examples: use the first N training tickets with ground truth only (0: all).
    artifact_store_uri: also copy the adapter there (local path or s3:// prefix).
    mlflow_tracking_uri: empty uses MLFLOW_TRACKING_URI from the environment (a Secret).
    kfp_run_id: the pipeline run, tagged on the MLflow run.
    max_tagger_train_examples: fit the adapter's taggers on N tickets with ground truth, taken in turn
        from each category (0: all).
    """
    import os

    if kfp_run_id:
        os.environ["KFP_RUN_ID"] = kfp_run_id

    from mail2ticket.training import TrainingConfig
    from mail2ticket.training.step import extractor_training_step

    config = TrainingConfig.from_pipeline(
        lora_layers=lora_layers, learning_rate=learning_rate, max_steps=max_steps, batch_size=batch_size,
        gradient_accumulation=gradient_accumulation,
    )  # fmt: skip
    result = extractor_training_step(
        train_data.path, adapter.path, base_model, config, sibling_run_id, mlflow_tracking_uri or None,
        max_train_examples or None, artifact_store_uri or None, max_tagger_train_examples or None,
    )  # fmt: skip
    adapter.metadata.update(
        {"mlflow_run_id": result["run_id"], "base_model": base_model, "final_loss": result["final_loss"],
         "kind": result["metadata"]["kind"], "taxonomy_version": result["metadata"]["taxonomy_version"]}
    )  # fmt: skip
    return result["run_id"]
