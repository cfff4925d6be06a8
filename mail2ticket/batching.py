"""Left-padded batches of token rows: the layout the training loss and the cached-layers path share.

Rows are left-padded so that every row's last token sits in the last column, where the answer
is read; padding is masked out of attention and of the loss.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

#: Label of a position the loss ignores (PyTorch's cross-entropy default).
IGNORE_INDEX = -100


class TokenRow(Protocol):
    """A training row: token ids and, position by position, the label (``IGNORE_INDEX``: none)."""

    input_ids: list[int]
    labels: list[int]


def left_padded(rows: Sequence[TokenRow], pad_id: int) -> tuple[Any, Any, Any]:
    """Token ids, labels and attention mask (1: a real token) of ``rows`` left-padded to the longest."""
    import torch

    width = max(len(r.input_ids) for r in rows)
    ids = torch.full((len(rows), width), pad_id, dtype=torch.long)
    labels = torch.full((len(rows), width), IGNORE_INDEX, dtype=torch.long)
    attention = torch.zeros((len(rows), width), dtype=torch.long)
    for i, row in enumerate(rows):
        n = len(row.input_ids)
        ids[i, width - n :] = torch.tensor(row.input_ids)
        labels[i, width - n :] = torch.tensor(row.labels)
        attention[i, width - n :] = 1
    return ids, labels, attention
