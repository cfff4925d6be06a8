"""What an evaluation scores: a base model, maybe one of its adapters, and the prompt it expects.

The ``mail2ticket evaluate`` command, the pipeline's evaluation steps and the benchmarks all
start from a model spec and an adapter reference. Resolving them here, once, means each of them
refuses the same incompatible adapters the same way and gives the adapter the prompt style it
was trained with, and builds its engine through the one factory.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mail2ticket.engines import Engine, make_engine
from mail2ticket.prompts import PromptStyle
from mail2ticket.registry.adapters import CLASSIFIER_KIND, AdapterKind, checked_metadata, resolve_adapter
from mail2ticket.registry.models import resolve_model
from mail2ticket.taxonomy import Taxonomy, load_taxonomy


@dataclass(frozen=True)
class Candidate:
    """A base model and, optionally, an adapter trained on it, checked against the taxonomy.

    Attributes:
        base_model: The model spec as given (``embedded:NAME``, a folder, ``s3://``).
        model_dir: Its local folder.
        adapter_dir: The adapter's local folder, None for the zero-shot base model.
        prompt_style: The prompt the candidate is evaluated with: the adapter's own unless asked otherwise.
        metadata: The adapter's ``mail2ticket.json`` (empty for the base model).
    """

    base_model: str
    model_dir: Path
    adapter_dir: Path | None = None
    prompt_style: PromptStyle = "full"
    metadata: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def resolve(
        cls,
        base_model: str,
        adapter: str | Path | None = None,
        prompt_style: PromptStyle | None = None,
        taxonomy: Taxonomy | None = None,
        kind: AdapterKind = CLASSIFIER_KIND,
    ) -> Candidate:
        """Resolve the model and the adapter (folder, ``s3://`` or ``models:/``), refusing a mismatch.

        ``kind`` is what the adapter must have been trained for: the classifier's adapter for a
        classification, the extraction agents' for an extraction.
        """
        model_dir = resolve_model(base_model)
        if adapter is None:
            return cls(base_model, model_dir, None, prompt_style or "full")
        adapter_dir = resolve_adapter(adapter)
        metadata = checked_metadata(adapter_dir, base_model, model_dir, taxonomy or load_taxonomy(), kind)
        return cls(base_model, model_dir, adapter_dir, prompt_style or metadata.get("prompt_style", "full"), metadata)

    @property
    def adapter(self) -> str | None:
        """The adapter folder as the engines take it."""
        return str(self.adapter_dir) if self.adapter_dir else None

    def engine(self, kind: str = "transformers", **options: Any) -> Engine:
        """An engine on the candidate's base model (the adapter loads on first use)."""
        return make_engine(kind, self.model_dir, **options)


__all__ = ["Candidate"]
