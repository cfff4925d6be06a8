"""Left padding: every row ends in the last column, padding is out of attention and of the loss."""

from __future__ import annotations

from dataclasses import dataclass

from mail2ticket.batching import IGNORE_INDEX, left_padded


@dataclass
class Row:
    input_ids: list[int]
    labels: list[int]


def test_rows_are_left_padded_to_the_longest() -> None:
    ids, labels, attention = left_padded([Row([5, 6, 7], [IGNORE_INDEX, 6, 7]), Row([8], [8])], pad_id=0)
    assert ids.tolist() == [[5, 6, 7], [0, 0, 8]]
    assert labels.tolist() == [[IGNORE_INDEX, 6, 7], [IGNORE_INDEX, IGNORE_INDEX, 8]]
    assert attention.tolist() == [[1, 1, 1], [0, 0, 1]]
