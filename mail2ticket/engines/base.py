"""The engine interface every implementation honours, and what the implementations share.

An engine is a base model plus any number of LoRA adapters, behind three calls: ``classify``
(every label scored, never an answer outside them), ``extract`` (JSON constrained to a schema)
and ``generate`` (free text, the paper-faithful mode). Prompts come already rendered with the
model's chat template (:mod:`mail2ticket.prompts`), with the engine's own ``tokenizer``.

Adapters are local folders, loaded on first use or ahead of it (:meth:`Engine.load_adapter`),
and kept in a bounded least-recently-used cache (:class:`AdapterCache`): serving reloads a new
champion every time one is promoted, and each reload must not leave the previous adapter's
weights in memory for ever.
"""

from __future__ import annotations

import hashlib
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from pathlib import Path
from typing import Any, Generic, Protocol, TypeVar, runtime_checkable

from mail2ticket.registry.adapters import AdapterError

LabelScores = dict[str, float]
"""Probability of each allowed label; the values sum to 1."""

#: Adapters an engine keeps loaded by default: the classifier's, a new champion's during a
#: reload, and the extractors'.
DEFAULT_MAX_ADAPTERS = 8


class ExtractionBudgetError(ValueError):
    """The token budget ran out on a schema whose required properties leave no valid fallback."""


@runtime_checkable
class Engine(Protocol):
    """Base model plus LoRA adapters; prompts are already rendered with the chat template."""

    model_dir: Path
    """The local folder of the base model."""
    tokenizer: Any
    """The base model's tokenizer: callers render prompts with its chat template."""
    dtype: str
    """The floating-point type the model runs in (``float32``, ``bfloat16``...), for the audit trail."""
    max_adapters: int
    """How many adapters stay loaded at once; the least recently used one is unloaded past that."""

    def load_adapter(self, adapter: str) -> None:
        """Load the adapter folder now (else it loads on first use); :class:`AdapterError` if it cannot be."""
        ...

    def unload_adapter(self, adapter: str) -> bool:
        """Free an adapter's weights; False when it was not loaded."""
        ...

    def loaded_adapters(self) -> list[str]:
        """The adapter folders loaded now, least recently used first."""
        ...

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

    def extract(
        self, prompts: Sequence[str], json_schema: dict[str, Any], adapter: str | None = None, max_new_tokens: int = 256
    ) -> list[dict]:
        """JSON constrained to ``json_schema`` (extraction agents), at most ``max_new_tokens`` each."""
        ...


Handle = TypeVar("Handle")


class AdapterCache(Generic[Handle]):
    """Loaded adapters, least recently used first, at most ``capacity`` of them.

    Each engine keeps its own handle per adapter folder (a peft adapter name, a vLLM
    ``LoRARequest``) and unloads what :meth:`add` returns.
    """

    def __init__(self, capacity: int = DEFAULT_MAX_ADAPTERS) -> None:
        if capacity < 1:
            raise ValueError("an engine must be able to hold at least one adapter (max_adapters >= 1)")
        self.capacity = capacity
        self._entries: OrderedDict[str, Handle] = OrderedDict()

    def get(self, adapter: str) -> Handle | None:
        """The adapter's handle, marked as just used; None when it is not loaded."""
        handle = self._entries.get(adapter)
        if handle is not None:
            self._entries.move_to_end(adapter)
        return handle

    def add(self, adapter: str, handle: Handle) -> list[tuple[str, Handle]]:
        """Record a newly loaded adapter; returns the least recently used ones over capacity, to unload."""
        self._entries[adapter] = handle
        self._entries.move_to_end(adapter)
        evicted = []
        while len(self._entries) > self.capacity:
            evicted.append(self._entries.popitem(last=False))
        return evicted

    def pop(self, adapter: str) -> Handle | None:
        """Forget an adapter (unloaded by the engine); its handle, or None."""
        return self._entries.pop(adapter, None)

    def __contains__(self, adapter: object) -> bool:
        return adapter in self._entries

    def __iter__(self) -> Iterator[str]:
        return iter(list(self._entries))

    def __len__(self) -> int:
        return len(self._entries)


def adapter_name(folder: str) -> str:
    """A short name of an adapter folder that the engine libraries accept (peft adapter, vLLM LoRA)."""
    return "a" + hashlib.sha256(folder.encode("utf-8")).hexdigest()[:12]


class AdapterHost(Generic[Handle]):
    """How both engines keep their adapters: loaded on first use, the ``max_adapters`` most recent kept.

    An engine says how to load one adapter folder (:meth:`_acquire`, which raises
    :class:`AdapterError`) and how to free it (:meth:`_release`); this class does the rest,
    under the engine's lock (``self._lock``, re-entrant: a call loads its adapter while
    holding it).
    """

    model_dir: Path
    max_adapters: int
    _adapters: AdapterCache[Handle]
    _lock: Any

    def _cannot_load(self, adapter: str, reason: object) -> AdapterError:
        """The error of an adapter this engine's base model cannot take."""
        return AdapterError(f"cannot load adapter {adapter} on {self.model_dir.name}: {reason}")

    def _acquire(self, adapter: str) -> Handle:
        """Load ``adapter`` into the model; the engine's handle of it."""
        raise NotImplementedError

    def _release(self, handle: Handle) -> None:
        """Free a loaded adapter."""
        raise NotImplementedError

    def _adapter(self, adapter: str) -> Handle:
        """The handle of ``adapter``, loaded now if it was not (the least recently used one unloaded past the bound)."""
        handle = self._adapters.get(adapter)
        if handle is None:
            handle = self._acquire(adapter)
            for _, evicted in self._adapters.add(adapter, handle):
                self._release(evicted)
        return handle

    def load_adapter(self, adapter: str) -> None:
        """Load an adapter folder now (it loads on first use otherwise)."""
        with self._lock:
            self._adapter(adapter)

    def unload_adapter(self, adapter: str) -> bool:
        """Free an adapter's weights; False when it was not loaded."""
        with self._lock:
            handle = self._adapters.pop(adapter)
            if handle is None:
                return False
            self._release(handle)
            return True

    def loaded_adapters(self) -> list[str]:
        """The adapter folders loaded now, least recently used first."""
        return list(self._adapters)


__all__ = [
    "DEFAULT_MAX_ADAPTERS",
    "AdapterCache",
    "AdapterError",
    "AdapterHost",
    "Engine",
    "ExtractionBudgetError",
    "LabelScores",
    "adapter_name",
]
