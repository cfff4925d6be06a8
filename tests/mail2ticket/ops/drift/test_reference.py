"""The reference of a dataset card given directly (:mod:`mail2ticket.ops.drift.reference`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from mail2ticket.ops.drift import CardError, card_reference


def test_unreadable_cards_are_clear_errors(tmp_path: Path) -> None:
    with pytest.raises(CardError, match="cannot read the dataset card"):
        card_reference(tmp_path / "missing.json")
    (tmp_path / "text.json").write_text("not json")
    with pytest.raises(CardError, match="not JSON"):
        card_reference(tmp_path / "text.json")
    (tmp_path / "other.json").write_text(json.dumps({"name": "x"}))
    with pytest.raises(CardError, match="not a dataset card"):
        card_reference(tmp_path / "other.json")
    (tmp_path / "empty.json").write_text(json.dumps({"classes": [{"category": "a", "train": 0}]}))
    with pytest.raises(CardError, match="no training example"):
        card_reference(tmp_path / "empty.json")
