"""bfloat16 against float32 on the engine alone: speed, and how far the decisions move.

Serving runs the engine in ``dtype: auto`` (bfloat16 on a CPU with AMX or AVX512-BF16),
evaluation and promotion in float32. This script classifies the same test e-mails with the
same adapter in both types, one engine after the other in this process (2 torch threads, as
the Engine deployment), in calls of ``--batch``, and prints each type's e-mails/s, their ratio, how many
decisions agree, both accuracies, and the median / p90 / largest change of a label probability.

    .venv/bin/python bench/precision.py --adapter DIR --test FILE.jsonl [--emails 300] [--batch 8]

e.g. after ``make demo``: ``--adapter demo-output/kfp/*/train-adapter/adapter`` and
``--test demo-output/kfp/*/prepare-data/test_data``.
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent))

from serve_throughput import BASE_MODEL, TAXONOMY, classification_prompts, percentile


def classify_all(dtype: str, adapter: Path, emails: list[str], batch: int) -> tuple[float, list[dict[str, float]]]:
    """E-mails/s and the label scores of every e-mail, with a fresh engine in ``dtype``."""
    from mail2ticket.engines import make_engine
    from mail2ticket.registry.adapters import read_metadata

    engine = make_engine("transformers", BASE_MODEL, dtype=dtype)
    prompts = classification_prompts(engine, emails, read_metadata(adapter).get("prompt_style", "full"))
    labels = TAXONOMY.labels_with_unknown
    engine.classify(prompts[:batch], labels, adapter=str(adapter))  # adapter loaded, instructions cached
    started = time.perf_counter()
    scores: list[dict[str, float]] = []
    for i in range(0, len(prompts), batch):
        scores += engine.classify(prompts[i : i + batch], labels, adapter=str(adapter), batch_size=batch)
    return len(prompts) / (time.perf_counter() - started), scores


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--adapter", type=Path, required=True, help="Adapter folder.")
    parser.add_argument("--test", type=Path, required=True, help="Labelled test e-mails (JSON lines).")
    parser.add_argument("--emails", type=int, default=300)
    parser.add_argument("--batch", type=int, default=8)
    args = parser.parse_args(argv)

    import torch

    from mail2ticket.data.records import read_labelled_jsonl

    torch.set_num_threads(2)
    records = read_labelled_jsonl(args.test)[: args.emails]
    emails = [r["email"] for r in records]
    rate: dict[str, float] = {}
    scores: dict[str, list[dict[str, float]]] = {}
    for dtype in ("float32", "bfloat16"):
        rate[dtype], scores[dtype] = classify_all(dtype, args.adapter, emails, args.batch)

    def decisions(rows: list[dict[str, float]]) -> list[str]:
        return [max(row, key=row.__getitem__) for row in rows]

    full, half = decisions(scores["float32"]), decisions(scores["bfloat16"])
    moves = [max(abs(a[k] - b[k]) for k in a) for a, b in zip(scores["float32"], scores["bfloat16"], strict=True)]
    result: dict[str, Any] = {
        "emails": len(records),
        "emails_per_s": {k: round(v, 2) for k, v in rate.items()},
        "speedup": round(rate["bfloat16"] / rate["float32"], 2),
        "decisions_agree": sum(a == b for a, b in zip(full, half, strict=True)),
        "accuracy": {
            dtype: round(sum(d == r["category"] for d, r in zip(ds, records, strict=True)) / len(records), 3)
            for dtype, ds in (("float32", full), ("bfloat16", half))
        },
        "probability_change": {
            "median": round(percentile(moves, 0.5), 3),
            "p90": round(percentile(moves, 0.9), 3),
            "max": round(max(moves), 3),
        },
    }
    print(json.dumps(result, indent=2))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
