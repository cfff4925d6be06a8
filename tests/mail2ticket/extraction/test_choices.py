"""The choice classifiers: enum and boolean fields read from the whole e-mail."""

from __future__ import annotations

import json

import pytest

from mail2ticket.extraction import agents_for
from mail2ticket.extraction.choices import ChoiceClassifier, ChoiceClassifierError, choice_fields
from mail2ticket.taxonomy import load_taxonomy

TAXONOMY = load_taxonomy()
AGENTS = agents_for(TAXONOMY)
RESTORE = AGENTS[TAXONOMY.by_key("restauration").name]
SUPERVISION = AGENTS[TAXONOMY.by_key("supervision").name]
DELETION = AGENTS[TAXONOMY.by_key("strategie_suppression").name]


@pytest.fixture(scope="module")
def choices(tagger_split) -> ChoiceClassifier:
    return ChoiceClassifier.fit((agent, email, fields) for agent, email, _, fields in tagger_split[0])


def test_choice_fields_are_the_enums_and_booleans() -> None:
    assert choice_fields(RESTORE) == ["restore_type"]
    assert choice_fields(SUPERVISION) == ["severity"]
    assert choice_fields(DELETION) == ["delete_existing_backups"]


def test_it_reads_the_choices_of_tickets_it_was_not_trained_on(choices: ChoiceClassifier, tagger_split) -> None:
    """Better than answering each field's commonest training value (absent counts as a value)."""
    commonest = {}
    for key, counts in choices.metadata["fields"].items():
        commonest[key] = json.loads(max(counts, key=counts.get))
    right = baseline = total = 0
    for agent, email, _, fields in tagger_split[1]:
        got = choices.values(agent, email)
        for name in choices.covers(agent):
            total += 1
            right += got.get(name) == fields.get(name)  # absent on both sides agrees
            baseline += commonest[f"{agent.key}.{name}"] == fields.get(name)
    assert total > 100 and right / total > 0.65 and right > baseline * 1.3, (right, baseline, total)


def test_a_typed_request_gets_its_kind_of_restore(choices: ChoiceClassifier) -> None:
    assert choices.covers(RESTORE) == ["restore_type"]
    got = choices.values(RESTORE, "Bonjour, pourriez-vous restaurer la VM SRVAPP03 dans son état de lundi ?")
    assert got == {"restore_type": "vm"}
    assert set(choices.metadata["fields"]) >= {"restauration.restore_type", "supervision.severity"}


def test_save_and_load_round_trip(choices: ChoiceClassifier, tmp_path) -> None:
    email = "** PROBLEM Service Alert: srv-db01/Disk /var is CRITICAL **"
    loaded = ChoiceClassifier.load(choices.save(tmp_path / "choices"))
    assert loaded.values(SUPERVISION, email) == choices.values(SUPERVISION, email) == {"severity": "CRITICAL"}


def test_fields_whose_tickets_all_agree_teach_nothing() -> None:
    with pytest.raises(ChoiceClassifierError, match="nothing to learn"):
        ChoiceClassifier.fit([(RESTORE, "Restaurer le dossier.", {"restore_type": "dossier"})] * 3)
