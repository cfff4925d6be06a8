"""The host name tagger beside the extraction adapter: host fields from the model, or from the tagger.

Fits the tagger (:mod:`mail2ticket.extraction.hostnames`) on the generated tickets the adapter
benches train on (seed 101, the in-scope ones with ground truth) and scores, on unseen generated
tickets (seed 202) and on the hand-written dev set, which no training saw:

* the tagger alone on the host fields (no model; precision, recall and F1 of host names);
* the adapter's answers with the model's host names and with the tagger's, alone and behind the
  alert parsers (what serving runs).

The adapter's answers are read from a model-only run of ``bench/extractor_per_category.py``
(``predictions/<split>/multi-task-adapter/``): everything else is deterministic (the parsers,
the tagger), so the four served variants are scored from the same answers without running the
model again, and their difference is the tagger's and the parsers' alone. The ratio is the dev
F1 of host fields with the tagger over without it, behind the parsers.

    .venv/bin/python bench/hostname_tagger.py [--predictions bench/output/extractor-per-category/predictions]
    .venv/bin/python bench/hostname_tagger.py --dev-answers eval/extraction_predictions.jsonl   # from
        # mail2ticket evaluate --task extraction --extractor model --adapter ... --out eval/
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.extractor_adapter import DEV_SET, FIGURES, in_scope_truth  # noqa: E402
from mail2ticket.environment import apply_offline_defaults  # noqa: E402
from mail2ticket.evaluation.extraction import ExtractionResult, read_extraction_jsonl, score_example  # noqa: E402
from mail2ticket.extraction import agents_for, parsed_fields  # noqa: E402
from mail2ticket.extraction.hostnames import HostnameTagger, host_fields, host_names  # noqa: E402
from mail2ticket.taxonomy import load_taxonomy  # noqa: E402
from mail2ticket.training.extractor import extraction_examples  # noqa: E402

#: The served variants: whether the alert parsers answer first, whether the host fields are the tagger's.
VARIANTS = {
    "adapter": (False, False),
    "adapter + tagger": (False, True),
    "parsers + adapter": (True, False),
    "parsers + adapter + tagger (served)": (True, True),
}


def tagger_alone(tagger: HostnameTagger, records: list[dict], agents) -> dict[str, float]:
    """Precision, recall and F1 of the host names the tagger finds, over the records' host fields."""
    found = expected = right = 0
    for record in records:
        agent = agents.get(record["category"])
        if agent is None or not host_fields(agent):
            continue
        truth = host_names(agent, record.get("fields") or {})
        got = {word.casefold() for word, _ in tagger.hosts(record["email"])}
        found, expected, right = found + len(got), expected + len(truth), right + len(got & truth)
    precision, recall = right / max(found, 1), right / max(expected, 1)
    return {"precision": precision, "recall": recall, "f1": 2 * precision * recall / max(precision + recall, 1e-9)}


def model_answers(records: list[dict], agents, predictions: Path) -> list[tuple[dict, dict]]:
    """Each scored record with the model's answer, in the order the model-only run scored them.

    ``bench/extractor_per_category.py`` goes category by category, sorted, maybe leaving some
    out (``--exclude``); ``mail2ticket evaluate`` goes category by category in the order they
    first appear. Either way each category's e-mails keep the file's order, and every answer's
    ``truth`` is checked against its record's, so answers are never paired with the wrong e-mail.
    """
    rows = [json.loads(line) for line in predictions.read_text(encoding="utf-8").splitlines()]
    kept = [r for r in records if r["category"] in {row["category"] for row in rows}]
    first_seen = list(dict.fromkeys(r["category"] for r in kept))
    for order in (sorted(first_seen), first_seen):
        scored = sorted(kept, key=lambda r: order.index(r["category"]))
        if len(rows) == len(scored) and all(row["truth"] == r["fields"] for row, r in zip(rows, scored, strict=True)):
            return [(record, row["predicted"]) for record, row in zip(scored, rows, strict=True)]
    raise SystemExit(f"{predictions}: not the model-only answers of these {len(kept)} records")


def score_variant(answers: list[tuple[dict, dict]], agents, tagger: HostnameTagger, parsers: bool, tags: bool):
    """The extraction figures of one served variant, from the model's saved answers."""
    scores: dict = {}
    predictions = []
    for record, predicted in answers:
        agent = agents[record["category"]]
        parsed = parsed_fields(agent, record["email"], record.get("received_at"), record.get("subject"))
        if parsers and parsed is not None:
            fields, answered_by = parsed.fields, parsed.answered_by
        else:
            fields = tagger.fill(agent, record["email"], predicted) if tags else predicted
            answered_by = "model"
        predictions.append({**score_example(agent, record, fields, scores), "answered_by": answered_by})
    return ExtractionResult([s for s in scores.values() if s.support], predictions).summary()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--predictions", type=Path, default=Path("bench/output/extractor-per-category/predictions"))
    parser.add_argument(
        "--dev-answers", type=Path, help="a model-only run's extraction_predictions.jsonl on the dev set instead"
    )
    parser.add_argument("--train", type=int, default=600, help="in-scope training tickets (the adapter's)")
    parser.add_argument("--test", type=int, default=60, help="generated in-scope test tickets (the run's)")
    parser.add_argument("--out", type=Path, default=Path("bench/output/hostname-tagger"))
    args = parser.parse_args()
    apply_offline_defaults()
    args.out.mkdir(parents=True, exist_ok=True)
    taxonomy = load_taxonomy()
    agents = agents_for(taxonomy)
    train = in_scope_truth(4 * args.train, 101, args.out)[: args.train]
    test = in_scope_truth(4 * args.test, 202, args.out)[: args.test]
    dev = read_extraction_jsonl(ROOT / DEV_SET, taxonomy)
    began = time.perf_counter()
    pairs = extraction_examples(train, agents)
    tagger = HostnameTagger.fit((p.agent, p.email, json.loads(p.answer)) for p in pairs)
    print(f"tagger fitted in {time.perf_counter() - began:.1f} s: {tagger.metadata}")
    summary: dict[str, dict] = {"tagger": tagger.metadata, "tagger alone": {}, "served": {}}
    print(f"\n{'extractor':<38}{'split':<11}" + "".join(f"{k:>15}" for k in FIGURES[:-1]))
    for split, records in (("dev", dev), ("generated", test)):
        file = args.predictions / split / "multi-task-adapter" / "extraction_predictions.jsonl"
        if split == "dev" and args.dev_answers:
            file = args.dev_answers
        if not file.is_file():
            print(f"{split}: no model-only answers ({file})")
            continue
        answers = model_answers(records, agents, file)
        alone = summary["tagger alone"][split] = tagger_alone(tagger, [record for record, _ in answers], agents)
        print(f"{'tagger alone (host fields only)':<38}{split:<11}" + f"{alone['f1']:>15.3f}{alone['precision']:>15.3f}"
              f"{alone['recall']:>15.3f}")  # fmt: skip
        for name, (parsers, tags) in VARIANTS.items():
            figures = score_variant(answers, agents, tagger, parsers, tags)
            row = summary["served"].setdefault(name, {})[split] = {k: round(float(figures[k]), 4) for k in FIGURES}
            print(f"{name:<38}{split:<11}" + "".join(f"{row[k]:>15.3f}" for k in FIGURES[:-1]), flush=True)
    (args.out / "summary.json").write_text(json.dumps(summary, indent=2), encoding="utf-8")
    served = summary["served"]
    ratio = served["parsers + adapter + tagger (served)"]["dev"]["hostname_f1"] / max(
        served["parsers + adapter"]["dev"]["hostname_f1"], 1e-9
    )
    print(f"ratio dev hostname F1 with the tagger / without, behind the parsers: {ratio:.2f}")


if __name__ == "__main__":
    main()
