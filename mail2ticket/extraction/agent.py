"""Extraction agents: one per ticket category, defined by the taxonomy alone.

The paper's architecture (section 4) is N+1 agents: a classifier, then the category's
extractor, each with a short focused prompt — one prompt for every field of every category
would be too long and ambiguous for a mid-sized model. Its section 10.2 leaves the extractors
as future work, with a proof of concept on "Restauration qualifiée" and its five fields.

Here an :class:`ExtractionAgent` is nothing but data from ``taxonomy.yaml``: the category's
description and example e-mails make the instructions (:mod:`mail2ticket.prompts`), its JSON
Schema constrains decoding (the engine's ``extract``), and a pydantic model derived from that
schema checks the answer (:mod:`mail2ticket.extraction.schema`). Adding a category is a YAML
change: :func:`agents_for` builds its agent like any other.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from mail2ticket.extraction.schema import DEFAULT_TIMEZONE, output_model, validate_fields
from mail2ticket.prompts import extraction_messages, extraction_prompt_version, render_prompt
from mail2ticket.taxonomy import UNKNOWN, Category, Taxonomy, load_taxonomy


class ExtractionAgent:
    """The extractor of one category: prompt, schema and answer validation.

    Stateless and cheap to build; the engine (base model + adapter) is shared by all agents.
    """

    def __init__(self, category: Category, timezone: str = DEFAULT_TIMEZONE) -> None:
        self.category = category
        self.name = category.name
        self.key = category.key
        self.timezone = timezone
        self._schema = category.json_schema()
        self.output_model = output_model(self._schema)
        self.prompt_version = extraction_prompt_version(category)

    def __repr__(self) -> str:
        return f"ExtractionAgent({self.name!r}, fields={list(self._schema['properties'])})"

    @property
    def schema(self) -> dict[str, Any]:
        """The category's JSON Schema (every field optional); a copy, so callers cannot alter the agent."""
        return copy.deepcopy(self._schema)

    @property
    def fields(self) -> list[str]:
        return list(self._schema["properties"])

    def messages(self, email: str, received_at: str | None = None) -> list[dict[str, str]]:
        """Chat messages asking for this category's fields; the reception date lets the model resolve 'hier'."""
        return extraction_messages(self.category, email, received_at)

    def prompt(self, tokenizer: Any, email: str, received_at: str | None = None) -> str:
        """The messages through the model's chat template, ending with the assistant's turn opening."""
        return render_prompt(tokenizer, self.messages(email, received_at))

    def finalize(self, raw: dict, received_at: str | None = None) -> dict:
        """The ticket fields: ``raw`` normalised and validated field by field (see ``validate_fields``).

        Unknown or invalid fields are dropped rather than failing the ticket; dates become ISO
        8601, resolved relative to ``received_at`` when given; lists are arrays.
        """
        return validate_fields(self._schema, raw, received_at, self.timezone)


def agents_for(taxonomy: Taxonomy | None = None) -> dict[str, ExtractionAgent]:
    """One agent per category of the taxonomy, keyed by category name (``unknown`` has none)."""
    taxonomy = taxonomy or load_taxonomy()
    return {c.name: ExtractionAgent(c) for c in taxonomy.categories if c.name != UNKNOWN}


def extract_fields(
    engine: Any,
    tokenizer: Any,
    agent: ExtractionAgent,
    emails: Sequence[str],
    received_at: Sequence[str | None] | None = None,
    adapter: str | None = None,
    max_new_tokens: int | None = None,
) -> list[dict]:
    """Fields of each e-mail: prompt, schema-constrained decoding, then :meth:`ExtractionAgent.finalize`.

    ``max_new_tokens`` is passed to the engine only when given, so engines keep their own
    default budget. A category without fields costs no model call.
    """
    received = list(received_at) if received_at is not None else [None] * len(emails)
    if len(received) != len(emails):
        raise ValueError(f"{len(emails)} e-mails but {len(received)} reception times")
    if not agent.fields:
        return [{} for _ in emails]
    prompts = [agent.prompt(tokenizer, email, when) for email, when in zip(emails, received, strict=True)]
    options = {"max_new_tokens": max_new_tokens} if max_new_tokens is not None else {}
    raw = engine.extract(prompts, agent.schema, adapter=adapter, **options)
    return [agent.finalize(answer, when) for answer, when in zip(raw, received, strict=True)]


__all__ = ["ExtractionAgent", "agents_for", "extract_fields"]
