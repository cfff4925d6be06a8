"""Prompts: one format for training and inference, versioned with the taxonomy."""

from __future__ import annotations

from pathlib import Path

import pytest
import yaml

from mail2ticket.prompts import (
    ANSWER_PREFIX,
    MAX_EMAIL_CHARS,
    answer_prefix_ids,
    answer_token_ids,
    classification_answer,
    classification_messages,
    classification_prompt,
    parse_answer,
    prompt_version,
    truncate_email,
)
from mail2ticket.taxonomy import DEFAULT_TAXONOMY_PATH, load_taxonomy


def test_messages_follow_the_papers_annex() -> None:
    taxonomy = load_taxonomy()
    system, user = classification_messages("Bonjour, le job a échoué.", taxonomy, "full")
    assert system["role"] == "system" and user["role"] == "user"
    for category in taxonomy.labels:
        assert f"- {category} :" in system["content"]
    assert '"categorisation"' in system["content"] and "unknown" in system["content"]
    assert user["content"].endswith("Bonjour, le job a échoué.")
    compact = classification_messages("x", taxonomy, "compact")[0]["content"]
    assert all(f"- {c}\n" in compact for c in taxonomy.labels) and len(compact) < len(system["content"])


def test_version_changes_with_style_and_taxonomy(tmp_path: Path) -> None:
    raw = yaml.safe_load(DEFAULT_TAXONOMY_PATH.read_text(encoding="utf-8"))
    raw["categories"][0]["description"] = "Autre description."
    other = tmp_path / "t.yaml"
    other.write_text(yaml.safe_dump(raw, allow_unicode=True), encoding="utf-8")
    default = prompt_version(load_taxonomy(), "full")
    assert default.startswith("full-v1-")
    assert prompt_version(load_taxonomy(other), "full") != default
    assert prompt_version(load_taxonomy(other), "compact") == prompt_version(load_taxonomy(), "compact")


def test_version_changes_with_how_much_of_the_email_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    from mail2ticket import prompts

    before = prompt_version(load_taxonomy(), "compact")
    monkeypatch.setitem(prompts.MAX_EMAIL_CHARS, "compact", 1200)
    assert prompt_version(load_taxonomy(), "compact") != before


def test_answer_round_trip_and_truncation() -> None:
    answer = classification_answer("Incidents/Supervision")
    assert answer.startswith(ANSWER_PREFIX) and parse_answer(answer) == "Incidents/Supervision"
    assert parse_answer("Incidents/Supervision") is None
    assert truncate_email("a" * 5000, "compact").endswith("[…]")
    cut = MAX_EMAIL_CHARS["compact"]
    assert len(truncate_email("a" * 5000, "compact")) == cut + len(" […]")
    assert truncate_email("a" * cut, "compact") == "a" * cut


def test_chat_template_and_answer_tokens(embedded_model_dir: Path) -> None:
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(embedded_model_dir)
    prompt = classification_prompt(tokenizer, "Bonjour", load_taxonomy(), "compact")
    assert prompt.rstrip().endswith("assistant")  # the generation prompt opens the answer turn
    ids = answer_prefix_ids(tokenizer) + answer_token_ids(tokenizer, "Incidents/Supervision")
    assert ids[-1] == tokenizer.eos_token_id
    assert tokenizer.decode(ids[:-1]) == classification_answer("Incidents/Supervision")
