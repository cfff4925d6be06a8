"""The extraction agents' adapter: trained on exactly what constrained decoding produces and serving keeps."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema
import pytest

from mail2ticket.engines.grammar import GrammarCache
from mail2ticket.extraction import agents_for, extract
from mail2ticket.extraction.hostnames import host_fields
from mail2ticket.extraction.taggers import TAGGER_FOLDERS, adapter_taggers
from mail2ticket.extraction.tagging import TAGGER_FILE
from mail2ticket.registry.adapters import read_metadata
from mail2ticket.taxonomy import load_taxonomy
from mail2ticket.training import TrainingConfig, build_answer_example
from mail2ticket.training.extractor import (
    ADAPTER_KIND,
    extraction_answer,
    extraction_examples,
    tagger_examples,
    train_extractor,
)

TAXONOMY = load_taxonomy()
AGENTS = agents_for(TAXONOMY)


@pytest.fixture(scope="module")
def truth(small_corpus) -> list[dict]:
    """The generator's ground truth of the taxonomy's categories, as prepared records (``email``)."""
    rows = [json.loads(line) for line in small_corpus.truth.read_text(encoding="utf-8").splitlines()]
    return [{**r, "email": r["first_email"]} for r in rows if r["category"] in AGENTS]


def test_every_answer_taught_passes_its_agents_grammar(truth: list[dict], embedded_model_dir: Path) -> None:
    """The answer's tokens, then the end of turn, are a whole document of the agent's decoding grammar."""
    import xgrammar as xgr
    from transformers import AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(embedded_model_dir)
    grammars = GrammarCache(tokenizer, [tokenizer.eos_token_id])
    examples = extraction_examples(truth, AGENTS)
    assert len({e.agent.name for e in examples}) == len([a for a in AGENTS.values() if a.fields])
    assert sum(e.answer != "{}" for e in examples) > 0.8 * len(examples)
    assert any(any(ord(c) > 127 for c in e.answer) for e in examples)  # accents travel as themselves
    for example in examples[:300]:
        matcher = xgr.GrammarMatcher(grammars.get(example.agent.decoding_schema)[1])
        tokens = build_answer_example(tokenizer, "", example.answer).labels
        assert all(matcher.accept_token(t) for t in tokens), example.answer
        assert matcher.is_terminated(), example.answer
        jsonschema.validate(json.loads(example.answer), example.agent.decoding_schema)
    # Dates are taught as the e-mail's words, and those words read back as the true date.
    dated = [e for e in examples if any(name in json.loads(e.answer) for name in e.agent.date_fields)]
    assert dated
    for example in dated:
        record = next(r for r in truth if r["email"] == example.email and r["category"] == example.agent.name)
        answer = json.loads(example.answer)
        true_fields = example.agent.finalize(record["fields"], record.get("received_at"), record["email"])
        read_back = example.agent.finalize_answer(answer, record.get("received_at"), record["email"])
        for name in example.agent.date_fields:
            if name in answer:
                assert answer[name] in " ".join(record["email"].split())
                assert read_back[name][:16] == true_fields[name][:16], (answer[name], true_fields[name])


def test_answers_hold_only_what_serving_would_keep_in_the_schemas_order() -> None:
    agent = next(a for a in AGENTS.values() if "hostname" in a.fields and len(a.fields) > 2)
    email = "Alerte sur SRV-APP01 depuis ce matin."
    record = {"category": agent.name, "email": email, "fields": {"hostname": "srv-app01", "unknown_field": 1}}
    [example] = extraction_examples([record], AGENTS)
    assert json.loads(example.answer) == {"hostname": "SRV-APP01"}  # as the e-mail writes it; the rest dropped
    invented = {**record, "fields": {"hostname": "srv-db09"}}
    assert extraction_examples([invented], AGENTS)[0].answer == "{}"  # not in the e-mail: never taught
    reordered = dict(reversed(list({name: "x" for name in agent.fields}.items())))
    assert list(json.loads(extraction_answer(agent, reordered))) == agent.fields
    no_fields = [{"category": "unknown", "email": email, "fields": {}}]
    assert extraction_examples(no_fields, AGENTS) == []
    # Preparation writes {} for a ticket the ground truth does not cover: no truth, nothing taught.
    assert extraction_examples([{**record, "fields": {}}], AGENTS) == []
    stated_nothing = {**record, "fields": dict.fromkeys(agent.fields)}
    assert extraction_examples([stated_nothing], AGENTS)[0].answer == "{}"


def test_dates_are_taught_as_the_emails_words_or_not_at_all() -> None:
    restore = AGENTS[TAXONOMY.by_key("restauration").name]
    email = "Bonjour, merci de restaurer D:\\Compta dans l'état d'avant-hier soir."
    record = {"category": restore.name, "email": email, "received_at": "2025-03-14T09:30", "fields": {}}
    stated = {**record, "fields": {"restore_date": "2025-03-12", "source_path": "D:\\Compta"}}
    assert json.loads(extraction_examples([stated], AGENTS)[0].answer) == {
        "restore_date": "avant-hier",  # the shortest words, without the elided article
        "source_path": "D:\\Compta",
    }
    not_stated = {**record, "fields": {"restore_date": "2025-03-01", "source_path": "D:\\Compta"}}
    assert json.loads(extraction_examples([not_stated], AGENTS)[0].answer) == {"source_path": "D:\\Compta"}


@pytest.fixture(scope="module")
def trained_extractor(truth: list[dict], embedded_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    adapter = tmp_path_factory.mktemp("extractor") / "adapter"
    config = TrainingConfig(max_steps=2, warmup_steps=0, batch_size=2, gradient_accumulation=1, lora_layers=2)
    result = train_extractor(
        embedded_model_dir, truth[:40], adapter, config, TAXONOMY, "embedded:smollm2-135m", tagger_records=truth[:120]
    )
    assert result.steps == 2 and result.train_examples == len(extraction_examples(truth[:40], AGENTS))
    return adapter


def test_training_records_what_the_adapter_is(trained_extractor: Path, truth: list[dict]) -> None:
    metadata = read_metadata(trained_extractor)
    assert metadata["kind"] == ADAPTER_KIND and metadata["taxonomy_digest"] == TAXONOMY.digest
    assert metadata["prompt_versions"] == {name: agent.prompt_version for name, agent in AGENTS.items()}
    assert sum(metadata["examples_per_category"].values()) == metadata["train_examples"]
    assert (trained_extractor / "adapter_model.safetensors").is_file()
    # The taggers are fitted on the same tickets and travel in the adapter's folder. Of 120 tickets, only
    # the sentence picker may find too little to learn (a few summaries close to a sentence), and says so.
    skipped = metadata["taggers"]["skipped"]
    assert set(skipped) <= {"sentences"} and all("close to a sentence" in why for why in skipped.values())
    for name, folder in TAGGER_FOLDERS.items():
        assert (trained_extractor / folder / TAGGER_FILE).is_file() == (name not in skipped), folder
    # They are fitted on more tickets than the adapter's steps: every host-field ticket of the 120 given.
    with_hosts = [e for e in tagger_examples(truth[:120], AGENTS) if host_fields(e[0])]
    assert metadata["taggers"]["hosts"]["emails"] == len(with_hosts) > metadata["train_examples"]


def test_the_agents_extract_with_the_adapter(trained_extractor: Path, truth: list[dict], transformers_engine) -> None:
    """Every agent runs on the one adapter; the answers are schema-valid whatever the (barely trained) model says."""
    row = next(r for r in truth[:40] if r["category"] in AGENTS and r["fields"].get("hostname"))
    agent = AGENTS[row["category"]]
    tokenizer, received = transformers_engine.tokenizer, [row.get("received_at")]
    options = {"adapter": str(trained_extractor), "mode": "model", "max_new_tokens": 48}
    [result] = extract(transformers_engine, tokenizer, agent, [row["email"]], received, **options)
    assert result.answered_by == "model"
    jsonschema.validate(result.fields, agent.schema, format_checker=jsonschema.FormatChecker())
    # The fields the taggers cover are theirs (a ticket they were fitted on), not the barely trained model's.
    taggers = adapter_taggers(str(trained_extractor))
    assert taggers is not None and "hostname" in taggers.covered(agent)
    assert result.fields == taggers.fill(agent, row["email"], row.get("received_at"), result.fields)
    assert result.fields["hostname"] == max(taggers.hosts.hosts(row["email"]), key=lambda h: h[1])[0]


def test_no_ground_truth_is_a_clear_error(embedded_model_dir: Path, tmp_path: Path) -> None:
    records = [{"category": "unknown", "email": "Merci !", "fields": {}}]
    with pytest.raises(ValueError, match="--ground-truth"):
        train_extractor(embedded_model_dir, records, tmp_path / "adapter", TrainingConfig(max_steps=1))
