"""Thread splitting on hand-written threads (tests/threads_cases) and on edge shapes."""

from __future__ import annotations

from pathlib import Path

import pytest

from mail2ticket.threads import first_client_email, has_forward, split_messages

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
