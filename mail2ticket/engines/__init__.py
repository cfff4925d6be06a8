"""Inference engines behind one interface (see :class:`mail2ticket.engines.base.Engine`).

``TransformersEngine`` (CPU default, peft adapters) is the reference; ``VLLMEngine`` (GPU,
multi-LoRA, structured outputs) serves production. Evaluation and serving both go through
this interface, so what is measured is what is served; the conformance suite
(``tests/mail2ticket/engines/test_conformance.py``) checks that the engines agree.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from mail2ticket.engines.base import Engine, LabelScores

ENGINE_KINDS = ("transformers", "vllm")


def make_engine(kind: str, model_dir: str | Path, **options: Any) -> Engine:
    """An engine of ``kind`` on a local model folder; ``options`` go to its constructor.

    Each engine is imported only when asked for: vLLM lives in GPU images (and in
    ``.venv-vllm`` for the tests), and importing it costs tens of seconds.
    """
    if kind == "transformers":
        from mail2ticket.engines.transformers_engine import TransformersEngine

        return TransformersEngine(model_dir, **options)
    if kind == "vllm":
        from mail2ticket.engines.vllm_engine import VLLMEngine

        return VLLMEngine(model_dir, **options)
    raise ValueError(f"unknown engine {kind!r}; available: {', '.join(ENGINE_KINDS)}")


__all__ = ["ENGINE_KINDS", "Engine", "LabelScores", "make_engine"]
