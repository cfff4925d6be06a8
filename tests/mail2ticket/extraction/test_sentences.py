"""The sentence picker: a ticket's question, request or change answered with the client's own sentence."""

from __future__ import annotations

import json

import pytest
from rapidfuzz import fuzz, utils

from mail2ticket.data.corpus import CorpusConfig, generate
from mail2ticket.extraction import agents_for
from mail2ticket.extraction.sentences import (
    SentencePicker,
    SentencePickerConfig,
    SentencePickerError,
    free_text_fields,
    sentences,
)
from mail2ticket.taxonomy import load_taxonomy
from mail2ticket.training.extractor import tagger_examples

TAXONOMY = load_taxonomy()
AGENTS = agents_for(TAXONOMY)
QUESTION = AGENTS[TAXONOMY.by_key("renseignement").name]
CHANGE = AGENTS[TAXONOMY.by_key("strategie_modification").name]
SUMMARY = AGENTS[TAXONOMY.by_key("bcs_autre").name]
SUPERVISION = AGENTS[TAXONOMY.by_key("supervision").name]


@pytest.fixture(scope="module")
def paraphrase_split(tmp_path_factory) -> tuple[list[tuple], list[tuple]]:
    """The tickets of the three categories with a paraphrased field, from a corpus large enough to hold
    a hundred of each (the session's 1,200 tickets hold ten questions): two thirds, and the rest."""
    summary = generate(CorpusConfig(tickets=6_000, seed=23, strategic_share=0.5),
                       tmp_path_factory.mktemp("paraphrases") / "export.csv")  # fmt: skip
    rows = [json.loads(line) for line in summary.truth.read_text(encoding="utf-8").splitlines()]
    wanted = {QUESTION.key, CHANGE.key, SUMMARY.key}
    examples = [
        (agent, email, fields)
        for agent, email, _, fields in tagger_examples([{**r, "email": r["first_email"]} for r in rows], AGENTS)
        if agent.key in wanted
    ]
    cut = 2 * len(examples) // 3
    return examples[:cut], examples[cut:]


@pytest.fixture(scope="module")
def picker(paraphrase_split) -> SentencePicker:
    return SentencePicker.fit(paraphrase_split[0])


def test_the_paraphrased_fields_are_the_plain_strings() -> None:
    assert free_text_fields(QUESTION) == ["question"]
    # A schedule is free text too; the span tagger takes it when its values are written word for word.
    assert free_text_fields(CHANGE) == ["requested_change", "schedule", "retention"]
    assert free_text_fields(AGENTS[TAXONOMY.by_key("incident_sauvegarde").name]) == []  # copied, or dates
    assert "hostname" not in free_text_fields(SUPERVISION) and "severity" not in free_text_fields(SUPERVISION)


def test_an_email_is_cut_at_lines_flattened_breaks_and_sentence_ends() -> None:
    email = "Bonjour,\n\nLa sauvegarde est lente. Pouvez-vous la décaler à 23h ?**Merci\nJulie"
    assert sentences(email) == ["La sauvegarde est lente.", "Pouvez-vous la décaler à 23h ?"]


def test_it_finds_the_asking_sentence_of_unseen_tickets(picker: SentencePicker, paraphrase_split) -> None:
    """The picked sentence is the one closest to the true value more often than the first sentence of substance."""
    right = baseline = total = 0
    config = SentencePickerConfig()
    for agent, email, fields in paraphrase_split[1]:
        picked = picker.values(agent, email)
        found = sentences(email)
        for name in picker.covers(agent):
            truth = fields.get(name)
            if not truth or not found:
                continue
            closeness = [fuzz.token_set_ratio(truth, s, processor=utils.default_process) for s in found]
            best = found[max(range(len(found)), key=closeness.__getitem__)]
            if max(closeness) < config.min_overlap:
                continue
            total += 1
            right += picked.get(name) == best
            baseline += next((s for s in found if len(s.split()) >= 4), None) == best
    assert {name.split(".")[0] for name in picker.metadata["fields"]} == {QUESTION.key, CHANGE.key, SUMMARY.key}
    assert total > 20 and right / total > 0.6 and right > baseline * 1.2, (right, baseline, total)


def test_a_typed_request_gets_its_question(picker: SentencePicker) -> None:
    assert picker.covers(QUESTION) == ["question"]
    email = (
        "Bonjour,\n\nNous préparons notre audit annuel.\nQuelle est la durée de rétention appliquée aux "
        "sauvegardes de SRVCOMPTA02 ?\n\nCordialement,\nMarc Durand"
    )
    assert picker.values(QUESTION, email) == {
        "question": "Quelle est la durée de rétention appliquée aux sauvegardes de SRVCOMPTA02 ?"
    }


def test_save_and_load_round_trip(picker: SentencePicker, tmp_path) -> None:
    email = "Bonjour,\nPouvez-vous passer la rétention de SRVSQL02 à 90 jours ?\nMerci"
    loaded = SentencePicker.load(picker.save(tmp_path / "sentences"))
    assert loaded.values(CHANGE, email) == picker.values(CHANGE, email)
    assert loaded.metadata["fields"] == picker.metadata["fields"]


def test_fields_another_tagger_takes_and_values_far_from_every_sentence_teach_nothing() -> None:
    example = (QUESTION, "Bonjour,\nQuelle est la rétention de SRV01 ?", {"question": "Rétention de SRV01 ?"})
    with pytest.raises(SentencePickerError, match="close to a sentence"):
        SentencePicker.fit([example] * 6, taken={"renseignement": ["question"]})
    far = (QUESTION, "Bonjour,\nQuelle est la rétention de SRV01 ?", {"question": "Combien de temps gardez-vous tout"})
    with pytest.raises(SentencePickerError, match="close to a sentence"):
        SentencePicker.fit([far] * 6)
