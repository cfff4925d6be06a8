"""Thread splitting on hand-written threads (threads_cases/, threads/) and on edge shapes."""

from __future__ import annotations

import re
from collections import Counter
from pathlib import Path

import pytest

from mail2ticket.data.threads import (
    Message,
    classified_text,
    first_client_email,
    has_forward,
    is_attribution,
    is_automatic,
    is_flattened,
    is_header_field,
    is_separator_line,
    split_messages,
    trim_message,
)

HERE = Path(__file__).parent


def case_files(folder: str) -> list[Path]:
    return sorted(p for p in (HERE / folder).glob("*.txt") if not p.name.endswith(".expected.txt"))


def expected_of(case: Path) -> str:
    return case.with_name(case.stem + ".expected.txt").read_text(encoding="utf-8")


CASE_FILES = case_files("threads_cases")
#: Forwards (client's note + what it forwards, the desk passing a client's mail on) and single
#: messages: compared exactly, since what a client forwards must come back verbatim.
FORWARD_CASE_FILES = case_files("threads")


def normalise(text: str) -> str:
    return " ".join(text.split())


def test_there_are_at_least_twenty_hand_written_shapes() -> None:
    assert len(CASE_FILES) >= 20


@pytest.mark.parametrize("case", CASE_FILES, ids=lambda p: p.stem)
def test_first_client_email_matches_hand_written_expectation(case: Path) -> None:
    expected = expected_of(case)
    description = case.read_text(encoding="utf-8")
    assert normalise(first_client_email(description)) == normalise(expected)


def test_every_forward_shape_has_several_hand_written_variants() -> None:
    shapes = Counter(re.sub(r"_\d+_.*", "", p.name) for p in FORWARD_CASE_FILES)
    assert all(shapes[shape] >= 5 for shape in ("forward_note", "chain_forward", "single", "desk_forward")), shapes


@pytest.mark.parametrize("case", FORWARD_CASE_FILES, ids=lambda p: p.stem)
def test_forward_and_single_message_cases_match_exactly(case: Path) -> None:
    assert first_client_email(case.read_text(encoding="utf-8")) == expected_of(case).strip()


@pytest.mark.parametrize("case", [p for p in FORWARD_CASE_FILES if p.name.startswith("single_")], ids=lambda p: p.stem)
def test_a_single_message_comes_back_unchanged(case: Path) -> None:
    description = case.read_text(encoding="utf-8")
    assert split_messages(description) == [Message(description.strip())]
    assert first_client_email(description) == description.strip()


@pytest.mark.parametrize(
    "text",
    [
        "***** Nagios ***** Host: SRV-DC02 State: DOWN",
        "Sauvegarde en échec sur SRV-FIC01, merci de regarder *",
        "Bonjour* Merci* Jean",
        "\n  ** PROBLEM ** SRV-SQL01 is CRITICAL **  \n",
    ],
)
def test_asterisks_without_a_separator_are_content(text: str) -> None:
    assert not is_flattened(text)
    assert first_client_email(text) == text.strip()
    assert trim_message(text) == text.strip()


def test_flattening_needs_a_separator_as_evidence() -> None:
    assert is_flattened("Merci* Jean* De : Jean <j@acme.fr>* Envoyé : lundi 3 juin 2024* Objet : test* * Bonjour")
    assert is_flattened("ok*Le lun. 3 juin 2024 à 09:00, Jean <j@acme.fr> a écrit :*> Bonjour")
    assert is_flattened("Pour info* Début du message transféré :* De: Zabbix <zabbix@acme.fr>")
    assert not is_flattened("Voir le message transféré ci-dessous ** merci **")
    assert not is_flattened("De : mon côté ** rien ** à signaler")


def test_automatic_senders_are_tools_not_people() -> None:
    for sender in (
        "Veeam Backup & Replication <srv-veeam01@acme.fr>",
        "noreply@acme.fr",
        "Centreon <supervision@acme.fr>",
        "Le lun. 3 juin 2024 à 03:14, Zabbix <zabbix@acme.fr> a écrit :",
        "Supervision Nagios [mailto:alertes@acme.fr]",
    ):
        assert is_automatic(sender), sender
    for sender in (None, "", "Jean Martin <jean.martin@acme.fr>", "Sophie Roux <s.roux@alertis-securite.fr>"):
        assert not is_automatic(sender), sender


def test_the_desk_forward_splits_and_the_client_forward_does_not() -> None:
    desk = (HERE / "threads" / "desk_forward_01_gmail_desk_header_on_top.txt").read_text(encoding="utf-8")
    messages = split_messages(desk)
    assert [m.sender_domain for m in messages] == [None, "nuvalis.fr", "ehpad-saint-joseph.fr"]
    assert messages[0].body == "" and "Forwarded message" not in messages[2].body
    # With no desk domain the agent is a client forwarding a mail: the forward stays in his message.
    assert first_client_email(desk, support_domains=()) == desk[desk.index("Bonjour,\n\nDemande") :].strip()


def test_a_forward_of_a_colleague_written_like_a_reply_is_still_a_reply() -> None:
    """Outlook writes forwards like replies; only a tool's notification is taken as forwarded."""
    description = (
        "Bonjour, pouvez-vous traiter la demande de Martine ?\n\n"
        "-----Message d'origine-----\nDe : Martine Blanc <m.blanc@acme.fr>\nEnvoyé : lundi 3 juin 2024 08:00\n"
        "À : Paul Roux <p.roux@acme.fr>\nObjet : Fichier écrasé\n\nPaul, peux-tu récupérer Budget.xlsx ?"
    )
    assert first_client_email(description) == "Paul, peux-tu récupérer Budget.xlsx ?"


def test_flattening_is_decided_for_the_whole_description() -> None:
    """A one-line alert with asterisks, quoted in a normal thread, keeps its asterisks."""
    description = (
        "Des nouvelles ?\n\n"
        "Le mer. 29 nov. 2023 à 09:34, Support <y.ledoux@nuvalis.fr> a écrit :\n"
        "> Nous regardons.\n>\n"
        "> Le mer. 29 nov. 2023 à 01:34, Chloé Colas <c.colas@ruiz-agro.fr> a écrit :\n"
        "> > ***** Centreon ***** * Service : Backup-Veeam * État : CRITICAL **"
    )
    assert first_client_email(description) == "***** Centreon ***** * Service : Backup-Veeam * État : CRITICAL **"


def test_flattened_quote_is_removed_when_the_quoted_message_starts_quoted() -> None:
    description = (
        "ok pour moi*Le lun. 9 janv. 2023 à 13:55, Support <s.fabre@nuvalis.fr> a écrit :*> Bonjour,*> C'est noté."
        "*> Le dim. 8 janv. 2023 à 08:55, Loïc Camus <camusl@froid.fr> a écrit :*> > ***** Centreon ****** "
        "Service : Ping* Hôte : fortigate-mou* État : CRITICAL"
    )
    messages = split_messages(description)
    assert [m.sender_domain for m in messages] == [None, "nuvalis.fr", "froid.fr"]
    assert first_client_email(description) == "Centreon ****** Service : Ping* Hôte : fortigate-mou* État : CRITICAL"


def test_trim_message_and_forward_detection() -> None:
    assert trim_message("**Bonjour* Merci**", flattened=True) == "Bonjour* Merci"
    assert trim_message("** PROBLEM **\n", flattened=False) == "** PROBLEM **"
    assert not is_flattened("Bonjour* Merci* Jean") and not is_flattened("Bonjour\n* Merci*")
    assert has_forward("Pour info\n\nDébut du message transféré :\n\nDe: a@b.fr")
    assert not has_forward("Merci de transférer le fichier")


def test_the_classifier_reads_the_first_client_email_else_the_whole_text() -> None:
    thread = (
        "Relance.\n\nDe : Jean Martin <jean@acme.fr>\nEnvoyé : lundi 3 mars 2025 09:00\nÀ : support@nuvalis.fr\n"
        "Objet : restauration\n\nMerci de restaurer D:\\RH au 01/03.\nJean"
    )
    assert classified_text(thread) == first_client_email(thread) == "Merci de restaurer D:\\RH au 01/03.\nJean"
    no_message = "  Le 3 mars 2025, Jean <j@acme.fr> a écrit :\n>  \n"  # a separator and nothing under it
    assert first_client_email(no_message) == ""
    assert classified_text(no_message) == no_message.strip()


@pytest.mark.parametrize(
    ("line", "separator"),
    [
        ("-----Original Message-----", True),
        ("---------- Forwarded message ---------", True),
        ("Début du message transféré :", True),
        ("________________________________", True),
        ("Le mar. 11 mars 2025 à 09:12, Paul Martin <p.martin@client.fr> a écrit :", True),
        ("De : Centreon <centreon@client.fr>", True),
        ("De : l'équipe réseau", False),  # a sender header names an address
        ("Objet : sauvegarde en échec", False),
        ("Merci de regarder, le job a encore échoué.", False),
    ],
)
def test_a_separator_line_is_recognised_alone(line: str, separator: bool) -> None:
    assert is_separator_line(line) is separator
    assert is_header_field("Objet : sauvegarde") and not is_header_field("Le job a échoué")
    assert is_attribution("On Tue, Mar 11, 2025 at 9:12 AM Paul <p@x.fr> wrote:")
