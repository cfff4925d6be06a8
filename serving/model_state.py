"""Which adapters are served (the classifier's, the extraction agents'): a champion, a pinned one, or none.

The Gateway never downloads anything; it asks the Engine to resolve the champion. The Engine
finds the alias in the MLflow registry (``models:/mail2ticket-classifier@champion``), downloads
that version's adapter once into the local cache, checks it was trained for this base model and
taxonomy, and loads it (:mod:`mail2ticket.registry.adapters`). What travels between deployments
afterwards is a :class:`ModelState` whose ``adapter`` is a registry reference
(``models:/NAME/VERSION``), not a path: an Engine replica on another node resolves the same
reference to its own copy. The extraction agents' adapter (``models:/mail2ticket-extractor@champion``)
travels in the same state, so a reload switches both at once and a request never mixes them.
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict

from mail2ticket.prompts import PromptStyle, prompt_version
from mail2ticket.registry.adapters import AdapterError
from mail2ticket.taxonomy import Taxonomy

ErrorKind = Literal["no_champion", "unreachable", "incompatible", "unavailable"]


class ChampionError(RuntimeError):
    """The adapter asked for cannot be served; ``kind`` says what the caller should do about it.

    ``no_champion`` and ``incompatible``: keep serving what is served (409 on a reload);
    ``unreachable`` and ``unavailable``: the registry or the storage is down, retry later (503).
    """

    def __init__(self, kind: ErrorKind, message: str) -> None:
        super().__init__(kind, message)
        self.kind = kind
        self.message = message

    def __str__(self) -> str:
        return self.message

    @classmethod
    def from_adapter_error(cls, exc: AdapterError) -> ChampionError:
        """The serving view of a registry or adapter failure."""
        kind: ErrorKind = "no_champion" if exc.kind == "missing" else exc.kind
        return cls(kind, exc.message)


class AdapterState(BaseModel):
    """An agent's adapter: how it was chosen, which registry version it is, or why there is none."""

    model_config = ConfigDict(frozen=True)

    serving: Literal["champion", "pinned", "base"]
    """champion: the registry alias; pinned: an ``adapter`` setting; base: no adapter."""
    adapter: str | None
    """What the engines load: ``models:/NAME/VERSION``, a folder or an s3:// prefix; None: the base model."""
    registered_model: str | None = None
    alias: str | None = None
    version: str | None = None
    run_id: str | None = None
    reason: str | None = None
    """Why no adapter is used (base model only): no champion yet, or one that cannot be served."""
    loaded_at: str = ""

    def public(self) -> dict[str, Any]:
        """The adapter part of an agent's entry in a response's ``models``."""
        return {
            "serving": self.serving,
            "registered_model": self.registered_model,
            "alias": self.alias,
            "version": self.version,
            "run_id": self.run_id,
            "adapter": self.adapter,
            **({"reason": self.reason} if self.reason else {}),
        }

    def describe(self) -> str:
        """The adapter in words, for logs and error messages."""
        if self.serving == "base":
            return "the base model"
        return f"{self.registered_model} v{self.version}" if self.version else f"adapter {self.adapter}"


class ExtractorState(AdapterState):
    """The adapter the extraction agents run with (one for every category), or their prompts on the base model."""


class ModelState(AdapterState):
    """The models a request is served with (captured once per request): the classifier's, and the extractors'."""

    base_model: str
    engine: str
    dtype: str | None = None
    """The floating-point type the engine runs the model in (``engine.options.dtype`` resolved)."""
    prompt_style: str
    prompt_version: str
    taxonomy_version: str
    extractor: ExtractorState | None = None
    """The extraction agents' adapter (None: extraction is off)."""

    def public(self) -> dict[str, Any]:
        """The ``classifier`` entry of a response's ``models``."""
        return {**super().public(), "prompt_style": self.prompt_style, "prompt_version": self.prompt_version}

    def describe(self) -> str:
        """The served model in words, for logs and error messages."""
        return f"the base model {self.base_model}" if self.serving == "base" else super().describe()


def base_state(
    base_model: str,
    engine: str,
    taxonomy: Taxonomy,
    reason: str,
    loaded_at: str,
    style: PromptStyle = "full",
    dtype: str | None = None,
) -> ModelState:
    """The bare base model, zero-shot (with the full prompt, what evaluation calls the baseline)."""
    return ModelState(
        serving="base",
        adapter=None,
        base_model=base_model,
        engine=engine,
        dtype=dtype,
        prompt_style=style,
        prompt_version=prompt_version(taxonomy, style),
        taxonomy_version=taxonomy.version,
        reason=reason,
        loaded_at=loaded_at,
    )


__all__ = ["AdapterState", "ChampionError", "ErrorKind", "ExtractorState", "ModelState", "base_state"]
