"""The taggers an extraction adapter ships: trained together, saved in its folder, filling what they cover."""

from __future__ import annotations

from dataclasses import replace

import pytest

from mail2ticket.extraction import agents_for
from mail2ticket.extraction.taggers import TAGGER_FOLDERS, FieldTaggers, adapter_taggers, fill_fields, model_schema
from mail2ticket.taxonomy import load_taxonomy

TAXONOMY = load_taxonomy()
AGENTS = agents_for(TAXONOMY)
RESTORE = AGENTS[TAXONOMY.by_key("restauration").name]
OTHER = AGENTS[TAXONOMY.by_key("bcs_autre").name]
QUESTION = AGENTS[TAXONOMY.by_key("renseignement").name]
SUPERVISION = AGENTS[TAXONOMY.by_key("supervision").name]
EMAIL = "Bonjour, pourriez-vous restaurer le dossier \\\\SRVFIC02\\Compta\\2024 dans son état du 03/03/2025 ? Merci"


@pytest.fixture(scope="module")
def taggers(tagger_split) -> FieldTaggers:
    return FieldTaggers.fit(tagger_split[0])


def test_every_tagger_is_trained_and_the_model_keeps_what_none_learnt(taggers: FieldTaggers) -> None:
    assert set(taggers.parts) == set(TAGGER_FOLDERS) and taggers.skipped == {}
    covered = taggers.covered(RESTORE)
    assert {"hostname", "source_path", "restore_type", "restore_date"} <= set(covered)
    assert covered == [name for name in RESTORE.fields if name in covered]  # the schema's order
    assert taggers.covered(OTHER) == ["hostnames", "summary"]  # the client's sentence (the picker)
    # A field no tagger learnt (here: no sentence picker) is the model's.
    without_picker = replace(taggers, sentences=None)
    assert without_picker.covered(OTHER) == ["hostnames"]
    assert set(model_schema(without_picker, OTHER)["properties"]) == {"summary"}
    assert taggers.covered(SUPERVISION) == SUPERVISION.fields  # an alert costs no model call
    schema = model_schema(taggers, RESTORE)
    assert set(schema["properties"]) == set(RESTORE.fields) - set(covered)
    assert model_schema(taggers, SUPERVISION)["properties"] == {}
    assert model_schema(None, RESTORE) == RESTORE.decoding_schema


def test_fill_replaces_the_covered_fields_and_keeps_the_models_others(taggers: FieldTaggers) -> None:
    answer = {"source_path": "invented", "restore_date": "hier", "destination_path": "D:\\nulle part"}
    got = taggers.fill(RESTORE, EMAIL, "2025-03-14T09:30", answer)
    assert got["hostname"] == "SRVFIC02" and got["restore_date"] == "2025-03-03"
    assert got["source_path"].startswith("\\\\SRVFIC02\\Compta") and got["restore_type"] == "dossier"
    question = {"question": "Durée de rétention de SRVSQL02 ?"}
    without_picker = replace(taggers, sentences=None)
    assert without_picker.fill(QUESTION, "Quelle est la rétention de SRVSQL02 ?", None, question) == {
        "hostnames": ["SRVSQL02"],
        **question,
    }
    email = "Bonjour,\nMerci d'ajouter Paul Martin aux rapports de sauvegarde.\nCordialement"
    picked = taggers.fill(OTHER, email, None, {"summary": "Ajouter un contact aux rapports."})
    assert picked["summary"] == "Merci d'ajouter Paul Martin aux rapports de sauvegarde."
    # What the taggers return obeys the ticket's conventions, like every other answer.
    assert got == RESTORE.finalize(got, "2025-03-14T09:30", EMAIL)
    assert fill_fields(taggers, RESTORE, [EMAIL], ["2025-03-14T09:30"], [answer]) == [got]
    assert fill_fields(None, RESTORE, [EMAIL], [None], [answer]) == [answer]


def test_they_travel_in_the_adapters_folder(taggers: FieldTaggers, tmp_path) -> None:
    taggers.save(tmp_path)
    assert all((tmp_path / folder / "tagger.skops").is_file() for folder in TAGGER_FOLDERS.values())
    loaded = adapter_taggers(str(tmp_path))
    assert loaded is not None and loaded.covered(RESTORE) == taggers.covered(RESTORE)
    assert loaded.fill(RESTORE, EMAIL, "2025-03-14T09:30", {}) == taggers.fill(RESTORE, EMAIL, "2025-03-14T09:30", {})
    (tmp_path / "bare").mkdir()
    assert adapter_taggers(str(tmp_path / "bare")) is None and adapter_taggers(None) is None


def test_a_tagger_with_nothing_to_learn_is_skipped_and_says_why() -> None:
    email = "Bonjour, merci d'ajouter Paul aux rapports de sauvegarde."
    taggers = FieldTaggers.fit([(OTHER, email, None, {"summary": "Ajouter Paul aux rapports."})])
    assert taggers.parts == {} and set(taggers.skipped) == set(TAGGER_FOLDERS)
    assert taggers.covered(OTHER) == [] and taggers.fill(OTHER, email, None, {"summary": "x"}) == {"summary": "x"}
