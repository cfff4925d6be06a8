"""Inference engines behind one interface, built by one factory.

``TransformersEngine`` (CPU default, peft adapters) is the reference; ``VLLMEngine`` (GPU,
multi-LoRA, structured outputs) serves production. Evaluation and serving both go through
:class:`Engine`, built by :func:`make_engine`, so what is measured is what is served; the
conformance suite (``tests/mail2ticket/engines/test_conformance.py``) checks that the engines
agree.

Modules: :mod:`.base` (the interface, the adapter cache, errors), :mod:`.factory`,
:mod:`.transformers`, :mod:`.vllm`, :mod:`.label_trie` (the labels' answer tokens, scored by
both engines the same way), :mod:`.grammar` (schema-constrained decoding, both engines),
:mod:`.attention` (packed rows on CPU), :mod:`.precision` (which float type).
"""

from mail2ticket.engines.base import (
    DEFAULT_MAX_ADAPTERS,
    AdapterCache,
    AdapterError,
    Engine,
    ExtractionBudgetError,
    LabelScores,
)
from mail2ticket.engines.factory import ENGINE_KINDS, EngineKind, make_engine

__all__ = [
    "DEFAULT_MAX_ADAPTERS",
    "ENGINE_KINDS",
    "AdapterCache",
    "AdapterError",
    "Engine",
    "EngineKind",
    "ExtractionBudgetError",
    "LabelScores",
    "make_engine",
]
