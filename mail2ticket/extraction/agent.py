"""Extraction agents: one per ticket category, defined by the taxonomy alone.

The paper's architecture (section 4) is N+1 agents: a classifier, then the category's
extractor, each with a short focused prompt — one prompt for every field of every category
would be too long and ambiguous for a mid-sized model. Its section 10.2 leaves the extractors
as future work, with a proof of concept on "Restauration qualifiée" and its five fields.

Here an :class:`ExtractionAgent` is nothing but data from ``taxonomy.yaml``: the category's
description and example e-mails make the instructions (:mod:`mail2ticket.prompts`), its JSON
Schema constrains decoding (the engine's ``extract``), and a pydantic model derived from that
schema checks the answer (:mod:`mail2ticket.extraction.schema`). The schema the model decodes
differs in one way from the ticket's: a date is the e-mail's words for it (``hier soir``),
which the validation reads against the reception time, not an ISO date the model computes.
Adding a category is a YAML change: :func:`agents_for` builds its agent like any other.
"""

from __future__ import annotations

import copy
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from typing import Any, Literal, get_args

from mail2ticket.extraction.alerts import parse_alert
from mail2ticket.extraction.dates import DATE_FORMATS, DEFAULT_TIMEZONE, date_span, parse_moment, parse_received_at
from mail2ticket.extraction.schema import output_model, validate_fields
from mail2ticket.extraction.taggers import adapter_taggers, fill_fields, model_schema
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

    @property
    def date_fields(self) -> list[str]:
        """The fields holding a date or a date-time."""
        return [name for name, spec in self._schema["properties"].items() if spec.get("format") in DATE_FORMATS]

    @property
    def decoding_schema(self) -> dict[str, Any]:
        """The JSON Schema the model's answer is decoded under: the ticket's, with dates as free text.

        The model copies the words that state a date (``avant-hier``, ``le 12/03 à 14h``) and
        :meth:`finalize_answer` reads them, so the grammar must not force an ISO date on it.
        """
        schema = self.schema
        for name in self.date_fields:
            schema["properties"][name].pop("format")
        return schema

    def decoding_schema_without(self, covered: Collection[str]) -> dict[str, Any]:
        """:attr:`decoding_schema` less the ``covered`` fields: those the adapter's taggers fill."""
        schema = self.decoding_schema
        schema["properties"] = {name: spec for name, spec in schema["properties"].items() if name not in covered}
        return schema

    def messages(self, email: str, received_at: str | None = None) -> list[dict[str, str]]:
        """Chat messages asking for this category's fields; the reception date lets the model resolve 'hier'."""
        return extraction_messages(self.category, email, received_at)

    def prompt(self, tokenizer: Any, email: str, received_at: str | None = None) -> str:
        """The messages through the model's chat template, ending with the assistant's turn opening."""
        return render_prompt(tokenizer, self.messages(email, received_at))

    @property
    def copied_fields(self) -> dict[str, bool]:
        """Fields whose values must be copied from the e-mail (``copied`` in the taxonomy), with ``ignore_case``."""
        return self.category.copied_fields

    def finalize(self, raw: dict, received_at: str | None = None, email: str | None = None) -> dict:
        """The ticket fields: ``raw`` normalised and validated field by field (see ``validate_fields``).

        Unknown or invalid fields are dropped rather than failing the ticket; dates become ISO
        8601, resolved relative to ``received_at`` when given (a relative date without it is
        dropped); lists are arrays, never empty. With ``email``, the text the fields were
        extracted from, a value of a ``copied`` field that the e-mail does not contain is
        dropped (copied, never invented); every caller that has the e-mail passes it.
        """
        return validate_fields(self._schema, raw, received_at, self.timezone, email, self.copied_fields)

    def finalize_answer(self, raw: dict, received_at: str | None, email: str) -> dict:
        """The ticket fields of the model's answer for ``email``: :meth:`finalize`, dates as quoted words.

        A date the model wrote is kept only if the e-mail contains those words (case ignored),
        then read relative to ``received_at``: a date the e-mail does not state is absent.
        """
        return validate_fields(
            self._schema, raw, received_at, self.timezone, email, self.copied_fields, quoted_dates=True
        )

    def as_written(self, fields: dict, email: str, received_at: str | None = None) -> dict:
        """The answer the model is taught to write for validated ``fields``: each date as the e-mail's words.

        A date whose words are not found in the e-mail (:func:`date_span`) is left out: the model
        learns to copy what states a date, never to compute one.
        """
        base = parse_received_at(received_at)
        answer = dict(fields)
        for name in self.date_fields:
            moment = parse_moment(str(answer[name])) if answer.get(name) is not None else None
            timed = self._schema["properties"][name]["format"] == "date-time"
            span = date_span(email, moment if timed else moment.date(), base) if moment is not None else None
            if span is None:
                answer.pop(name, None)
            else:
                answer[name] = span
        return answer


#: Who may fill a ticket's fields: the extractor model only, the alert parsers only, or the
#: parsers first and the model for what they do not recognise (what serving runs).
ExtractorMode = Literal["model", "parsers", "combined"]
EXTRACTOR_MODES: tuple[str, ...] = get_args(ExtractorMode)


@dataclass(frozen=True)
class Extraction:
    """A ticket's fields and who filled them: ``parser:<tool>``, ``model``, or ``none``."""

    fields: dict[str, Any]
    answered_by: str


def parsed_fields(
    agent: ExtractionAgent, email: str, received_at: str | None = None, subject: str | None = None
) -> Extraction | None:
    """The fields a machine-written alert states, when a parser recognises one of this agent's category.

    A notification of another category (a backup report forwarded with a question about the
    offer) is not this agent's to fill: the model answers it. The parser's values go through
    :meth:`ExtractionAgent.finalize` like the model's, so both obey the same conventions.
    """
    parsed = parse_alert(email, subject)
    if parsed is None or parsed.category_key != agent.key:
        return None
    return Extraction(agent.finalize(parsed.fields, received_at, email), f"parser:{parsed.parser}")


def extract(
    engine: Any,
    tokenizer: Any,
    agent: ExtractionAgent,
    emails: Sequence[str],
    received_at: Sequence[str | None] | None = None,
    adapter: str | None = None,
    max_new_tokens: int | None = None,
    mode: ExtractorMode = "combined",
    subjects: Sequence[str | None] | None = None,
) -> list[Extraction]:
    """Fields of each e-mail and who filled them: the alert parsers, then the model for the rest.

    ``mode`` ``model`` skips the parsers, ``parsers`` skips the model (an e-mail no parser
    recognises gets no fields); the model's batch holds only the e-mails the parsers left.
    """
    if mode not in EXTRACTOR_MODES:
        raise ValueError(f"extractor mode {mode!r}: expected one of {', '.join(EXTRACTOR_MODES)}")
    received = list(received_at) if received_at is not None else [None] * len(emails)
    titles = list(subjects) if subjects is not None else [None] * len(emails)
    if not len(received) == len(titles) == len(emails):
        raise ValueError(f"{len(emails)} e-mails, {len(received)} reception times, {len(titles)} subjects")
    results: list[Extraction | None] = [None] * len(emails)
    if mode != "model" and agent.fields:
        results = [parsed_fields(agent, e, r, s) for e, r, s in zip(emails, received, titles, strict=True)]
    left = [i for i, result in enumerate(results) if result is None]
    if mode == "parsers" or not agent.fields:
        return [result or Extraction({}, "none") for result in results]
    if left:
        answers = extract_fields(
            engine, tokenizer, agent, [emails[i] for i in left], [received[i] for i in left], adapter, max_new_tokens
        )
        for i, fields in zip(left, answers, strict=True):
            results[i] = Extraction(fields, "model")
    return [result for result in results if result is not None]


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
    """Fields of each e-mail: prompt, decoding under :attr:`ExtractionAgent.decoding_schema`, then
    :meth:`ExtractionAgent.finalize_answer` with the e-mail itself (copied values and the words of
    dates are checked against it). When the ``adapter`` folder ships taggers
    (:mod:`mail2ticket.extraction.taggers`), the model is asked only for the fields they do not
    cover, and they fill the rest; a category they cover entirely costs no model call.

    ``max_new_tokens`` is passed to the engine only when given, so engines keep their own
    default budget. A category without fields costs no model call.
    """
    received = list(received_at) if received_at is not None else [None] * len(emails)
    if len(received) != len(emails):
        raise ValueError(f"{len(emails)} e-mails but {len(received)} reception times")
    if not agent.fields:
        return [{} for _ in emails]
    taggers = adapter_taggers(adapter)
    schema = model_schema(taggers, agent)
    raw: list[dict] = [{} for _ in emails]
    if schema["properties"]:
        prompts = [agent.prompt(tokenizer, email, when) for email, when in zip(emails, received, strict=True)]
        options = {"max_new_tokens": max_new_tokens} if max_new_tokens is not None else {}
        raw = engine.extract(prompts, schema, adapter=adapter, **options)
    answers = [
        agent.finalize_answer(answer, when, email) for answer, when, email in zip(raw, received, emails, strict=True)
    ]
    return fill_fields(taggers, agent, emails, received, answers)


__all__ = [
    "EXTRACTOR_MODES",
    "Extraction",
    "ExtractionAgent",
    "ExtractorMode",
    "agents_for",
    "extract",
    "extract_fields",
    "parsed_fields",
]
