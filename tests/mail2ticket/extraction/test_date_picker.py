"""The date picker: which of the dates an e-mail states fills the ticket's date field."""

from __future__ import annotations

import pytest

from mail2ticket.extraction import agents_for
from mail2ticket.extraction.date_picker import DatePicker, DatePickerError
from mail2ticket.extraction.dates import iso_value, parse_moment
from mail2ticket.taxonomy import load_taxonomy

TAXONOMY = load_taxonomy()
AGENTS = agents_for(TAXONOMY)
RESTORE = AGENTS[TAXONOMY.by_key("restauration").name]
BACKUP = AGENTS[TAXONOMY.by_key("incident_sauvegarde").name]
OTHER = AGENTS[TAXONOMY.by_key("bcs_autre").name]


@pytest.fixture(scope="module")
def picker(tagger_split) -> DatePicker:
    return DatePicker.fit(tagger_split[0])


def test_it_picks_the_dates_of_tickets_it_was_not_trained_on(picker: DatePicker, tagger_split) -> None:
    right = expected = found = 0
    for agent, email, received_at, fields in tagger_split[1]:
        got = picker.values(agent, email, received_at)
        for name in picker.covers(agent):
            timed = agent.schema["properties"][name]["format"] == "date-time"
            truth = iso_value(parse_moment(fields[name]), timed) if fields.get(name) else None
            expected, found, right = expected + bool(truth), found + (name in got), right + (truth == got.get(name))
    assert expected > 100 and right / found > 0.85 and right / expected > 0.75, (right, found, expected)
    assert picker.metadata["true_dates_mentioned"] <= picker.metadata["true_dates"]


def test_of_two_dates_it_takes_the_one_the_field_asks_for(picker: DatePicker) -> None:
    email = "Bonjour, j'ai constaté hier que le fichier manquait, pouvez-vous le restaurer dans l'état du 03/03/2025 ?"
    assert picker.values(RESTORE, email, "2025-03-14T09:30") == {"restore_date": "2025-03-03"}
    assert picker.covers(OTHER) == [] and picker.values(OTHER, email, "2025-03-14T09:30") == {}
    assert picker.values(RESTORE, "Merci de restaurer mon dossier.", "2025-03-14T09:30") == {}


def test_save_and_load_round_trip(picker: DatePicker, tmp_path) -> None:
    email = "Bonjour, la sauvegarde de SRVSQL01 a échoué le 12/03/2025, merci de relancer le job."
    loaded = DatePicker.load(picker.save(tmp_path / "dates"))
    got = loaded.values(BACKUP, email, "2025-03-14T09:30")
    assert got == picker.values(BACKUP, email, "2025-03-14T09:30") == {"failure_date": "2025-03-12"}


def test_tickets_without_dates_teach_nothing() -> None:
    with pytest.raises(DatePickerError, match="nothing to learn"):
        DatePicker.fit([(RESTORE, "Merci de restaurer mon dossier.", "2025-03-14T09:30", {"restore_type": "dossier"})])
