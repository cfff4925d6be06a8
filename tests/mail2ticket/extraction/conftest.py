"""Tickets of the generator with their true fields, split for the taggers: fitted on two thirds, scored on the rest."""

from __future__ import annotations

import json

import pytest

from mail2ticket.extraction import agents_for
from mail2ticket.taxonomy import load_taxonomy
from mail2ticket.training.extractor import tagger_examples


@pytest.fixture(scope="session")
def tagger_split(small_corpus) -> tuple[list[tuple], list[tuple]]:
    """``(agent, e-mail, received_at, validated fields)`` of the corpus' in-scope tickets: training, held out."""
    rows = [json.loads(line) for line in small_corpus.truth.read_text(encoding="utf-8").splitlines()]
    records = [{**row, "email": row["first_email"]} for row in rows]
    examples = tagger_examples(records, agents_for(load_taxonomy()))
    cut = 2 * len(examples) // 3
    return examples[:cut], examples[cut:]
