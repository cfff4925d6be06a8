"""The one place engines are built: ``make_engine(kind, base_model, **options)``.

The pipeline's evaluation steps, the ``mail2ticket evaluate`` command, serving's Engine
deployment and the benchmarks all build their engine here, so they run the same code on the
same base model folder. Each implementation is imported only when asked for: vLLM lives in the
GPU image (and in ``.venv-vllm`` for the tests), and importing it costs tens of seconds.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any, Literal

from mail2ticket.engines.base import Engine

EngineKind = Literal["transformers", "vllm"]
#: The engines this package implements.
ENGINE_KINDS: tuple[str, ...] = ("transformers", "vllm")


def make_engine(kind: str, base_model: str | Path, **options: Any) -> Engine:
    """An engine of ``kind`` on ``base_model``; ``options`` go to its constructor.

    ``base_model`` is a model spec (``embedded:NAME``, a folder or an ``s3://`` prefix,
    resolved to a local folder by :func:`mail2ticket.registry.models.resolve_model`).
    """
    if kind not in ENGINE_KINDS:
        raise ValueError(f"unknown engine {kind!r}; available: {', '.join(ENGINE_KINDS)}")
    from mail2ticket.registry.models import resolve_model

    model_dir = resolve_model(base_model)
    if kind == "transformers":
        from mail2ticket.engines.transformers import TransformersEngine

        return TransformersEngine(model_dir, **options)
    from mail2ticket.engines.vllm import VLLMEngine

    return VLLMEngine(model_dir, **options)


__all__ = ["ENGINE_KINDS", "EngineKind", "make_engine"]
