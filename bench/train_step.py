"""Benchmark: LoRA training on CPU, our loss against the paper's, in one run.

* ours: the loss covers the answer tokens only, the instructions every prompt shares run once
  per batch (``share_prefix``), batches group e-mails of similar length;
* the paper's code: the loss also covers the prompt and the padding (``loss_on="all"``), every
  row runs its whole prompt, random batches.

Both train the embedded SmolLM2-135M for the same steps on the same examples (same seed, same
effective batch), each in a fresh child process (its own peak RSS), then classify the same test
e-mails (constrained decoding). Tokens/s counts the examples' real tokens (prompt + answer, no
padding) per second of training, so both runs count the same work and the ratio is the speed-up.

Usage: python bench/train_step.py [--steps 30] [--test 150] [--tickets 3000]
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
    from mail2ticket.engines.transformers_engine import TransformersEngine
    from mail2ticket.evaluation import evaluate, read_labelled_jsonl
    from mail2ticket.models import DEFAULT_MODEL, resolve_model
    from mail2ticket.training import TrainingConfig, train_adapter

    model_dir = resolve_model(DEFAULT_MODEL)
    config = TrainingConfig(**variant["config"])
    result = train_adapter(model_dir, read_labelled_jsonl(train_file), out_dir, config, base_model=DEFAULT_MODEL)
    train_peak = peak_rss_bytes()
    started = time.perf_counter()
    report = evaluate(TransformersEngine(model_dir), read_labelled_jsonl(test_file), adapter=out_dir,
                      prompt_style=config.prompt_style).report  # fmt: skip
    queue.put({
        "name": variant["name"], "seconds": result.seconds, "tokens_per_second": result.tokens_per_second,
        "peak_rss": train_peak, "final_loss": result.losses[-1], "accuracy": report.accuracy,
        "macro_f1": report.macro_f1, "match_rate": report.match_rate,
        "evaluation_seconds": time.perf_counter() - started,
    })  # fmt: skip


def _prepare(tickets: int, work: Path, test: int) -> tuple[str, str]:
    from mail2ticket.corpus import CorpusConfig, generate
    from mail2ticket.prepare import prepare_dataset

    corpus = generate(CorpusConfig(tickets=tickets, seed=0, strategic_share=0.5), work / "export.csv")
    prepared = prepare_dataset(str(corpus.export), str(work / "prepared"), ground_truth_uri=str(corpus.truth))
    test_rows = (work / "prepared" / "test.jsonl").read_text(encoding="utf-8").splitlines()[:test]
    (work / "test-subset.jsonl").write_text("\n".join(test_rows) + "\n", encoding="utf-8")
    print(f"prepared {prepared.card['train_rows']} train / {len(test_rows)} test e-mails")
    return str(work / "prepared" / "train.jsonl"), str(work / "test-subset.jsonl")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--steps", type=int, default=30, help="Optimiser steps per run (the paper: 30).")
    parser.add_argument("--test", type=int, default=150, help="Test e-mails to classify after training.")
    parser.add_argument("--tickets", type=int, default=3000, help="Tickets in the generated export.")
    args = parser.parse_args()

    common = {"max_steps": args.steps, "prompt_style": "compact", "batch_size": 8, "gradient_accumulation": 1}
    variants = [
        {"name": "ours (answer-only loss, shared prefix)", "config": {**common, "loss_on": "answer"}},
        {"name": "paper (prompt + padding in the loss)",
         "config": {**common, "loss_on": "all", "share_prefix": False, "group_by_length": False}},
    ]  # fmt: skip
    with tempfile.TemporaryDirectory() as tmp:
        work = Path(tmp)
        train_file, test_file = _prepare(args.tickets, work, args.test)
        runs = [in_child(_train_and_evaluate, v, train_file, test_file, str(work / f"adapter-{i}"))
                for i, v in enumerate(variants)]  # fmt: skip

    gib = 1024**3
    ours, paper = runs
    for run in runs:
        print(
            f"{run['name']}: {run['tokens_per_second']:.0f} tokens/s ({run['seconds']:.0f} s for {args.steps} steps), "
            f"peak RSS {run['peak_rss'] / gib:.2f} GiB, final loss {run['final_loss']:.4f}, "
            f"accuracy {run['accuracy']:.3f}, macro-F1 {run['macro_f1']:.3f}, match rate {run['match_rate']:.3f}"
        )
    ratios = {
        "tokens_per_second_ours_over_paper": round(ours["tokens_per_second"] / paper["tokens_per_second"], 2),
        "peak_rss_ours_over_paper": round(ours["peak_rss"] / paper["peak_rss"], 2),
        "accuracy_ours_over_paper": round(ours["accuracy"] / paper["accuracy"], 2) if paper["accuracy"] else None,
    }
    print(json.dumps({"runs": runs, "ratios": ratios}, indent=2))


if __name__ == "__main__":
    main()
