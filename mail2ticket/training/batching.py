"""Batches of token rows for the answer-only loss: what the training loss and the cached-layers path share.

Rows are left-padded so that every row's last token sits in the last column, where the answer
is read; padding is masked out of attention and of the loss. The instructions the rows share
run once per batch, and only the positions that predict a label need logits.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any, Protocol

from mail2ticket.modeling.prefix import MIN_SHARED_PREFIX, common_prefix_length

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


def shared_prompt_length(rows: Sequence[TokenRow]) -> int:
    """Tokens every row starts with, all before any row's first label (0 under ``MIN_SHARED_PREFIX``)."""
    first_label = min(r.labels.index(next(t for t in r.labels if t != IGNORE_INDEX)) for r in rows)
    shared = min(common_prefix_length([r.input_ids for r in rows], keep=1), first_label - 1)
    return shared if shared >= MIN_SHARED_PREFIX else 0


def answer_loss(head: Any, hidden: Any, labels: Any) -> Any:
    """Mean cross-entropy over the supervised positions, from the decoder's last hidden states.

    Only the positions that predict a label go through ``head``, gathered into one matrix: the
    head of a 49k-token vocabulary then costs one matrix product of the answer tokens, where
    the model's own ``logits_to_keep`` runs it on the same last positions of every row as a
    batched product at well under half the speed on a CPU (a tenth of a training step on the
    embedded model, measured with the PyTorch profiler). The value is transformers' own loss:
    labels shifted by one, the mean over the labelled tokens (tested). It assumes the head is the
    whole of what the model does to its hidden states, as in Llama and Qwen2; a model that also
    scales or caps its logits in ``forward`` (Gemma 2's soft-capping) would need that here too.
    """
    import torch

    predicts = labels[:, 1:] != IGNORE_INDEX
    logits = head(hidden[:, :-1][predicts]).float()
    return torch.nn.functional.cross_entropy(logits, labels[:, 1:][predicts])


__all__ = ["IGNORE_INDEX", "TokenRow", "answer_loss", "left_padded", "shared_prompt_length"]
