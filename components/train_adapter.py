"""KFP component: fine-tune the classification adapter (:func:`mail2ticket.training.step.training_step`).

The training parameters have no default here: KFP ships this function's source to the pod on
its own, so a default written here would be a second copy of :class:`TrainingConfig`'s. The
pipeline passes every one of them, and its own defaults derive from that class.
"""

# No `from __future__ import annotations` here: KFP reads the real annotation objects.

from kfp import dsl
from kfp.dsl import Artifact, Dataset, Input, Model, Output

from components.images import RUNTIME_IMAGE


@dsl.component(base_image=RUNTIME_IMAGE, install_kfp_package=False)
def train_adapter(
    train_data: Input[Dataset],
    validation_data: Input[Dataset],
    dataset_card: Input[Artifact],
    adapter: Output[Model],
    lora_r: int,
    lora_alpha: int,
    lora_layers: int,
    loraplus_lr_ratio: float,
    learning_rate: float,
    lr_scheduler: str,
    max_steps: int,
    epochs: float,
    batch_size: int,
    gradient_accumulation: int,
    prompt_style: str,
    balance_classes: bool,
    seed: int,
    target_precision: float,
    base_model: str = "embedded:smollm2-135m",
    max_train_examples: int = 0,
    artifact_store_uri: str = "",
    mlflow_tracking_uri: str = "",
    mlflow_experiment: str = "mail2ticket-classifier",
    kfp_run_id: str = "",
) -> str:
    """Train a LoRA adapter (QLoRA 4-bit on GPU, LoRA fp32 on CPU) and what ships with it; returns the MLflow run id.

    The adapter folder also holds the classical model (trained on the same split) and the
    calibration of both on the validation split (review thresholds for target_precision).

    lora_layers: adapt the last N decoder layers only (0: every layer, the paper); the frozen layers'
        activations are computed once and every epoch runs the adapted layers only.
    loraplus_lr_ratio: LoRA+ learning-rate ratio of the B matrices (0: off, the paper).
    lr_scheduler: after warmup, linear decay (the paper) or constant.
    max_steps: optimiser steps; 0 trains `epochs` epochs instead.
    balance_classes: draw every category equally often (short runs on imbalanced data).
    max_train_examples: use the first N training examples only (0: all).
    artifact_store_uri: also copy the adapter there (local path or s3:// prefix).
    mlflow_tracking_uri: empty uses MLFLOW_TRACKING_URI from the environment (a Secret).
    kfp_run_id: the pipeline run, tagged on the MLflow run.
    """
    import os

    if kfp_run_id:
        os.environ["KFP_RUN_ID"] = kfp_run_id

    from mail2ticket.training import TrainingConfig
    from mail2ticket.training.step import training_step

    config = TrainingConfig.from_pipeline(
        lora_r=lora_r, lora_alpha=lora_alpha, lora_layers=lora_layers, loraplus_lr_ratio=loraplus_lr_ratio,
        learning_rate=learning_rate, lr_scheduler=lr_scheduler, max_steps=max_steps, epochs=epochs,
        batch_size=batch_size, gradient_accumulation=gradient_accumulation, prompt_style=prompt_style,
        balance_classes=balance_classes, seed=seed,
    )  # fmt: skip
    has_validation = os.path.getsize(validation_data.path) > 0
    result = training_step(
        train_data.path, adapter.path, base_model, config, mlflow_tracking_uri or None, mlflow_experiment,
        dataset_card.path, artifact_store_uri or None, max_train_examples or None,
        validation_data.path if has_validation else None, target_precision,
    )  # fmt: skip
    metadata = result["metadata"]
    adapter.metadata.update(
        {"mlflow_run_id": result["run_id"], "base_model": base_model, "final_loss": result["final_loss"],
         "taxonomy_version": metadata["taxonomy_version"], "prompt_version": metadata["prompt_version"],
         "cascade_threshold": result["routing"].get("cascade_threshold")}
    )  # fmt: skip
    return result["run_id"]
