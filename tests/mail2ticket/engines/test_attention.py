"""Packed attention: rows laid end to end compute what each row computes alone."""

from __future__ import annotations

import pytest
import torch
from transformers import DynamicCache

from mail2ticket.engines import attention as packed_attention_module
from mail2ticket.engines.attention import (
    PACKED_ATTENTION,
    PackedRows,
    packed_attention,
    packed_implementation,
    row_mask,
    written_out_attention,
)

HEADS, KV_HEADS, DIM, PREFIX = 6, 2, 8, 5


class Layer(torch.nn.Module):
    """What packed_attention reads from the attention module: its layer index."""

    layer_idx = 0


def reference(query: torch.Tensor, keys: torch.Tensor, values: torch.Tensor, visible: torch.Tensor) -> torch.Tensor:
    """Softmax attention of one row, written out: [heads, tokens, dim]."""
    keys = keys.repeat_interleave(HEADS // KV_HEADS, dim=0)
    values = values.repeat_interleave(HEADS // KV_HEADS, dim=0)
    weights = (query @ keys.transpose(-1, -2) / DIM**0.5).masked_fill(~visible, float("-inf")).softmax(dim=-1)
    return weights @ values


@pytest.mark.parametrize("device", ["cpu", "meta"])  # meta: the SDPA form of the masks, run on CPU below
@pytest.mark.parametrize("with_prefix", [True, False])
def test_packed_rows_attend_to_the_prefix_and_themselves_only(
    with_prefix: bool, device: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    if device != "cpu":  # the masks SDPA takes, and SDPA, on this CPU
        monkeypatch.setattr(packed_attention_module, "writes_out_attention", lambda _device: False)
    torch.manual_seed(0)
    lengths = [3, 7, 1]
    prefix = PREFIX if with_prefix else 0
    cache = None
    prefix_keys, prefix_values = torch.randn(1, KV_HEADS, prefix, DIM), torch.randn(1, KV_HEADS, prefix, DIM)
    if with_prefix:
        cache = DynamicCache()
        cache.update(prefix_keys, prefix_values, 0)
    total = sum(lengths)
    query, key, value = (
        torch.randn(1, HEADS, total, DIM),
        torch.randn(1, KV_HEADS, total, DIM),
        torch.randn(1, KV_HEADS, total, DIM),
    )
    spans, visibility, start = [], [], 0
    for length in lengths:
        visible = torch.ones(length, prefix + length, dtype=torch.bool)
        visible[:, prefix:] = torch.ones(length, length, dtype=torch.bool).tril()
        spans.append((start, start + length))
        visibility.append(visible)
        start += length
    masks = [row_mask(v, HEADS // KV_HEADS, torch.float32, "cpu") for v in visibility]
    out, weights = packed_attention(
        Layer(), query, key, value, None, scaling=DIM**-0.5, packed_rows=PackedRows(spans, masks, cache)
    )
    assert weights is None and out.shape == (1, total, HEADS, DIM)
    for (a, b), visible in zip(spans, visibility, strict=True):
        expected = reference(
            query[0, :, a:b],
            torch.cat([prefix_keys[0], key[0, :, a:b]], dim=1),
            torch.cat([prefix_values[0], value[0, :, a:b]], dim=1),
            visible,
        )
        assert torch.allclose(out[0, a:b].transpose(0, 1), expected, atol=1e-5)
    changed = key.clone()
    changed[:, :, spans[0][0] : spans[0][1]] += torch.randn(1, KV_HEADS, lengths[0], DIM)  # the others must not move
    again, _ = packed_attention(
        Layer(), query, changed, value, None, scaling=DIM**-0.5, packed_rows=PackedRows(spans, masks, cache)
    )
    assert torch.equal(again[0, spans[1][0] :], out[0, spans[1][0] :])
    assert not torch.allclose(again[0, : spans[0][1]], out[0, : spans[0][1]])


@pytest.mark.parametrize("block", [1 << 22, 7])
@pytest.mark.parametrize("dtype", [torch.float32, torch.bfloat16])
def test_written_out_attention_equals_sdpa_in_blocks_or_whole(
    monkeypatch: pytest.MonkeyPatch, block: int, dtype: torch.dtype
) -> None:
    monkeypatch.setattr(packed_attention_module, "SCORE_BLOCK", block)  # 7 scores: one query per block
    torch.manual_seed(1)
    query, keys, values = (torch.randn(1, 2, 9, DIM, dtype=dtype) for _ in range(3))
    keys, values = keys[:, :, :6], values[:, :, :6]
    visible = torch.rand(9, 6) > 0.4
    visible[:, :2] = True  # every query sees something: the first two keys, as a prefix
    hidden = row_mask(visible, 1, dtype, "cpu")
    assert hidden.dtype == torch.bool and hidden.shape == (9, 6 - 2 - int(visible[:, 2].all()))
    expected = torch.nn.functional.scaled_dot_product_attention(
        query.float(), keys.float(), values.float(), attn_mask=visible
    )
    out = written_out_attention(query, keys, values, hidden, DIM**-0.5)
    assert out.dtype == dtype and out.shape == expected.shape
    assert torch.allclose(out.float(), expected, atol=1e-6 if dtype == torch.float32 else 3e-2)


def test_bfloat16_softmax_rounds_once_as_an_upcast_softmax_does() -> None:
    """What written_out_attention relies on: the CPU softmax of bfloat16 scores computes in float32.

    Its error against a float32 softmax is that of one rounding to bfloat16 (2**-8 relative), not
    of a softmax computed in bfloat16's 8-bit mantissa.
    """
    torch.manual_seed(2)
    scores = torch.randn(3, 40, 300).bfloat16() * 8
    exact = scores.float().softmax(dim=-1)
    assert ((scores.softmax(dim=-1).float() - exact).abs() / exact).max() <= 2**-8


def test_cpu_masks_cover_only_what_some_query_does_not_see() -> None:
    visible = torch.ones(3, 7, dtype=torch.bool)
    visible[:, 4:] = torch.ones(3, 3, dtype=torch.bool).tril()
    hidden = row_mask(visible, 2, torch.bfloat16, "cpu")
    assert hidden.dtype == torch.bool and hidden.shape == (6, 2)  # columns 5 and 6; column 4 is seen by all
    assert torch.equal(hidden, (~visible[:, 5:]).repeat(2, 1))
    assert row_mask(torch.ones(2, 4, dtype=torch.bool), 1, torch.bfloat16, "cpu").shape == (2, 0)
    additive = row_mask(visible, 2, torch.bfloat16, "meta")
    assert additive.dtype == torch.bfloat16 and additive.shape == (6, 7)


def test_packed_attention_needs_its_rows() -> None:
    tensor = torch.zeros(1, HEADS, 2, DIM)
    with pytest.raises(ValueError, match="packed_rows"):
        packed_attention(Layer(), tensor, tensor[:, :KV_HEADS], tensor[:, :KV_HEADS], None)


def test_the_implementation_is_switched_for_the_block_only() -> None:
    from transformers import LlamaConfig

    config = LlamaConfig(attn_implementation="sdpa")
    with packed_implementation(config):
        assert config._attn_implementation == PACKED_ATTENTION
    assert config._attn_implementation == "sdpa"
    with pytest.raises(RuntimeError), packed_implementation(config):
        raise RuntimeError("a failed forward")
    assert config._attn_implementation == "sdpa"
