"""The extraction agents' adapter: one LoRA adapter that fills every category's ticket fields.

The extractors were the bare base model behind a prompt, and a 135M model with a prompt alone
fills almost nothing. This adapter is trained on the prepared tickets' ground-truth fields,
through the classifier's LoRA loop (:func:`~mail2ticket.training.fit_lora`) with the loss on
the answer only, and on exactly what serving sends and receives:

* the prompt is the category's own extraction prompt (:meth:`ExtractionAgent.prompt`), so one
  multi-task adapter serves every agent: the category's instructions and schema tell it which
  fields to fill, as they did the bare model;
* the answer is the text schema-constrained decoding produces for those fields
  (:func:`extraction_answer`): the schema's property order, xgrammar's separators, UTF-8;
* the fields are first put through the agent's own validation (:meth:`ExtractionAgent.finalize`
  with the e-mail), so the adapter never learns a value serving would drop: a copied value the
  e-mail does not contain, a relative date without a reception time.

An e-mail whose category has no fields, or of ``unknown``, teaches nothing here and is skipped.

The same tickets fit the taggers (:mod:`mail2ticket.extraction.taggers`), saved in the adapter's
folder: wherever the model answers, the fields they cover (hosts, copied values, dates, choices)
are theirs, and the model is asked only for the rest.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from mail2ticket.extraction.agent import ExtractionAgent, agents_for
from mail2ticket.extraction.taggers import FieldTaggers, TaggerExample
from mail2ticket.registry.adapters import AdapterKind
from mail2ticket.taxonomy import Taxonomy, load_taxonomy
from mail2ticket.training.config import TrainingConfig
from mail2ticket.training.trainer import Example, TrainingResult, build_answer_example, fit_lora, save_metadata

#: What an extractor adapter's metadata says it is, so it is never served as a classifier.
ADAPTER_KIND: AdapterKind = "extractor"
#: The extraction adapter's recipe where it differs from the classifier's (the paper's 30 steps on
#: every layer): the answers are longer and more varied than a label, so 100 steps, with the last 4
#: decoder layers adapted to keep them affordable on a CPU, at lr 5e-4 (measured on unseen
#: generated tickets and the hand-written dev set: bench/RESULTS.md).
EXTRACTOR_TRAINING = TrainingConfig(max_steps=100, learning_rate=5e-4, lora_layers=4)
#: The recipe's fields a pipeline run sets, as ``extractor_<field>`` parameters.
EXTRACTOR_PIPELINE_FIELDS: tuple[str, ...] = (
    "lora_layers",
    "learning_rate",
    "max_steps",
    "batch_size",
    "gradient_accumulation",
)


@dataclass(frozen=True)
class ExtractionExample:
    """One training pair before tokenisation: the agent, the e-mail, its reception time, the answer."""

    agent: ExtractionAgent
    email: str
    received_at: str | None
    answer: str


def extraction_answer(agent: ExtractionAgent, fields: Mapping[str, Any]) -> str:
    """The document constrained decoding writes for ``fields`` (already validated), absent ones left out.

    Properties come in the schema's order, with ``", "`` and ``": "`` between items and keys
    (the grammar admits no other whitespace) and characters written as themselves, not as
    ``\\u`` escapes: these are the tokens the adapter will be asked to produce.
    """
    ordered = {name: fields[name] for name in agent.fields if fields.get(name) is not None}
    return json.dumps(ordered, ensure_ascii=False)


def extraction_examples(
    records: Sequence[Mapping[str, Any]], agents: Mapping[str, ExtractionAgent]
) -> list[ExtractionExample]:
    """The training pairs of prepared records (``email``, ``category``, ``fields``, maybe ``received_at``).

    A record of ``unknown``, of a category without fields, or without ground truth (no
    ``fields`` object, or an empty one: preparation writes ``{}`` for a ticket the ground-truth
    file does not cover) is skipped; one whose fields are all absent after validation teaches
    the answer ``{}``, which is what an e-mail that states nothing should get. The answer holds
    each date as the e-mail's words (:meth:`ExtractionAgent.as_written`), what serving reads back.
    """
    return [
        ExtractionExample(agent, email, when, extraction_answer(agent, agent.as_written(fields, email, when)))
        for agent, email, when, fields in tagger_examples(records, agents)
    ]


def tagger_examples(records: Sequence[Mapping[str, Any]], agents: Mapping[str, ExtractionAgent]) -> list[TaggerExample]:
    """The taggers' training examples: the records :func:`extraction_examples` keeps, with their validated fields.

    Unlike the adapter's answers, dates stay ISO 8601: the date picker learns which stated date
    is the true one.
    """
    examples = []
    for record in records:
        agent = agents.get(str(record.get("category")))
        truth = record.get("fields")
        if agent is None or not agent.fields or not isinstance(truth, Mapping) or not truth:
            continue
        email, received_at = str(record["email"]), record.get("received_at")
        examples.append((agent, email, received_at, agent.finalize(dict(truth), received_at, email)))
    return examples


def train_extractor(
    model_dir: str | Path,
    records: Sequence[Mapping[str, Any]],
    output_dir: str | Path,
    config: TrainingConfig | None = None,
    taxonomy: Taxonomy | None = None,
    base_model: str | None = None,
    on_step: Callable[[int, float, float], None] | None = None,
    tagger_records: Sequence[Mapping[str, Any]] | None = None,
) -> TrainingResult:
    """Fine-tune the extraction agents' adapter on prepared ``records`` with ground-truth fields, and save it.

    The adapter folder holds the peft adapter, the tokenizer, ``mail2ticket.json`` with
    ``kind: extractor``, the taxonomy it was trained for and each agent's prompt version, and
    the taggers fitted on the same tickets (:class:`FieldTaggers`, one folder each; a tagger
    whose fields the tickets never fill is not trained, and the model answers those fields).
    The taggers fit in seconds where the adapter needs minutes of steps, so they may be given
    more tickets than the adapter (``tagger_records``; by default the same ``records``).
    """
    config = config or TrainingConfig()
    taxonomy = taxonomy or load_taxonomy()
    agents = agents_for(taxonomy)
    pairs = extraction_examples(records, agents)
    if not pairs:
        raise ValueError(
            "no extraction example: no record of a category with fields carries ground-truth 'fields' "
            "(prepare the data with --ground-truth <export>.truth.jsonl)"
        )

    def make_examples(tokenizer: Any) -> list[Example]:
        return [
            build_answer_example(tokenizer, pair.agent.prompt(tokenizer, pair.email, pair.received_at), pair.answer)
            for pair in pairs
        ]

    result = fit_lora(model_dir, make_examples, output_dir, config, [p.agent.name for p in pairs], on_step)
    taggers = FieldTaggers.fit(tagger_examples(records if tagger_records is None else tagger_records, agents))
    taggers.save(result.adapter_dir)
    return save_metadata(
        result,
        ADAPTER_KIND,
        base_model or str(model_dir),
        taxonomy,
        prompt_versions={name: agent.prompt_version for name, agent in agents.items()},
        examples_per_category={name: sum(p.agent.name == name for p in pairs) for name in agents},
        taggers=taggers.metadata,
    )


def extractor_pipeline_defaults() -> dict[str, Any]:
    """The pipeline's ``extractor_<field>`` parameters, defaulting to :data:`EXTRACTOR_TRAINING` (None as 0)."""
    return {f"extractor_{name}": getattr(EXTRACTOR_TRAINING, name) or 0 for name in EXTRACTOR_PIPELINE_FIELDS}


__all__ = [
    "ADAPTER_KIND",
    "EXTRACTOR_PIPELINE_FIELDS",
    "EXTRACTOR_TRAINING",
    "ExtractionExample",
    "extraction_answer",
    "extraction_examples",
    "extractor_pipeline_defaults",
    "tagger_examples",
    "train_extractor",
]
