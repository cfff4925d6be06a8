"""``key=value`` options of ``pipeline run-local --param`` and ``serve --set``."""

from __future__ import annotations

import pytest
import typer

from mail2ticket.cli_args import key_values


def test_values_are_json_when_they_parse_and_text_otherwise() -> None:
    assert key_values(["max_steps=10", "style=compact", "tags=[1, 2]", "on=true", "eq=a=b"]) == {
        "max_steps": 10, "style": "compact", "tags": [1, 2], "on": True, "eq": "a=b",
    }  # fmt: skip
    assert key_values(None) == {}


@pytest.mark.parametrize("item", ["no-equals", "=value"])
def test_a_malformed_item_is_a_clear_error(item: str) -> None:
    with pytest.raises(typer.BadParameter, match="expected key=value"):
        key_values([item])
