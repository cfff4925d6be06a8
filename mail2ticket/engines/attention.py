"""Packed rows over a cached prefix: a batch of prompts as one sequence, without padding.

A batch of e-mails padded to its longest row runs the padding through every layer, and on a
CPU a padded token costs as much as a real one (e-mails range from 20 to 400 tokens: eight
random ones carry about as much padding as text). Grouping rows by length bounds the padding
but splits the batch into several smaller forward passes. Packing does neither: the rows are
laid end to end in one sequence of batch size 1, so the projections and MLPs run on real
tokens only, in one matrix product per layer, and the cached instructions are read once
instead of being copied per row.

Only attention has to know about the packing: each row attends to the cached prefix and to
its own tokens, never to its neighbours'. :func:`packed_attention` is registered with
transformers' ``AttentionInterface`` and runs attention once per row (written out on a CPU,
see :func:`written_out_attention`; ``scaled_dot_product_attention`` elsewhere), on the
prefix's keys and values followed by the row's own, under the row's own mask; a dense
mask over the whole packed sequence would compute every row against every other (about three
times the attention work for a batch of eight) only to throw it away.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import cache
from typing import Any

#: The name the packed attention is registered under (``config._attn_implementation``).
PACKED_ATTENTION = "mail2ticket_packed"

#: The most score entries :func:`written_out_attention` holds at once, per key/value head
#: (16 MiB of float32; with the embedded model, an e-mail of up to about 900 tokens runs in one block).
SCORE_BLOCK = 4 * 1024 * 1024


@dataclass(frozen=True)
class PackedRows:
    """Where each row lies in the packed sequence, what it sees, and the prefix they share.

    Attributes:
        spans: Each row's ``(start, end)`` in the packed sequence.
        masks: Each row's mask, from its visibility ``[row length, prefix length + row length]``
            (the prefix columns first, then the row's own tokens) by :func:`row_mask`.
        prefix: The key/value cache of the prefix every row follows (batch size 1), or None.
    """

    spans: Sequence[tuple[int, int]]
    masks: Sequence[Any]
    prefix: Any = None


def packed_attention(
    module: Any,
    query: Any,
    key: Any,
    value: Any,
    attention_mask: Any,
    scaling: float | None = None,
    dropout: float = 0.0,
    packed_rows: PackedRows | None = None,
    **kwargs: Any,
) -> tuple[Any, None]:
    """Attention of packed rows (transformers' attention-function signature, batch size 1).

    ``query`` is ``[1, heads, tokens, dim]``, ``key`` and ``value`` ``[1, kv heads, tokens, dim]``
    (the packed tokens only: the prefix comes from ``packed_rows.prefix``). Returns the output
    as ``[1, tokens, heads, dim]``, as transformers' own attention functions do.
    """
    import torch

    if packed_rows is None:
        raise ValueError("packed attention needs packed_rows=PackedRows(...) in the model call")
    if query.shape[0] != 1:
        raise ValueError("packed rows are one sequence: batch size 1")
    heads, kv_heads, dim = query.shape[1], key.shape[1], query.shape[3]
    groups = heads // kv_heads
    prefix = packed_rows.prefix
    prefix_keys = prefix.layers[module.layer_idx].keys if prefix is not None else key[:, :, :0]
    prefix_values = prefix.layers[module.layer_idx].values if prefix is not None else value[:, :, :0]
    written_out = writes_out_attention(query.device)  # the same for every row of every layer
    outputs = []
    for (start, end), visible in zip(packed_rows.spans, packed_rows.masks, strict=True):
        length = end - start
        # Grouped-query attention without copying keys per query head: the `groups` query heads
        # of a key/value head are laid one after the other as queries of that head.
        row_query = query[:, :, start:end].reshape(1, kv_heads, groups * length, dim)
        row_keys = torch.cat([prefix_keys, key[:, :, start:end]], dim=2)
        row_values = torch.cat([prefix_values, value[:, :, start:end]], dim=2)
        if written_out:
            out = written_out_attention(row_query, row_keys, row_values, visible, scaling or dim**-0.5)
        else:
            out = torch.nn.functional.scaled_dot_product_attention(
                row_query, row_keys, row_values, attn_mask=visible, scale=scaling
            )
        outputs.append(out.reshape(1, heads, length, dim))
    return torch.cat(outputs, dim=2).transpose(1, 2).contiguous(), None


def written_out_attention(query: Any, keys: Any, values: Any, hidden: Any, scale: float) -> Any:
    """Softmax attention as two matrix products around one masked softmax (CPU).

    PyTorch's CPU flash-attention kernel ran these rows at about 95 GFLOP/s on a 2-core
    AVX512-BF16 EPYC, where a bfloat16 matrix product of the same shapes runs at over 500; in a
    batch of eight e-mails it took as long as all the projections and MLPs together
    (PyTorch profiler). Written out, attention is two products and two passes over the scores:
    the mask, in place and only on the columns it covers, then the softmax. The scale is applied
    inside the first product (``baddbmm``), so the scores are rounded once. The scores stay in
    the model's type: PyTorch's CPU softmax of a bfloat16 tensor computes in float32 and rounds
    once, which is what transformers' eager attention does with an upcast, a float32 softmax and
    a downcast, in three more passes over the largest tensor of the layer (that form, with a
    float32 additive mask, took 4.5 times as long per row; bench/RESULTS.md).

    ``hidden`` (see :func:`row_mask`) is True where a query does not attend and covers the
    *last* ``hidden.shape[-1]`` keys: the earlier ones, the shared prefix, are seen by every
    query. Long rows are cut into blocks of queries so that the scores never take more than
    :data:`SCORE_BLOCK` entries per key/value head.
    """
    import torch

    queries, key_count, covered = query.shape[-2], keys.shape[-2], hidden.shape[-1]
    flat_query, flat_keys = query.flatten(0, -3), keys.flatten(0, -3).transpose(-1, -2)
    flat_values = values.flatten(0, -3)
    rows = max(1, SCORE_BLOCK // key_count)
    outputs = []
    for start in range(0, queries, rows):
        block = flat_query[:, start : start + rows]
        scores = torch.empty((block.shape[0], block.shape[1], key_count), dtype=block.dtype, device=block.device)
        scores = torch.baddbmm(scores, block, flat_keys, beta=0, alpha=scale)
        scores[..., key_count - covered :].masked_fill_(hidden[start : start + rows], float("-inf"))
        outputs.append(torch.bmm(scores.softmax(dim=-1), flat_values))
    out = outputs[0] if len(outputs) == 1 else torch.cat(outputs, dim=-2)
    return out.reshape(*query.shape[:-1], values.shape[-1])


def writes_out_attention(device: Any) -> bool:
    """Whether :func:`packed_attention` runs :func:`written_out_attention` there (CPUs) rather than SDPA."""
    import torch

    return torch.device(device).type == "cpu"


def row_mask(visible: Any, groups: int, dtype: Any, device: Any) -> Any:
    """A row's mask from its visibility (True: attends), in the form its device's attention takes.

    Repeated for ``groups`` query heads because :func:`packed_attention` runs the query heads
    of one key/value head as one block of queries.

    - Where :func:`written_out_attention` runs (CPUs): boolean, True where a query does *not*
      attend, and only over the columns from the first one that some query does not see: the
      prefix every query sees (the cached instructions, most of a row's keys) costs no mask.
    - Elsewhere: additive (0 attends, the type's minimum does not) over every column, in the
      model's type ``dtype``, because that is what SDPA works with (a boolean mask is converted
      in every layer).
    """
    import torch

    if writes_out_attention(device):
        unseen = (~visible).any(dim=0).nonzero()
        first = int(unseen[0]) if len(unseen) else visible.shape[-1]
        return (~visible[:, first:]).repeat(groups, 1).to(device)
    mask = torch.zeros(visible.shape, dtype=dtype).masked_fill(~visible, torch.finfo(dtype).min)
    return mask.repeat(groups, 1).to(device)


@cache
def _register() -> None:
    """Registers :func:`packed_attention` with transformers, once per process."""
    from transformers import AttentionInterface

    AttentionInterface.register(PACKED_ATTENTION, packed_attention)


@contextmanager
def packed_implementation(config: Any) -> Iterator[None]:
    """The model of ``config`` runs :func:`packed_attention` inside the block (callers hold the engine's lock).

    The implementation is switched for the call only: generation and extraction keep the
    model's own attention. transformers builds no mask for an implementation it has no mask
    function for, so the packed call pays for none.
    """
    _register()
    previous = config._attn_implementation
    config._attn_implementation = PACKED_ATTENTION
    try:
        yield
    finally:
        config._attn_implementation = previous


__all__ = [
    "PACKED_ATTENTION",
    "SCORE_BLOCK",
    "PackedRows",
    "packed_attention",
    "packed_implementation",
    "row_mask",
    "writes_out_attention",
    "written_out_attention",
]
