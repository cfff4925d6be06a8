"""Where a causal LM keeps its decoder stack and its language-model head, peft-wrapped or not.

Training (the answer-only loss, the frozen lower layers) and the transformers engine (label
scoring) call the decoder and the head separately, so that the head runs only on the positions
that need logits. peft puts its LoRA layers inside the modules, so the decoder called alone is
adapted too.
"""

from __future__ import annotations

from typing import Any


def decoder_and_head(model: Any) -> tuple[Any, Any]:
    """The decoder stack (hidden states out) and the language-model head of a causal LM."""
    base = model.get_base_model() if hasattr(model, "get_base_model") else model
    return base.get_decoder(), base.get_output_embeddings()


def decoder_layers(model: Any) -> Any:
    """The ``ModuleList`` of decoder layers of a causal LM (peft-wrapped or not)."""
    decoder, _ = decoder_and_head(model)
    layers = getattr(decoder, "layers", None)
    if layers is None:
        raise ValueError(f"{type(decoder).__name__}: no decoder layers found (model.get_decoder().layers)")
    return layers


__all__ = ["decoder_and_head", "decoder_layers"]
