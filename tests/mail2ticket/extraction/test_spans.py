"""The span tagger: values written word for word in the e-mail, found in tickets it never saw."""

from __future__ import annotations

import pytest

from mail2ticket.evaluation.extraction import values_match
from mail2ticket.extraction import agents_for
from mail2ticket.extraction.spans import OUTSIDE, SpanTagger, SpanTaggerConfig, SpanTaggerError, chunks, text_fields
from mail2ticket.taxonomy import load_taxonomy

TAXONOMY = load_taxonomy()
AGENTS = agents_for(TAXONOMY)
RESTORE = AGENTS[TAXONOMY.by_key("restauration").name]
BACKUP = AGENTS[TAXONOMY.by_key("incident_sauvegarde").name]


@pytest.fixture(scope="module")
def tagger(tagger_split) -> SpanTagger:
    return SpanTagger.fit((agent, email, fields) for agent, email, _, fields in tagger_split[0])


def test_text_fields_leave_out_hosts_dates_and_choices() -> None:
    assert text_fields(RESTORE) == ["source_path", "destination_path"]
    assert text_fields(BACKUP) == ["job_name", "error_message"]


def test_chunks_trim_punctuation_but_keep_paths_whole() -> None:
    text, spans = chunks('Restaurer  "\\\\srvfic01\\compta\\2024", svp.\nMerci')
    assert [text[a:b] for a, b in spans] == ["Restaurer", "\\\\srvfic01\\compta\\2024", "svp", "Merci"]


def test_it_takes_the_fields_written_word_for_word_and_not_the_paraphrases(tagger: SpanTagger) -> None:
    taken = tagger.metadata["fields"]
    assert {"source_path", "destination_path"} <= set(taken["restauration"])
    assert {"job_name", "error_message"} <= set(taken["incident_sauvegarde"])
    assert "bcs_autre" not in taken and "renseignement" not in taken  # summaries and questions are paraphrases
    assert tagger.covers(RESTORE) == [n for n in RESTORE.fields if n in taken["restauration"]]


def test_it_finds_the_values_of_tickets_it_was_not_trained_on(tagger: SpanTagger, tagger_split) -> None:
    """Scored as evaluation scores a field (error texts with the fuzzy match); the alerts' services left out."""
    right = expected = found = 0
    for agent, email, _, fields in tagger_split[1]:
        if agent.key == "supervision":
            continue
        got = tagger.values(agent, email)
        for name in tagger.covers(agent):
            spec, field_spec = agent.schema["properties"][name], agent.category.fields[name]
            expected, found = expected + (fields.get(name) is not None), found + (got.get(name) is not None)
            right += fields.get(name) is not None and values_match(spec, field_spec, fields[name], got.get(name))
    precision, recall = right / found, right / expected
    assert expected > 30 and precision > 0.75 and recall > 0.5, (expected, precision, recall)


def test_error_texts_are_phrases_and_job_names_are_not(tagger: SpanTagger) -> None:
    phrases = tagger.metadata["phrases"]
    assert "error_message" in phrases["incident_sauvegarde"]
    assert "job_name" not in phrases["incident_sauvegarde"] and "restauration" not in phrases  # one word: a path


def test_a_phrase_keeps_the_unlabelled_words_inside_and_beside_it(tagger: SpanTagger) -> None:
    """Hysteresis: an unlabelled chunk likely enough joins a phrase's run; a one-word field's run never grows."""
    text, spans = chunks("Erreur : VSS 0x800423F4 timeout du writer. Merci")
    classes = [OUTSIDE, "error_message"]
    # chunk by chunk: Erreur, VSS, 0x800423F4, timeout, du, writer, Merci
    error = [0.01, 0.9, 0.05, 0.8, 0.3, 0.04, 0.01]
    probabilities = [[1 - p, p] for p in error]
    best = [1 if p > 0.5 else 0 for p in error]
    runs = tagger._runs(text, spans, probabilities, best, classes, "error_message", phrase=True)
    assert [value for value, _ in runs] == ["VSS 0x800423F4 timeout du writer"]
    assert runs[0][1] == pytest.approx(0.85)  # the labelled chunks' confidence only
    single = tagger._runs(text, spans, probabilities, best, classes, "error_message", phrase=False)
    assert [value for value, _ in single] == ["VSS", "timeout"]
    stricter = SpanTagger(tagger.model, SpanTaggerConfig(extend_probability=0.1), tagger.metadata)
    assert [v for v, _ in stricter._runs(text, spans, probabilities, best, classes, "error_message", True)] == [
        "VSS",
        "timeout du",
    ]


def test_values_of_a_list_end_at_a_separator_but_not_at_a_space(tagger: SpanTagger) -> None:
    text, spans = chunks("Accès SSH, SFTP pour Jean Dupont; j.martin")
    classes = [OUTSIDE, "protocols"]
    labelled = [False, True, True, False, True, True, True]  # Accès SSH SFTP pour Jean Dupont j.martin
    probabilities = [[0.1, 0.9] if on else [0.9, 0.1] for on in labelled]
    best = [1 if on else 0 for on in labelled]
    listed = tagger._runs(text, spans, probabilities, best, classes, "protocols", phrase=False, listed=True)
    assert [value for value, _ in listed] == ["SSH", "SFTP", "Jean Dupont", "j.martin"]
    single = tagger._runs(text, spans, probabilities, best, classes, "protocols", phrase=False)
    assert [value for value, _ in single] == ["SSH, SFTP", "Jean Dupont; j.martin"]


def test_values_are_text_of_the_email(tagger: SpanTagger) -> None:
    email = "Bonjour, pouvez-vous restaurer le fichier \\\\SRVFIC02\\Compta\\Bilan 2024.xlsx dans l'état d'hier ?"
    got = tagger.values(RESTORE, email)
    assert got["source_path"].startswith("\\\\SRVFIC02\\Compta\\Bilan")
    assert got["source_path"] in " ".join(email.split())
    assert tagger.values(RESTORE, "Merci de votre retour.") == {}


def test_save_and_load_round_trip(tagger: SpanTagger, tmp_path) -> None:
    email = "Le job BCK_SRVSQL01_DAILY est en échec : Error 0x80070005 access denied."
    loaded = SpanTagger.load(tagger.save(tmp_path / "spans"))
    assert loaded.values(BACKUP, email) == tagger.values(BACKUP, email) and loaded.values(BACKUP, email)
    assert loaded.metadata["fields"] == tagger.metadata["fields"]


def test_fields_never_written_word_for_word_teach_nothing() -> None:
    email = "Merci de restaurer mon dossier."
    with pytest.raises(SpanTaggerError, match="nothing to learn"):
        SpanTagger.fit([(RESTORE, email, {"source_path": "ailleurs"})])
    with pytest.raises(SpanTaggerError):  # written, but not often enough for the config
        SpanTagger.fit([(RESTORE, email, {"source_path": "dossier"})], SpanTaggerConfig(min_values=2))
