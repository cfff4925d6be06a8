"""match_label on a table of messy model outputs (the paper's section 7.3 rules)."""

from __future__ import annotations

import pytest

from mail2ticket.evaluation.matching import match_label, normalise, score
from mail2ticket.taxonomy import load_taxonomy

LABELS = load_taxonomy().labels
SUP = "Incidents/Supervision"
REST = "Demande de service/Backup #BCS/Restauration qualifiée"
SAUV = "Incidents/Backup #BCS/Sauvegarde"
CREA = "Demande de service/Backup #BCS/Stratégie de sauvegarde/Création"
MODIF = "Demande de service/Backup #BCS/Stratégie de sauvegarde/Modification"
BASTION = "Demande de service/Cyber Sécurité #CS2/Bastion/Création-Modification d'entrées"


@pytest.mark.parametrize(
    ("output", "expected"),
    [
        ("Incidents/Supervision", SUP),
        ("incidents/supervision   ", SUP),
        ("*Incidents/Supervision*", SUP),
        ("**Incidents/Backup #BCS/Sauvegarde**", SAUV),
        ('{"categorisation": "Incidents/Backup #BCS/Sauvegarde "}', SAUV),
        ("{'categorisation': 'Incidents/Supervision'}", SUP),
        ('Sortie : {\n"categorisation": "Demande de service/Backup #BCS/Restauration qualifiée"\n}', REST),
        ('"Demande de service/Backup #BCS/Restauration qualifiée"', REST),
        ("Demande de service/Backup BCS/Restauration qualifiee", REST),  # no '#', no accent
        ("demande de service / backup #bcs / restauration qualifiée", REST),
        ("Demande de service/Cyber Securite #CS2/Bastion/Creation-Modification d'entrees", BASTION),
        ("Demande de service/Backup #BCS/Stratégie de sauvegarde/Modificatio", MODIF),  # truncated
        ("Demande de service/Backup #BCS/Stratégie de sauvegarde/Créatoin", CREA),  # typo
        ("Catégorie : Incidents/Supervision", SUP),
        ("Incidents/Supervision\nCar l'e-mail décrit une alerte Centreon.", SUP),
        ("unknown", "unknown"),
        ("*unknown*", "unknown"),
        ('{"categorisation": "unknown"}', "unknown"),
        ("", None),
        ("   ", None),
        ("Je ne sais pas", None),
        ("Incidents/Réseau", None),
        ("Demande de service/Backup #BCS/Stratégie de sauvegarde/", None),  # truncated between two labels
        ("Demande de service", None),
    ],
)
def test_messy_outputs(output: str, expected: str | None) -> None:
    assert match_label(output, LABELS) == expected


def test_normalisation() -> None:
    assert normalise("  Demande de service/Backup #BCS/Restauration QUALIFIÉE ") == (
        "demande de service/backup bcs/restauration qualifiee"
    )


def test_thresholds_are_the_papers() -> None:
    close = score("Incidents/Supervison", SUP)
    assert close.distance == 1 and close.similarity >= 0.85 and close.word_match == 0.5
    assert not close.accepted  # word-match ratio under 0.80: one of two words is wrong
    far = score("Incidents/Backup #BCS/Sauvegardes journalières", SAUV)
    assert far.distance > 3 and not far.accepted


def test_lowest_distance_wins() -> None:
    labels = ["Demande de service/Backup #BCS/Sauvegarde", "Demande de service/Backup #BCS/Sauvegardes"]
    both = [score("Demande de service/Backup #BCS/Sauvegardesx", label) for label in labels]
    assert all(s.accepted for s in both) and both[0].distance == 2 and both[1].distance == 1
    assert match_label("Demande de service/Backup #BCS/Sauvegardesx", labels) == labels[1]
    assert match_label("Demande de service/Backup #BCS/Sauvegardex", labels) == labels[0]
