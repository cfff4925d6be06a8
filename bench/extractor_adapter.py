"""Field extraction with a trained extractor adapter against the prompts-only agents, in one run.

Generates a corpus with its ground-truth fields, trains the one multi-task extractor adapter
(:func:`mail2ticket.training.extractor.train_extractor`) on the in-scope tickets of part of it,
then evaluates on tickets it did not see (generated, another seed) and on the hand-written dev
set: the bare model with the prompts (the baseline), the adapter alone, and the adapter behind
the alert parsers (what serving runs). The ratio is the adapter's dev F1 over the baseline's.

    .venv/bin/python bench/extractor_adapter.py [--train 600] [--steps 100] [--lora-layers 4]
    .venv/bin/python bench/extractor_adapter.py --adapter bench/output/extractor/adapter   # evaluate only
"""

from __future__ import annotations

import argparse
import json
import time
from pathlib import Path

from mail2ticket.data.corpus import CorpusConfig, generate
from mail2ticket.engines import make_engine
from mail2ticket.environment import apply_offline_defaults
from mail2ticket.evaluation.extraction import evaluate_extraction, read_extraction_jsonl
from mail2ticket.extraction import agents_for
from mail2ticket.registry.adapters import read_metadata
from mail2ticket.registry.models import DEFAULT_MODEL, resolve_model
from mail2ticket.taxonomy import load_taxonomy
from mail2ticket.training import TrainingConfig
from mail2ticket.training.extractor import train_extractor

DEV_SET = Path("datasets/handwritten/dev.jsonl")
FIGURES = ("f1", "precision", "recall", "hostname_f1", "dates_f1", "exact_match", "latency_ms_p50")


def in_scope_truth(tickets: int, seed: int, out: Path) -> list[dict]:
    """The generator's ground truth of the taxonomy's categories, as records with an ``email``."""
    summary = generate(CorpusConfig(tickets=tickets, seed=seed, strategic_share=0.5), out / f"export-{seed}.csv")
    agents = agents_for()
    rows = [json.loads(line) for line in summary.truth.read_text(encoding="utf-8").splitlines()]
    return [{**r, "email": r["first_email"]} for r in rows if r["category"] in agents]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--train", type=int, default=600, help="in-scope training tickets")
    parser.add_argument("--test", type=int, default=100, help="generated in-scope test tickets")
    parser.add_argument("--steps", type=int, default=100)
    parser.add_argument("--lora-layers", type=int, default=4, help="last decoder layers adapted (0: all)")
    parser.add_argument("--learning-rate", type=float, default=5e-4)
    parser.add_argument("--budget", type=int, default=160, help="tokens per extraction")
    parser.add_argument("--skip-baseline", action="store_true", help="do not re-measure the prompts-only agents")
    parser.add_argument("--adapter", type=Path, help="evaluate this trained adapter instead of training one")
    parser.add_argument("--out", type=Path, default=Path("bench/output/extractor"))
    args = parser.parse_args()
    apply_offline_defaults()
    args.out.mkdir(parents=True, exist_ok=True)
    taxonomy = load_taxonomy()
    train = in_scope_truth(4 * args.train, 101, args.out)[: args.train]
    test = in_scope_truth(4 * args.test, 202, args.out)[: args.test]
    dev = read_extraction_jsonl(DEV_SET, taxonomy)
    model_dir = resolve_model(DEFAULT_MODEL)
    config = TrainingConfig(
        max_steps=args.steps,
        learning_rate=args.learning_rate,
        lora_layers=args.lora_layers or None,
        warmup_steps=min(5, args.steps // 10),
    )
    started = time.perf_counter()
    if args.adapter:
        metadata = read_metadata(args.adapter)
        losses, steps, examples = metadata["losses"], metadata["steps"], metadata["train_examples"]
        adapter = args.adapter
    else:
        result = train_extractor(model_dir, train, args.out / "adapter", config, taxonomy, DEFAULT_MODEL)
        losses, steps, examples, adapter = result.losses, result.steps, result.train_examples, result.adapter_dir
    training_s = time.perf_counter() - started
    print(f"adapter trained on {examples} examples, {steps} steps (this run: {training_s:.0f} s), "
          f"loss {losses[0]:.3f} -> {losses[-1]:.3f}")  # fmt: skip
    engine = make_engine("transformers", model_dir)
    runs = {
        "adapter": (str(adapter), "model"),
        "parsers + adapter (served)": (str(adapter), "combined"),
        **({} if args.skip_baseline else {"prompts only (bare model)": (None, "model")}),
    }
    summary = {"training": {"examples": examples, "steps": steps, "seconds": round(training_s),
                            "losses": [losses[0], losses[-1]], "recipe": config.model_dump()},
               "results": {}}  # fmt: skip
    table: dict[str, dict[str, dict]] = summary["results"]
    print(f"\n{'extractor':<30}{'split':<11}" + "".join(f"{k:>15}" for k in FIGURES))
    for name, (used, mode) in runs.items():
        for split, records in (("generated", test), ("dev", dev)):
            figures = evaluate_extraction(engine, records, taxonomy, used, max_new_tokens=args.budget, extractor=mode)
            row = table.setdefault(name, {})[split] = {k: round(float(figures.summary()[k]), 4) for k in FIGURES}
            # Each row as soon as it is measured: a run stopped early keeps what it measured.
            print(f"{name:<30}{split:<11}" + "".join(f"{row[k]:>15.3f}" for k in FIGURES), flush=True)
            (args.out / "summary.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    if "prompts only (bare model)" in table:
        ratio = table["adapter"]["dev"]["f1"] / max(table["prompts only (bare model)"]["dev"]["f1"], 1e-9)
        print(f"ratio adapter dev F1 / prompts-only dev F1: {ratio:.2f}")


if __name__ == "__main__":
    main()
