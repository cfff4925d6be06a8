"""The floating-point type an engine runs its model in.

``float32`` is the reference: evaluation, promotion and the engine conformance suite run in it,
so that a decision is the same on every machine. ``auto`` is what serving asks for: the
fastest type the hardware runs well. On a GPU that is bfloat16 (float16 where bfloat16 is not
supported), as vLLM's own ``auto``. On a CPU it depends on the matrix units: with AMX
(Intel Sapphire Rapids and later), oneDNN runs bfloat16 products in the tiles, four to five
times the float32 rate at a forward pass's shapes: in batches of 8 the embedded model with
``make demo``'s champion classifies 9.4-11.8 e-mails/s against 3.6-4.2 in float32, on 2 cores
(``bench/precision.py``); without the tiles bfloat16 is emulated and slower than float32, so
``auto`` stays on float32.

bfloat16 keeps 8 bits of mantissa. With that champion, on its 300 test e-mails, the label
probabilities moved by 0.005 from float32's at the median (0.027 at p90, 0.08 at most), the
decisions agreed on 298 of 300 and the accuracy went from 0.677 to 0.680. A flatter model moves
more: the benchmark's 8-step adapter, 0.18 at the median and 93 of 96 decisions. Confidence,
hence ``needs_review``, moves with it; a deployment that must reproduce its evaluation exactly
sets ``engine_options.dtype: float32``. ``bench/serve_throughput.py`` reports the agreement.
"""

from __future__ import annotations

AUTO = "auto"
#: The types an engine may be asked for by name (``torch.<name>``).
FLOAT_TYPES = ("float32", "bfloat16", "float16")


def cpu_has_matrix_units() -> bool:
    """Whether this CPU has AMX tiles, where bfloat16 matrix products beat float32 ones."""
    import torch

    probe = getattr(torch.cpu, "_is_amx_tile_supported", None)  # private, hence the guard
    return bool(probe()) if probe is not None else False


def resolve_dtype(name: str, device: str, matrix_units: bool | None = None) -> str:
    """The type ``name`` means on ``device``: itself, or for ``auto`` the fastest one there.

    ``matrix_units`` overrides the CPU probe (tests; ``None`` asks the CPU).
    """
    if name != AUTO:
        if name not in FLOAT_TYPES:
            raise ValueError(f"unknown dtype {name!r}: expected one of {', '.join((AUTO, *FLOAT_TYPES))}")
        return name
    if device.startswith("cuda"):
        import torch

        return "bfloat16" if torch.cuda.is_bf16_supported() else "float16"
    if device == "cpu":
        has_units = cpu_has_matrix_units() if matrix_units is None else matrix_units
        return "bfloat16" if has_units else "float32"
    return "float32"
