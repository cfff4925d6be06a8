"""Which floating-point type an engine runs in: names as given, ``auto`` by hardware."""

from __future__ import annotations

import pytest
import torch

from mail2ticket.engines.precision import FLOAT_TYPES, cpu_has_bfloat16_units, resolve_dtype


@pytest.mark.parametrize("name", FLOAT_TYPES)
def test_a_named_type_is_used_as_given_on_any_device(name: str) -> None:
    assert resolve_dtype(name, "cpu") == name
    assert resolve_dtype(name, "cuda", bfloat16_units=False) == name
    assert isinstance(getattr(torch, name), torch.dtype)


def test_an_unknown_type_is_a_clear_error() -> None:
    with pytest.raises(ValueError, match=r"unknown dtype 'fp8'.*auto, float32, bfloat16, float16"):
        resolve_dtype("fp8", "cpu")


def test_auto_on_a_cpu_is_bfloat16_only_with_bfloat16_units() -> None:
    assert resolve_dtype("auto", "cpu", bfloat16_units=True) == "bfloat16"
    assert resolve_dtype("auto", "cpu", bfloat16_units=False) == "float32"
    assert resolve_dtype("auto", "mps") == "float32"


def test_auto_asks_this_cpu_for_its_bfloat16_units() -> None:
    native = torch.cpu._is_amx_tile_supported() or torch.cpu._is_avx512_bf16_supported()
    expected = "bfloat16" if native else "float32"
    assert cpu_has_bfloat16_units() == (expected == "bfloat16")
    assert resolve_dtype("auto", "cpu") == expected


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU")
def test_auto_on_a_gpu_is_a_half_type() -> None:
    assert resolve_dtype("auto", "cuda") == ("bfloat16" if torch.cuda.is_bf16_supported() else "float16")
