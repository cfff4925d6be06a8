"""The one home of the training defaults: :class:`TrainingConfig`, the paper's recipe.

The KFP pipeline exposes most of these as run parameters. Its defaults are derived from this
class (:func:`pipeline_defaults`), and :meth:`TrainingConfig.from_pipeline` turns a run's
parameters back into a configuration, so a default changes here and nowhere else. KFP
parameters cannot be None: an optional field travels as 0 (``lora_layers`` 0 adapts every
layer, ``max_steps`` 0 trains ``epochs`` epochs, ``loraplus_lr_ratio`` 0 is plain LoRA).
"""

from __future__ import annotations

from typing import Any, Literal, get_args

from pydantic import BaseModel, ConfigDict, Field

from mail2ticket.prompts import PromptStyle

#: The fields a pipeline run sets, in the order the pipeline lists them.
PIPELINE_FIELDS: tuple[str, ...] = (
    "lora_r",
    "lora_alpha",
    "lora_layers",
    "loraplus_lr_ratio",
    "learning_rate",
    "lr_scheduler",
    "max_steps",
    "epochs",
    "batch_size",
    "gradient_accumulation",
    "prompt_style",
    "balance_classes",
    "seed",
)


class TrainingConfig(BaseModel):
    """Hyper-parameters; the defaults are the paper's."""

    model_config = ConfigDict(extra="forbid")

    lora_r: int = Field(16, ge=1, description="LoRA rank.")
    lora_alpha: int = Field(16, ge=1, description="LoRA scaling numerator (rsLoRA: alpha / sqrt(r)).")
    lora_dropout: float = Field(0.0, ge=0.0, lt=1.0, description="Dropout on the LoRA path (the paper: none).")
    use_rslora: bool = Field(True, description="Rank-stabilised scaling alpha / sqrt(r) (the paper's rsLoRA).")
    learning_rate: float = Field(2e-4, gt=0, description="Peak learning rate (of the A matrices under LoRA+).")
    weight_decay: float = Field(0.01, ge=0, description="AdamW weight decay.")
    warmup_steps: int = Field(5, ge=0, description="Optimiser steps of linear warmup.")
    lr_scheduler: Literal["linear", "constant"] = Field(
        "linear",
        description="After warmup: linear decay to 0 (the paper) or constant (to compare schedules; on the demo "
        "budget constant was not better: bench/RESULTS.md).",
    )
    batch_size: int = Field(2, ge=1, description="Examples per device step.")
    gradient_accumulation: int = Field(4, ge=1, description="Device steps per optimiser step.")
    max_steps: int | None = Field(30, ge=1, description="Optimiser steps; None trains `epochs` epochs.")
    epochs: float = Field(
        1.0,
        gt=0,
        description="Training length when max_steps is None, in multiples of the training set's size (with "
        "balance_classes the draws are class-balanced, so an epoch repeats the small classes' examples).",
    )
    max_length: int = Field(2048, ge=64, description="Longest prompt + answer, in tokens.")
    seed: int = Field(3407, description="Seed of the data order and of the LoRA initialisation (the paper's).")
    prompt_style: PromptStyle = Field(
        "full", description="Prompt the adapter is trained with and then served with (mail2ticket.prompts)."
    )
    loss_on: Literal["answer", "all"] = Field(
        "answer", description="'answer' (ours) or 'all' (the paper's code: prompt and padding too)."
    )
    group_by_length: bool = Field(True, description="Batch e-mails of similar length together (less padding).")
    share_prefix: bool = Field(
        True, description="Run the prompts' common instructions once per batch (same loss, fewer tokens)."
    )
    lora_layers: int | None = Field(
        None,
        ge=1,
        description="Adapt the last N decoder layers only (None: every layer, the paper). The layers below are "
        "frozen, so their activations are computed once per example and every epoch runs the adapted layers only "
        "(mail2ticket.training.frozen_layers): on a CPU, several epochs for the price of one.",
    )
    loraplus_lr_ratio: float | None = Field(
        None,
        ge=1.0,
        description="LoRA+ (peft's create_loraplus_optimizer): the B matrices learn this many times faster than the "
        "A matrices (None: one learning rate, the paper). On the embedded model, two epochs of 400 e-mails learn "
        "the categories at ratio 16 where plain LoRA answers one class for everything (bench/RESULTS.md).",
    )
    balance_classes: bool = Field(
        False,
        description="Draw every category equally often (minority classes repeated): for short runs, where "
        "the majority class (2/3 of the paper's data) would otherwise be all a few steps learn.",
    )
    quantize_4bit: bool | None = Field(None, description="None: 4-bit QLoRA when a CUDA GPU is present.")

    @classmethod
    def from_pipeline(cls, **parameters: Any) -> TrainingConfig:
        """The configuration of a pipeline run's parameters (0 meaning None for the optional fields)."""
        unknown = sorted(set(parameters) - set(PIPELINE_FIELDS))
        if unknown:
            raise ValueError(f"not training parameters of the pipeline: {', '.join(unknown)}")
        values = {name: (None if value == 0 and _optional(name) else value) for name, value in parameters.items()}
        return cls(**values)


def _optional(name: str) -> bool:
    """Whether the field accepts None (then 0 stands for it in a pipeline run)."""
    return type(None) in get_args(TrainingConfig.model_fields[name].annotation)


def _zero(name: str) -> int | float:
    """The 0 that stands for None, in the field's own type (KFP types parameters by their default)."""
    return 0.0 if float in get_args(TrainingConfig.model_fields[name].annotation) else 0


def pipeline_defaults() -> dict[str, Any]:
    """The default of every :data:`PIPELINE_FIELDS` field as a pipeline parameter (None as 0)."""
    defaults = TrainingConfig()
    return {
        name: _zero(name) if getattr(defaults, name) is None else getattr(defaults, name) for name in PIPELINE_FIELDS
    }


__all__ = ["PIPELINE_FIELDS", "TrainingConfig", "pipeline_defaults"]
