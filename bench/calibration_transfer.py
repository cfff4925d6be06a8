"""Do review thresholds fitted on generated mail hold on hand-written mail?

The pipeline calibrates the classical model on a validation split drawn from the generator that
wrote its training split, where it is right about 98 % of the time, so the thresholds it picks
for a target precision are lenient. This script measures, on the hand-written dev set, the
automation rate and the precision of what is accepted under thresholds fitted three ways:

* ``random validation``: the pipeline's way, on the prepared validation split;
* ``held-out writers``: on out-of-fold answers where whole writer families (the generator's
  ``style``) are left out of each fold's training, a harder validation that imitates mail
  written in ways the model never saw;
* ``held-out writers, 0.98``: the same, aiming at a stricter precision;

then the ceiling no threshold can pass: the precision of the 60 % of dev e-mails the model is
most confident about. Every row uses the one model fitted on the whole training split.

    .venv/bin/python bench/calibration_transfer.py --corpus bench/output/classical_recipes/40000-0.5-0.15
"""

from __future__ import annotations

import argparse
import random
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from mail2ticket.calibration import Answers, Calibration, automation, calibrate  # noqa: E402
from mail2ticket.classical import ClassicalClassifier  # noqa: E402
from mail2ticket.data.prepare import read_ground_truth  # noqa: E402
from mail2ticket.data.records import read_labelled_jsonl  # noqa: E402
from mail2ticket.taxonomy import UNKNOWN, Taxonomy, load_taxonomy  # noqa: E402

DEV_SET = REPO / "datasets" / "handwritten" / "dev.jsonl"


def writer_folds(records: list[dict], styles: dict[str, str], folds: int, seed: int = 0) -> list[int]:
    """A fold per record such that every writer family falls in exactly one fold."""
    families = sorted({styles.get(r.get("ticket_id", ""), "?") for r in records})
    random.Random(seed).shuffle(families)
    fold_of = {family: index % folds for index, family in enumerate(families)}
    return [fold_of[styles.get(r.get("ticket_id", ""), "?")] for r in records]


def out_of_fold(records: list[dict], folds: list[int], taxonomy: Taxonomy) -> list[dict[str, float]]:
    """Each record's probabilities from a model that saw none of its fold.

    A class whose writer families all fall in one fold is unknown to that fold's model: the
    held-out answers are then wrong, as a new way of writing would make them in production.
    """
    answers: list[dict[str, float] | None] = [None] * len(records)
    for fold in sorted(set(folds)):
        model = ClassicalClassifier.fit([r for r, f in zip(records, folds, strict=True) if f != fold], taxonomy)
        held = [i for i, f in enumerate(folds) if f == fold]
        for index, row in zip(held, model.predict_proba([records[i]["email"] for i in held]), strict=True):
            answers[index] = row
    return answers  # type: ignore[return-value]


def on_dev(probabilities: list[dict[str, float]], truths: list[str], calibration: Calibration) -> tuple[float, float]:
    """(automation rate, precision of the accepted) of the dev answers under ``calibration``."""
    calibrated = [calibration.apply(row) for row in probabilities]
    return automation(Answers.of(calibrated, truths), calibration.threshold)


def most_confident_precision(probabilities: list[dict[str, float]], truths: list[str], share: float) -> float:
    """Precision of the ``share`` of dev e-mails answered (not ``unknown``) with the highest confidence."""
    answers = Answers.of(probabilities, truths)
    ranked = sorted(
        (
            (confidence, predicted == truth)
            for predicted, confidence, truth in zip(answers.predicted, answers.confidence, answers.truth, strict=True)
            if predicted != UNKNOWN
        ),
        key=lambda pair: -pair[0],
    )[: round(share * len(truths))]
    return sum(right for _, right in ranked) / max(1, len(ranked))


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--corpus", type=Path, required=True, help="A folder with export.truth.jsonl and prepared/.")
    parser.add_argument("--folds", type=int, default=3, help="Folds of writer families.")
    parser.add_argument("--target", type=float, default=0.95, help="Target precision of accepted tickets.")
    args = parser.parse_args(argv)
    taxonomy = load_taxonomy()
    labels = taxonomy.labels_with_unknown
    train = read_labelled_jsonl(args.corpus / "prepared" / "train.jsonl")
    validation_path = args.corpus / "prepared" / "validation.jsonl"
    validation = read_labelled_jsonl(validation_path) if validation_path.stat().st_size else []
    ground_truth = read_ground_truth(args.corpus / "export.truth.jsonl")
    styles = {ticket: row.get("style", "?") for ticket, row in ground_truth.items()}
    dev = read_labelled_jsonl(DEV_SET)
    model = ClassicalClassifier.fit(train, taxonomy)
    dev_probabilities = model.predict_proba([r["email"] for r in dev])
    dev_truths = [r["category"] for r in dev]

    held_out = out_of_fold(train, writer_folds(train, styles, args.folds), taxonomy)
    truths = [r["category"] for r in train]
    rows = []
    if validation:
        calibration = calibrate(
            model.predict_proba([r["email"] for r in validation]), [r["category"] for r in validation], labels,
            args.target,
        )  # fmt: skip
        rows.append((f"random validation ({len(validation):,} e-mails)", args.target, calibration))
    for target in (args.target, 0.98):
        rows.append((f"held-out writers ({args.folds} folds)", target, calibrate(held_out, truths, labels, target)))
    print("| thresholds fitted on | target | validation automation / precision | dev automation | dev precision |")
    print("|---|---:|---:|---:|---:|")
    for name, target, calibration in rows:
        rate, precision = on_dev(dev_probabilities, dev_truths, calibration)
        print(
            f"| {name} | {target:.2f} | {calibration.validation_automation_rate:.3f} / "
            f"{calibration.validation_accepted_precision:.3f} | {rate:.3f} | {precision:.3f} |"
        )
    print(f"\nPrecision of the 60 % of dev e-mails answered with the most confidence: "
          f"{most_confident_precision(dev_probabilities, dev_truths, 0.6):.3f}")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
