"""Benchmark: LoRA training on CPU, our loss against the paper's, in one run.

* ours: the loss covers the answer tokens only, the instructions every prompt shares run once
  per batch (``share_prefix``), batches group e-mails of similar length;
* the paper's code: the loss also covers the prompt and the padding (``loss_on="all"``), every
  row runs its whole prompt, random batches.

Both train the embedded SmolLM2-135M for the same steps on the same examples (same seed, same
effective batch), each in a fresh child process (its own peak RSS), then classify the same test
e-mails (constrained decoding). Tokens/s counts the examples' real tokens (prompt + answer, no
padding) per second of training, so both runs count the same work and the ratio is the speed-up.

``--variants`` also compares the demo's recipe (``pipelines/demo.py``) with its parts:

* ``last8``: LoRA on the last 8 decoder layers only, the 22 below frozen and run once per
  example (``mail2ticket.training.frozen_layers``);
* ``last8-loraplus``: the same with LoRA+ at ratio 16 (the demo's recipe).

Usage: python bench/train_step.py [--steps 30] [--test 150] [--tickets 3000]
       python bench/train_step.py --variants last8,last8-loraplus --steps 100 --train-examples 400 \
           --learning-rate 1e-3 --balanced --test 120
"""

from __future__ import annotations

import argparse
import json
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.common import in_child, peak_rss_bytes  # noqa: E402


def _train_and_evaluate(variant: dict, train_file: str, test_file: str, out_dir: str, queue) -> None:
    from mail2ticket.data.records import read_labelled_jsonl
    from mail2ticket.engines import make_engine
    from mail2ticket.evaluation import evaluate
    from mail2ticket.registry.models import DEFAULT_MODEL, resolve_model
    from mail2ticket.training import TrainingConfig, train_adapter

    model_dir = resolve_model(DEFAULT_MODEL)
    config = TrainingConfig(**variant["config"])
    result = train_adapter(model_dir, read_labelled_jsonl(train_file), out_dir, config, base_model=DEFAULT_MODEL)
    train_peak = peak_rss_bytes()
    started = time.perf_counter()
    report = evaluate(make_engine("transformers", model_dir), read_labelled_jsonl(test_file), adapter=out_dir,
                      prompt_style=config.prompt_style).report  # fmt: skip
    queue.put({
        "name": variant["name"], "seconds": result.seconds, "tokens_per_second": result.tokens_per_second,
        "peak_rss": train_peak, "final_loss": result.losses[-1], "accuracy": report.accuracy,
        "macro_f1": report.macro_f1, "match_rate": report.match_rate,
        "evaluation_seconds": time.perf_counter() - started,
    })  # fmt: skip


def _prepare(tickets: int, work: Path, test: int, train: int) -> tuple[str, str]:
    from mail2ticket.data.corpus import CorpusConfig, generate
    from mail2ticket.data.prepare import prepare_dataset

    corpus = generate(CorpusConfig(tickets=tickets, seed=0, strategic_share=0.5), work / "export.csv")
    prepared = prepare_dataset(str(corpus.export), str(work / "prepared"), ground_truth_uri=str(corpus.truth))
    test_rows = (work / "prepared" / "test.jsonl").read_text(encoding="utf-8").splitlines()[:test]
    (work / "test-subset.jsonl").write_text("\n".join(test_rows) + "\n", encoding="utf-8")
    train_rows = (work / "prepared" / "train.jsonl").read_text(encoding="utf-8").splitlines()
    train_rows = train_rows[:train] if train else train_rows
    (work / "train-subset.jsonl").write_text("\n".join(train_rows) + "\n", encoding="utf-8")
    print(f"prepared {prepared.card['train_rows']} train e-mails, using {len(train_rows)} / {len(test_rows)} test")
    return str(work / "train-subset.jsonl"), str(work / "test-subset.jsonl")


def _variants(common: dict) -> dict[str, dict]:
    """Every variant the bench knows, by name."""
    last8 = {**common, "loss_on": "answer", "lora_layers": 8}
    return {
        "ours": {"name": "ours (answer-only loss, shared prefix)", "config": {**common, "loss_on": "answer"}},
        "paper": {"name": "paper (prompt + padding in the loss)",
                  "config": {**common, "loss_on": "all", "share_prefix": False, "group_by_length": False}},
        "last8": {"name": "last 8 layers (frozen layers cached)", "config": last8},
        "last8-loraplus": {"name": "last 8 layers + LoRA+ 16 (the demo adapts 7)",
                           "config": {**last8, "loraplus_lr_ratio": 16.0}},
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=30, help="Optimiser steps per run (the paper: 30).")
    parser.add_argument("--test", type=int, default=150, help="Test e-mails to classify after training.")
    parser.add_argument("--tickets", type=int, default=3000, help="Tickets in the generated export.")
    parser.add_argument(
        "--variants",
        default="paper,ours",
        help="Comma-separated, the first is the baseline of the ratios: ours, paper, last8, last8-loraplus.",
    )
    parser.add_argument("--train-examples", type=int, default=0, help="Training e-mails used (0: all).")
    parser.add_argument("--learning-rate", type=float, default=2e-4, help="Peak learning rate (the paper: 2e-4).")
    parser.add_argument("--balanced", action="store_true", help="Draw every category equally often.")
    args = parser.parse_args()

    common = {"max_steps": args.steps, "prompt_style": "compact", "batch_size": 8, "gradient_accumulation": 1,
              "learning_rate": args.learning_rate, "balance_classes": args.balanced}  # fmt: skip
    known = _variants(common)
    names = [n.strip() for n in args.variants.split(",") if n.strip()]
    unknown = sorted(set(names) - set(known))
    if unknown or not names:
        parser.error(f"unknown variants {unknown}; choose among {sorted(known)}")
    variants = [known[n] for n in names]
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        train_file, test_file = _prepare(args.tickets, work, args.test, args.train_examples)
        runs = [in_child(_train_and_evaluate, v, train_file, test_file, str(work / f"adapter-{i}"))
                for i, v in enumerate(variants)]  # fmt: skip

    gib = 1024**3
    for run in runs:
        print(
            f"{run['name']}: {run['tokens_per_second']:.0f} tokens/s ({run['seconds']:.0f} s for {args.steps} steps), "
            f"peak RSS {run['peak_rss'] / gib:.2f} GiB, final loss {run['final_loss']:.4f}, "
            f"accuracy {run['accuracy']:.3f}, macro-F1 {run['macro_f1']:.3f}, match rate {run['match_rate']:.3f}"
        )
    print(json.dumps({"runs": runs, "ratios_to_the_first": _ratios(runs)}, indent=2))


def _ratios(runs: list[dict]) -> dict[str, dict]:
    """Every variant's speed, memory and accuracy against the first variant of the same run."""
    first = runs[0]

    def ratio(run: dict, key: str) -> float | None:
        return round(run[key] / first[key], 2) if first[key] else None

    return {run["name"]: {k: ratio(run, k) for k in ("tokens_per_second", "peak_rss", "accuracy", "macro_f1")}
            for run in runs[1:]}  # fmt: skip


if __name__ == "__main__":
    main()
