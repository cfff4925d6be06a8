"""The hand-written dev set: complete, well-formed, and independent of the generator and of training."""

from __future__ import annotations

import json
import re
import subprocess
from collections import Counter
from pathlib import Path

import pytest

from mail2ticket.data.records import read_labelled_jsonl
from mail2ticket.extraction.schema import validate_fields
from mail2ticket.taxonomy import UNKNOWN, load_taxonomy

ROOT = Path(__file__).resolve().parents[2]
DEV = ROOT / "datasets" / "handwritten" / "dev.jsonl"


@pytest.fixture(scope="module")
def dev() -> list[dict]:
    return read_labelled_jsonl(DEV)


def test_it_covers_every_category_shape_and_many_writers(dev: list[dict]) -> None:
    taxonomy = load_taxonomy()
    counts = Counter(r["category"] for r in dev)
    assert len(dev) >= 150
    assert set(counts) == set(taxonomy.labels_with_unknown)
    assert min(counts.values()) >= 15 and counts[UNKNOWN] >= 20
    shapes = Counter(r["shape"] for r in dev)
    assert set(shapes) == {"single", "alert", "reply_chain", "forward_with_note", "notification_in_chain",
                           "desk_forward"}  # fmt: skip
    assert min(shapes.values()) >= 5
    assert len({r["writer"] for r in dev}) >= 100
    assert len({r["id"] for r in dev}) == len(dev)


def _unquoted(text: str) -> str:
    return " ".join(re.sub(r"(?m)^(?:>\s?)+", "", text).split())


def test_each_record_is_consistent_with_the_taxonomy_and_its_thread(dev: list[dict]) -> None:
    taxonomy = load_taxonomy()
    for record in dev:
        assert _unquoted(record["email"]) in _unquoted(record["description"]), record["id"]
        if record["category"] == UNKNOWN:
            assert record["fields"] == {}, record["id"]
            continue
        category = taxonomy.category(record["category"])
        assert set(record["fields"]) <= set(category.fields), record["id"]
        valid = validate_fields(
            category.json_schema(), record["fields"], record["received_at"],
            email=record["email"], copied=category.copied_fields,
        )  # fmt: skip
        # No value the schema drops, and every copied value is in the e-mail (the conventions).
        assert set(valid) == set(record["fields"]), record["id"]


def test_no_generated_email_is_a_near_copy_of_a_dev_email(dev: list[dict]) -> None:
    """Generator templates owe nothing to the dev set: no generated e-mail comes close to one of them.

    Machine-written alerts follow their tool's published format (Zabbix's default problem message,
    Nagios's notification), which the writers and the generator both reproduce: they may share
    that skeleton, not their content. What people wrote must not resemble anything generated.
    """
    from rapidfuzz import fuzz, process

    from mail2ticket.data.corpus import CorpusConfig, CorpusGenerator

    generated = [t.first_email for t in CorpusGenerator(CorpusConfig(tickets=4000, seed=11)).tickets()]
    closest = {"alert": 0.0, "written": 0.0}
    for record in dev:
        kind = "alert" if record["shape"] == "alert" else "written"
        closest[kind] = max(closest[kind], process.extractOne(record["email"], generated, scorer=fuzz.ratio)[1])
    assert closest["written"] < 80, f"a generated e-mail is {closest['written']:.0f} % similar to a dev e-mail"
    assert closest["alert"] < 95, f"a generated alert is {closest['alert']:.0f} % similar to a dev alert"


def test_nothing_that_trains_generates_or_prompts_reads_the_dev_set() -> None:
    tracked = subprocess.run(["git", "ls-files", "*.py"], cwd=ROOT, capture_output=True, text=True, check=True)
    readers = [path for path in tracked.stdout.split() if "handwritten" in (ROOT / path).read_text(encoding="utf-8")]
    allowed = {
        "pipelines/demo.py",
        "tests/datasets/test_handwritten_dev.py",
        "tests/pipelines/test_ticket_classifier.py",
    }
    assert not [p for p in readers if p not in allowed and not p.startswith("bench/")], readers
    assert json.loads(DEV.read_text(encoding="utf-8").splitlines()[0])["id"]
