"""One extractor adapter per category against the one multi-task adapter, on the same tickets and budget.

The extraction agents can share one adapter (the category's prompt tells it which fields to
fill) or each have their own. This script trains one adapter per category on that category's
share of the same generated tickets ``bench/extractor_adapter.py`` trains the multi-task adapter
on, with the same recipe and the same total number of optimiser steps split by share (at least
``--min-steps`` each), then scores both on unseen generated tickets and on the hand-written dev
set, each e-mail with its true category's adapter. Both arms are scored on the model's own
answers: the alert parsers and the taggers would serve either the same way, and
``bench/hostname_tagger.py`` scores them on the multi-task run's saved answers. The ratio is
the per-category dev F1 over the multi-task one. An adapter an earlier run trained with the
same recipe is reused, so a stopped run resumes where it was. Without a multi-task adapter
(``bench/extractor_adapter.py`` saves one), it is trained first with the pipeline's recipe.
``--exclude`` leaves categories out of both arms (neither trained nor scored).

    .venv/bin/python bench/extractor_per_category.py [--multi-task bench/output/extractor/adapter]
    .venv/bin/python bench/extractor_per_category.py --exclude supervision   # Supervision's 66 steps spared
"""

from __future__ import annotations

import argparse
import json
import re
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.extractor_adapter import DEV_SET, FIGURES, in_scope_truth  # noqa: E402
from mail2ticket.engines import make_engine  # noqa: E402
from mail2ticket.environment import apply_offline_defaults  # noqa: E402
from mail2ticket.evaluation.extraction import (  # noqa: E402
    ExtractionResult,
    evaluate_extraction,
    read_extraction_jsonl,
    write_extraction_outputs,
)
from mail2ticket.extraction.taggers import TAGGER_FOLDERS  # noqa: E402
from mail2ticket.registry.adapters import read_metadata  # noqa: E402
from mail2ticket.registry.models import DEFAULT_MODEL, resolve_model  # noqa: E402
from mail2ticket.taxonomy import load_taxonomy  # noqa: E402
from mail2ticket.training import TrainingConfig  # noqa: E402
from mail2ticket.training.extractor import EXTRACTOR_TRAINING, train_extractor  # noqa: E402


def per_category(engine, records: list[dict], taxonomy, adapters: dict[str, str], budget: int, mode: str):
    """One :class:`ExtractionResult` over ``records``, each category's e-mails with its own adapter."""
    merged = ExtractionResult([], [], [], 0)
    for category in sorted({r["category"] for r in records}):
        rows = [r for r in records if r["category"] == category]
        if category not in adapters:  # unknown, or a category without fields: skipped as evaluate_extraction does
            merged.skipped += len(rows)
            continue
        part = evaluate_extraction(engine, rows, taxonomy, adapters[category], max_new_tokens=budget, extractor=mode)
        merged.scores += part.scores
        merged.predictions += part.predictions
        merged.latencies += part.latencies
        merged.skipped += part.skipped
    return merged


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--multi-task", type=Path, default=Path("bench/output/extractor/adapter"))
    parser.add_argument("--train", type=int, default=600, help="in-scope training tickets (the multi-task run's)")
    parser.add_argument("--min-steps", type=int, default=5, help="fewest steps a category's adapter gets")
    parser.add_argument("--budget", type=int, default=160, help="tokens per extraction")
    parser.add_argument("--test", type=int, default=100, help="generated in-scope test tickets")
    parser.add_argument("--out", type=Path, default=Path("bench/output/extractor-per-category"))
    parser.add_argument(
        "--exclude", nargs="*", default=[], metavar="KEY", help="category keys left out of both arms (not scored)"
    )
    args = parser.parse_args()
    apply_offline_defaults()
    args.out.mkdir(parents=True, exist_ok=True)
    taxonomy = load_taxonomy()
    train = in_scope_truth(4 * args.train, 101, args.out)[: args.train]
    excluded = {taxonomy.by_key(key).name for key in args.exclude}
    test = [r for r in in_scope_truth(4 * args.test, 202, args.out)[: args.test] if r["category"] not in excluded]
    dev = [r for r in read_extraction_jsonl(ROOT / DEV_SET, taxonomy) if r["category"] not in excluded]
    model_dir = resolve_model(DEFAULT_MODEL)
    if not (args.multi_task / "mail2ticket.json").is_file():
        began = time.perf_counter()
        train_extractor(model_dir, train, args.multi_task, EXTRACTOR_TRAINING, taxonomy, DEFAULT_MODEL)
        print(f"multi-task adapter trained in {time.perf_counter() - began:.0f} s", flush=True)
    for tagger in TAGGER_FOLDERS.values():
        shutil.rmtree(args.multi_task / tagger, ignore_errors=True)
    shared = read_metadata(args.multi_task)
    recipe = TrainingConfig(**shared["training"])
    adapters: dict[str, str] = {}
    started = time.perf_counter()
    for category in sorted({r["category"] for r in train} - excluded):
        rows = [r for r in train if r["category"] == category]
        steps = max(args.min_steps, round(recipe.max_steps * len(rows) / len(train)))
        config = recipe.model_copy(update={"max_steps": steps, "warmup_steps": min(recipe.warmup_steps, steps // 5)})
        folder = args.out / "adapters" / taxonomy.category(category).key
        if (folder / "mail2ticket.json").is_file() and read_metadata(folder)["training"] == config.model_dump():
            losses = read_metadata(folder)["losses"]  # trained by an earlier run with this recipe: reused
        else:
            try:
                losses = train_extractor(model_dir, rows, folder, config, taxonomy, DEFAULT_MODEL).losses
            except ValueError:  # a category without fields teaches nothing
                continue
        for tagger in TAGGER_FOLDERS.values():  # the adapters are compared, not the taggers
            shutil.rmtree(folder / tagger, ignore_errors=True)
        adapters[category] = str(folder)
        print(f"{category}: {len(rows)} tickets, {steps} steps, loss {losses[0]:.3f} -> {losses[-1]:.3f}", flush=True)
    training_s = time.perf_counter() - started
    print(f"{len(adapters)} per-category adapters trained in {training_s:.0f} s "
          f"(the multi-task adapter: {shared['steps']} steps on {shared['train_examples']} tickets)")  # fmt: skip
    engine = make_engine("transformers", model_dir)
    shared_adapters = dict.fromkeys(adapters, str(args.multi_task))
    runs = {
        "multi-task adapter": (shared_adapters, "model"),
        "per-category adapters": (adapters, "model"),
    }
    table: dict[str, dict[str, dict]] = {}
    summary = {"training_seconds": round(training_s), "recipe": recipe.model_dump(), "results": table}
    print(f"\n{'extractor':<32}{'split':<11}" + "".join(f"{k:>15}" for k in FIGURES))
    # The dev set first (the comparison that decides), each row printed as soon as it is measured.
    for split, records in (("dev", dev), ("generated", test)):
        for name, (used, mode) in runs.items():
            result = per_category(engine, records, taxonomy, used, args.budget, mode)
            # Each e-mail's expected and extracted fields, to read the errors behind a figure.
            write_extraction_outputs(result, args.out / "predictions" / split / re.sub(r"\W+", "-", name).strip("-"))
            figures = result.summary()
            row = table.setdefault(name, {})[split] = {k: round(float(figures[k]), 4) for k in FIGURES}
            print(f"{name:<32}{split:<11}" + "".join(f"{row[k]:>15.3f}" for k in FIGURES), flush=True)
            (args.out / "summary.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    ratio = table["per-category adapters"]["dev"]["f1"] / max(table["multi-task adapter"]["dev"]["f1"], 1e-9)
    print(f"ratio per-category dev F1 / multi-task dev F1: {ratio:.2f}")


if __name__ == "__main__":
    main()
