"""The classical model's recipes, judged on the hand-written dev set (generalisation), in one run.

Each recipe generates (or reuses) a corpus, prepares it with its open-set share, trains the
TF-IDF + logistic-regression model on the training split and evaluates it on
``datasets/handwritten/dev.jsonl``: accuracy, macro-F1, ``unknown`` recall, the weakest
category's F1 and the fitting time, then the difference to the first recipe (the pipeline's
default), run in the same process so that a slow machine shifts every line alike.

    .venv/bin/python bench/classical_recipes.py             # every recipe (about 10 minutes)
    .venv/bin/python bench/classical_recipes.py --only default,closed
    .venv/bin/python bench/classical_recipes.py --only more-tickets --seed 1   # another generator draw
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass, field
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from mail2ticket.classical import ClassicalClassifier, ClassicalConfig  # noqa: E402
from mail2ticket.data.corpus import CorpusConfig, generate  # noqa: E402
from mail2ticket.data.prepare import PrepareConfig, prepare_dataset  # noqa: E402
from mail2ticket.data.records import read_labelled_jsonl  # noqa: E402
from mail2ticket.evaluation.classification import evaluate_scorer  # noqa: E402
from mail2ticket.evaluation.scorers import ClassicalScorer  # noqa: E402
from mail2ticket.taxonomy import UNKNOWN, load_taxonomy  # noqa: E402

DEV_SET = REPO / "datasets" / "handwritten" / "dev.jsonl"


@dataclass(frozen=True)
class Recipe:
    """One way of training the classical model: the data it sees and how it is fitted."""

    name: str
    tickets: int = 20_000
    strategic_share: float = 0.5
    unknown_share: float = PrepareConfig().unknown_share
    model: ClassicalConfig = field(default_factory=ClassicalConfig)


RECIPES = (
    Recipe("default"),
    Recipe("balanced", model=ClassicalConfig(class_weight="balanced")),
    Recipe("closed", unknown_share=0.0),
    Recipe("less-unknown", unknown_share=0.05),
    Recipe("more-unknown", unknown_share=0.25),
    Recipe("fewer-tickets", tickets=3_000),
    Recipe("more-tickets", tickets=40_000),
    Recipe("C-50", model=ClassicalConfig(regularisation=50.0)),
    Recipe("C-5", model=ClassicalConfig(regularisation=5.0)),
    Recipe("cut-800", model=ClassicalConfig(max_chars=800)),
)


def prepared(recipe: Recipe, out: Path, seed: int = 0) -> Path:
    name = f"{recipe.tickets}-{recipe.strategic_share}-{recipe.unknown_share}"
    folder = out / (f"{name}-seed{seed}" if seed else name)
    if not (folder / "prepared" / "train.jsonl").is_file():
        corpus = generate(CorpusConfig(tickets=recipe.tickets, seed=seed, strategic_share=recipe.strategic_share),
                          folder / "export.csv")  # fmt: skip
        prepare_dataset(corpus.export, folder / "prepared", PrepareConfig(unknown_share=recipe.unknown_share))
    return folder / "prepared" / "train.jsonl"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--only", default="", help="Comma-separated recipe names (default: all).")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "output" / "classical_recipes")
    parser.add_argument("--seed", type=int, default=0, help="The generator's seed: one corpus draw among others.")
    args = parser.parse_args(argv)
    wanted = [r for r in RECIPES if not args.only or r.name in args.only.split(",")]
    taxonomy = load_taxonomy()
    dev = read_labelled_jsonl(DEV_SET)
    header = "| recipe | corpus | train e-mails | dev accuracy | dev macro-F1 | unknown recall | weakest F1 | fit"
    print(header + " | Δ accuracy |")
    print("|---|---|---:|---:|---:|---:|---:|---:|---:|")
    reference = None
    for recipe in wanted:
        train = read_labelled_jsonl(prepared(recipe, args.out, args.seed))
        began = time.perf_counter()
        model = ClassicalClassifier.fit(train, taxonomy, recipe.model)
        seconds = time.perf_counter() - began
        report = evaluate_scorer(ClassicalScorer(model), dev, taxonomy).report
        per_class = {row.label: row for row in report.per_class}
        reference = report.accuracy if reference is None else reference
        print(
            f"| {recipe.name} | {recipe.tickets:,} tickets, unknown {recipe.unknown_share:g} | {len(train):,} | "
            f"{report.accuracy:.3f} | {report.macro_f1:.3f} | {per_class[UNKNOWN].recall:.2f} | "
            f"{min(row.f1 for row in report.per_class):.2f} | {seconds:.0f} s | {report.accuracy - reference:+.3f} |",
            flush=True,
        )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
