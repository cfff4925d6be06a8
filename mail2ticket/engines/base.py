"""The engine interface every implementation honours (DESIGN: engine interface)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol, runtime_checkable

LabelScores = dict[str, float]
"""Probability of each allowed label; the values sum to 1."""


@runtime_checkable
class Engine(Protocol):
    """Base model plus LoRA adapters; prompts are already rendered with the chat template."""

    dtype: str
    """The floating-point type the model runs in (``float32``, ``bfloat16``...), for the audit trail."""

    def classify(self, prompts: Sequence[str], labels: Sequence[str], adapter: str | None = None) -> list[LabelScores]:
        """Score every label as the answer to each prompt; never returns anything outside ``labels``."""
        ...

    def generate(
        self,
        prompts: Sequence[str],
        adapter: str | None = None,
        max_new_tokens: int = 64,
        temperature: float = 0.0,
        seed: int = 0,
    ) -> list[str]:
        """Free text (the paper-faithful mode); ``temperature`` 0 is greedy."""
        ...

    def extract(self, prompts: Sequence[str], json_schema: dict[str, Any], adapter: str | None = None) -> list[dict]:
        """JSON constrained to ``json_schema`` (extraction agents)."""
        ...
