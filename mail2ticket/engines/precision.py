"""The floating-point type an engine runs its model in.

``float32`` is the reference: evaluation, promotion and the engine conformance suite run in it,
so that a decision is the same on every machine. ``auto`` is what serving asks for: the
fastest type the hardware runs well. On a GPU that is bfloat16 (float16 where bfloat16 is not
supported), as vLLM's own ``auto``. On a CPU it depends on whether the CPU multiplies
bfloat16 natively. With AMX tiles (Intel Sapphire Rapids and later), oneDNN runs bfloat16
products four to five times the float32 rate at a forward pass's shapes: in batches of 8 the
embedded model with ``make demo``'s champion classified 9.4-11.8 e-mails/s against 3.6-4.2 in
float32, on 2 cores (``bench/precision.py``). With AVX512-BF16 dot products and no AMX (a 2-core AMD
EPYC) the same comparison gave 2.75 -> 4.55 e-mails/s (1.66x). Without either,
bfloat16 is emulated and slower than float32, so ``auto`` stays on float32.

bfloat16 keeps 8 bits of mantissa. With that champion, on its 300 test e-mails, the label
probabilities moved by 0.005 from float32's at the median (0.027-0.030 at p90, 0.08-0.09 at
most), the decisions agreed on 298 of 300 (AMX) and 291 (AVX512-BF16) and the accuracy went
from 0.677 to 0.680 and 0.687. A flatter model moves more: the benchmark's 8-step adapter,
0.18 at the median and 93 of 96 decisions. Confidence, hence ``needs_review``, moves with it;
a deployment that must reproduce its evaluation exactly sets ``engine.options.dtype: float32``.
``bench/serve_throughput.py`` reports the agreement.
"""

from __future__ import annotations

AUTO = "auto"
#: The types an engine may be asked for by name (``torch.<name>``).
FLOAT_TYPES = ("float32", "bfloat16", "float16")


#: torch's probes of the CPU instructions that multiply bfloat16 natively (private, hence by name).
BFLOAT16_PROBES = ("_is_amx_tile_supported", "_is_avx512_bf16_supported")


def cpu_has_bfloat16_units() -> bool:
    """Whether this CPU multiplies bfloat16 natively (AMX tiles or AVX512-BF16), beating float32."""
    import torch

    probes = [getattr(torch.cpu, name, None) for name in BFLOAT16_PROBES]
    return any(bool(probe()) for probe in probes if probe is not None)


def resolve_dtype(name: str, device: str, bfloat16_units: bool | None = None) -> str:
    """The type ``name`` means on ``device``: itself, or for ``auto`` the fastest one there.

    ``bfloat16_units`` overrides the CPU probe (tests; ``None`` asks the CPU).
    """
    if name != AUTO:
        if name not in FLOAT_TYPES:
            raise ValueError(f"unknown dtype {name!r}: expected one of {', '.join((AUTO, *FLOAT_TYPES))}")
        return name
    if device.startswith("cuda"):
        import torch

        return "bfloat16" if torch.cuda.is_bf16_supported() else "float16"
    if device == "cpu":
        has_units = cpu_has_bfloat16_units() if bfloat16_units is None else bfloat16_units
        return "bfloat16" if has_units else "float32"
    return "float32"


__all__ = ["AUTO", "FLOAT_TYPES", "cpu_has_bfloat16_units", "resolve_dtype"]
