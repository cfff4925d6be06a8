"""Fine-tuning LoRA adapters: LoRA on CPU, 4-bit QLoRA on a CUDA GPU (the paper's recipe).

- :mod:`.config`: :class:`TrainingConfig`, the one home of the training defaults (the
  pipeline's parameters derive from it);
- :mod:`.trainer`: :func:`fit_lora`, the loop every agent trains with (the loss on the answer
  tokens only), and :func:`train_adapter`, the classifier's examples on it;
- :mod:`.extractor`: :func:`train_extractor`, the extraction agents' one multi-task adapter
  (the category's prompt, the validated ground-truth fields as the answer);
- :mod:`.sampling`: the order examples are drawn in;
- :mod:`.batching`: left-padded rows and the answer-only loss;
- :mod:`.frozen_layers`: the last layers trained on cached activations of the frozen ones;
- :mod:`.step`: the pipeline's training step (MLflow logging).
"""

from mail2ticket.training.config import PIPELINE_FIELDS, TrainingConfig, pipeline_defaults
from mail2ticket.training.extractor import train_extractor
from mail2ticket.training.trainer import (
    Example,
    TrainingResult,
    build_answer_example,
    build_example,
    fit_lora,
    train_adapter,
)

__all__ = [
    "PIPELINE_FIELDS",
    "Example",
    "TrainingConfig",
    "TrainingResult",
    "build_answer_example",
    "build_example",
    "fit_lora",
    "pipeline_defaults",
    "train_adapter",
    "train_extractor",
]
