"""Thread splitting on hand-written threads (tests/threads_cases) and on edge shapes."""

from __future__ import annotations

from pathlib import Path

import pytest

from mail2ticket.data.threads import first_client_email, has_forward, is_flattened, split_messages, trim_message

CASES = Path(__file__).parent / "threads_cases"
CASE_FILES = sorted(p for p in CASES.glob("*.txt") if not p.name.endswith(".expected.txt"))


def normalise(text: str) -> str:
    return " ".join(text.split())


def test_there_are_at_least_twenty_hand_written_shapes() -> None:
    assert len(CASE_FILES) >= 20


@pytest.mark.parametrize("case", CASE_FILES, ids=lambda p: p.stem)
def test_first_client_email_matches_hand_written_expectation(case: Path) -> None:
    expected = case.with_name(case.stem + ".expected.txt").read_text(encoding="utf-8")
    description = case.read_text(encoding="utf-8")
    assert normalise(first_client_email(description)) == normalise(expected)


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
    assert is_flattened("Bonjour* Merci* Jean") and not is_flattened("Bonjour\n* Merci*")
    assert has_forward("Pour info\n\nDébut du message transféré :\n\nDe: a@b.fr")
    assert not has_forward("Merci de transférer le fichier")
