"""Inference engines behind one interface (see :class:`mail2ticket.engines.base.Engine`).

``TransformersEngine`` (CPU default, peft adapters) is the reference; ``VLLMEngine`` (GPU,
multi-LoRA, structured outputs) comes with serving. Evaluation and serving both go through
this interface, so what is measured is what is served.
"""

from mail2ticket.engines.base import Engine, LabelScores

__all__ = ["Engine", "LabelScores"]
