"""Left padding: every row ends in the last column, padding is out of attention and of the loss."""

from __future__ import annotations

from dataclasses import dataclass

import pytest

from mail2ticket.training.batching import IGNORE_INDEX, left_padded


@dataclass
class Row:
    input_ids: list[int]
    labels: list[int]


def test_rows_are_left_padded_to_the_longest() -> None:
    ids, labels, attention = left_padded([Row([5, 6, 7], [IGNORE_INDEX, 6, 7]), Row([8], [8])], pad_id=0)
    assert ids.tolist() == [[5, 6, 7], [0, 0, 8]]
    assert labels.tolist() == [[IGNORE_INDEX, 6, 7], [IGNORE_INDEX, IGNORE_INDEX, 8]]
    assert attention.tolist() == [[1, 1, 1], [0, 0, 1]]


def test_shared_prompt_stops_before_the_first_label_and_short_ones_do_not_count() -> None:
    from mail2ticket.training.batching import MIN_SHARED_PREFIX, shared_prompt_length

    prompt = list(range(100, 100 + MIN_SHARED_PREFIX + 4))
    rows = [Row([*prompt, 1, 2], [IGNORE_INDEX] * len(prompt) + [1, 2]),
            Row([*prompt, 3], [IGNORE_INDEX] * len(prompt) + [3])]  # fmt: skip
    assert shared_prompt_length(rows) == len(prompt) - 1  # the first label's predictor stays in every row
    short = [Row([7, 8, 9], [IGNORE_INDEX, IGNORE_INDEX, 9]), Row([7, 8, 5], [IGNORE_INDEX, IGNORE_INDEX, 5])]
    assert shared_prompt_length(short) == 0


def test_answer_loss_is_the_shifted_mean_over_labelled_tokens() -> None:
    import torch

    from mail2ticket.training.batching import answer_loss

    torch.manual_seed(0)
    head = torch.nn.Linear(4, 11, bias=False)
    hidden = torch.randn(2, 5, 4)
    labels = torch.tensor([[IGNORE_INDEX, IGNORE_INDEX, IGNORE_INDEX, 3, 7],
                           [IGNORE_INDEX, IGNORE_INDEX, IGNORE_INDEX, IGNORE_INDEX, 2]])  # fmt: skip
    every_logit = head(hidden)[:, :-1]
    expected = torch.nn.functional.cross_entropy(every_logit.reshape(-1, 11), labels[:, 1:].reshape(-1))
    assert float(answer_loss(head, hidden, labels)) == pytest.approx(float(expected), rel=1e-6)
