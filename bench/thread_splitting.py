"""How often ``first_client_email`` finds the first client e-mail of the hand-written dev set's threads.

Each dev record holds the Description as a ticketing tool stores it and the first client e-mail
its writer marked by hand; the splitter's answer is compared with it after collapsing
whitespace and removing ``>`` quote marks, per thread shape. The same comparison on the
generated corpus (its ground truth) is printed beside it: the generator's threads are what the
splitter was first written against, the dev set's are not.

    .venv/bin/python bench/thread_splitting.py
"""

from __future__ import annotations

import json
import re
import sys
import time
from collections import Counter
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))

from mail2ticket.data.corpus import CorpusConfig, CorpusGenerator  # noqa: E402
from mail2ticket.data.threads import first_client_email  # noqa: E402

DEV_SET = REPO / "datasets" / "handwritten" / "dev.jsonl"


def normalised(text: str) -> str:
    return " ".join(re.sub(r"(?m)^(?:>\s?)+", "", text).split())


def agreement(pairs: list[tuple[str, str, str]]) -> tuple[Counter, Counter, float]:
    """Per shape: found, total; and the seconds the splitter took over all pairs."""
    found, total = Counter(), Counter()
    began = time.perf_counter()
    for shape, description, expected in pairs:
        total[shape] += 1
        found[shape] += normalised(first_client_email(description)) == normalised(expected)
    return found, total, time.perf_counter() - began


def main() -> int:
    dev = [json.loads(line) for line in DEV_SET.read_text(encoding="utf-8").splitlines() if line.strip()]
    generated = CorpusGenerator(CorpusConfig(tickets=3000, seed=5)).tickets()
    for name, pairs in (
        ("hand-written dev set", [(r["shape"], r["description"], r["email"]) for r in dev]),
        ("generated corpus", [(t.shape.split("+")[0], t.description, t.first_email) for t in generated]),
    ):
        found, total, seconds = agreement(pairs)
        shapes = ", ".join(f"{shape} {found[shape]}/{total[shape]}" for shape in sorted(total))
        print(f"{name}: {sum(found.values())}/{sum(total.values())} "
              f"({sum(found.values()) / sum(total.values()):.1%}) in {seconds:.2f} s; {shapes}")  # fmt: skip
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
