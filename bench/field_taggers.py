"""The taggers beside the extraction adapter: what they add to the served extractor, and what they cost.

Fits :class:`~mail2ticket.extraction.taggers.FieldTaggers` (host names, copied values, dates,
choices, sentences) on ``--train`` generated tickets (seed 101, in-scope, with ground truth),
taken in turn from each category of a ``--pool`` times larger draw, as the training step takes
them from its training split, and scores, on unseen
generated tickets (seed 202) and on the hand-written dev set, which no training saw:

* the taggers alone, behind the alert parsers (no model: the fields they do not cover stay empty);
* the served extractor with the adapter and its host name tagger only (the previous served path);
* the served extractor with the adapter and every tagger (the model asked only for the rest).

Both served rows run the real path (:func:`mail2ticket.evaluation.extraction.evaluate_extraction`,
the parsers first) on the same engine in this process, with copies of one adapter that differ
only in the taggers they ship; the ratios are the dev F1 and the p50 latency of the second over
the first. ``--scaling`` also fits the taggers on more generated tickets and scores them alone.

    .venv/bin/python bench/field_taggers.py [--adapter bench/output/extractor/adapter] [--scaling 3000]
"""

from __future__ import annotations

import argparse
import json
import shutil
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.extractor_adapter import DEV_SET, FIGURES, in_scope_truth  # noqa: E402
from mail2ticket.engines.factory import make_engine  # noqa: E402
from mail2ticket.environment import apply_offline_defaults  # noqa: E402
from mail2ticket.evaluation.extraction import (  # noqa: E402
    ExtractionResult,
    evaluate_extraction,
    read_extraction_jsonl,
    score_example,
    write_extraction_outputs,
)
from mail2ticket.extraction import agents_for, parsed_fields  # noqa: E402
from mail2ticket.extraction.taggers import TAGGER_FOLDERS, FieldTaggers  # noqa: E402
from mail2ticket.registry.models import DEFAULT_MODEL, resolve_model  # noqa: E402
from mail2ticket.taxonomy import load_taxonomy  # noqa: E402
from mail2ticket.training.extractor import tagger_examples  # noqa: E402
from mail2ticket.training.sampling import evenly_across  # noqa: E402


def taggers_alone(taggers: FieldTaggers, records: list[dict], agents) -> ExtractionResult:
    """The parsers, then the taggers with no model answer: what the classical half of the extractor finds."""
    scores: dict = {}
    predictions = []
    for record in records:
        agent = agents.get(record["category"])
        if agent is None:
            continue
        parsed = parsed_fields(agent, record["email"], record.get("received_at"), record.get("subject"))
        received = record.get("received_at")
        fields = parsed.fields if parsed is not None else taggers.fill(agent, record["email"], received, {})
        predictions.append(score_example(agent, record, fields, scores))
    return ExtractionResult([s for s in scores.values() if s.support], predictions)


def adapter_copy(adapter: Path, folder: Path, taggers: FieldTaggers) -> Path:
    """``adapter``'s LoRA weights and metadata in ``folder``, with ``taggers`` (and no other) beside them."""
    shutil.rmtree(folder, ignore_errors=True)
    shutil.copytree(adapter, folder, ignore=shutil.ignore_patterns(*TAGGER_FOLDERS.values()))
    return taggers.save(folder)


def row_of(result: ExtractionResult) -> dict[str, float]:
    summary = result.summary()
    return {k: round(float(summary[k]), 4) for k in FIGURES}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--adapter", type=Path, default=Path("bench/output/extractor/adapter"))
    parser.add_argument("--train", type=int, default=600, help="in-scope tickets the taggers are fitted on")
    parser.add_argument("--test", type=int, default=100, help="generated in-scope test tickets")
    parser.add_argument("--budget", type=int, default=160, help="tokens per extraction")
    parser.add_argument("--scaling", type=int, nargs="*", default=[], help="more tickets for the taggers alone")
    parser.add_argument(
        "--pool",
        type=int,
        default=16,
        help="generated tickets per tagger ticket drawn from (the generator writes few of the small categories: "
        "a large pool lets every category give its share, as the pipeline's training split does)",
    )
    parser.add_argument("--out", type=Path, default=Path("bench/output/field-taggers"))
    args = parser.parse_args()
    apply_offline_defaults()
    args.out.mkdir(parents=True, exist_ok=True)
    taxonomy = load_taxonomy()
    agents = agents_for(taxonomy)
    splits = {
        "dev": read_extraction_jsonl(ROOT / DEV_SET, taxonomy),
        "generated": in_scope_truth(4 * args.test, 202, args.out)[: args.test],
    }
    summary: dict = {"taggers": {}, "results": {}, "fields": {}}

    def show(name: str, split: str, result: ExtractionResult) -> None:
        row = summary["results"].setdefault(name, {})[split] = row_of(result)
        summary["fields"].setdefault(name, {})[split] = [s.to_dict() for s in result.scores]
        print(f"{name:<44}{split:<11}" + "".join(f"{row[k]:>13.3f}" for k in FIGURES), flush=True)
        (args.out / "summary.json").write_text(json.dumps(summary, indent=2, ensure_ascii=False), encoding="utf-8")

    print(f"{'extractor':<44}{'split':<11}" + "".join(f"{k:>13}" for k in FIGURES))
    fitted = {}
    for tickets in [args.train, *args.scaling]:
        pool = in_scope_truth(args.pool * tickets, 101, args.out)
        train = [pool[i] for i in evenly_across([str(r["category"]) for r in pool], tickets)]
        began = time.perf_counter()
        fitted[tickets] = FieldTaggers.fit(tagger_examples(train, agents))
        summary["taggers"][tickets] = {"seconds": round(time.perf_counter() - began, 1), **fitted[tickets].metadata}
        for split, records in splits.items():
            alone = taggers_alone(fitted[tickets], records, agents)
            show(f"parsers + taggers, {tickets} tickets (no model)", split, alone)
    taggers = fitted[args.train]
    hosts_only, served = "parsers + adapter + host tagger", "parsers + adapter + taggers (served)"
    adapters = {
        hosts_only: adapter_copy(args.adapter, args.out / "hosts-only", FieldTaggers(hosts=taggers.hosts)),
        served: adapter_copy(args.adapter, args.out / "all-taggers", taggers),
    }
    engine = make_engine("transformers", resolve_model(DEFAULT_MODEL))
    for name, folder in adapters.items():
        for split, records in splits.items():
            result = evaluate_extraction(engine, records, taxonomy, str(folder), max_new_tokens=args.budget)
            write_extraction_outputs(result, args.out / "predictions" / split / folder.name)
            show(name, split, result)
    results = summary["results"]
    before, after = results[hosts_only]["dev"], results[served]["dev"]
    print(f"ratio dev F1, every tagger / host tagger only: {after['f1'] / max(before['f1'], 1e-9):.2f}")
    print(f"ratio dev p50 latency, every tagger / host tagger only: "
          f"{after['latency_ms_p50'] / max(before['latency_ms_p50'], 1e-9):.2f}")  # fmt: skip


if __name__ == "__main__":
    main()
