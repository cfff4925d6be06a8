"""TransformersEngine on the embedded model: label scoring, cache reuse, adapters, generation."""

from __future__ import annotations

import math
from pathlib import Path

import pytest
import torch

from mail2ticket.engines import AdapterError, Engine
from mail2ticket.engines.transformers import TransformersEngine, choice_logits
from mail2ticket.prompts import answer_prefix_ids, answer_token_ids, classification_prompt
from mail2ticket.taxonomy import load_taxonomy

TAXONOMY = load_taxonomy()
LABELS = TAXONOMY.labels_with_unknown
EMAILS = [
    "** PROBLEM Service Alert: srv-web-01/Disk C: is CRITICAL ** Free space 3 %",
    "Bonjour, merci de restaurer le dossier \\\\srvfic01\\compta\\2024 dans l'état du 12/03. Cordialement",
    "Pouvez-vous créer un accès RDP via le bastion pour le prestataire j.martin sur SRVAPP04 ?",
]


@pytest.fixture(scope="module")
def engine(transformers_engine: TransformersEngine) -> TransformersEngine:
    return transformers_engine


@pytest.fixture(scope="module")
def prompts(engine: TransformersEngine) -> list[str]:
    return [classification_prompt(engine.tokenizer, email, TAXONOMY, "compact") for email in EMAILS]


def reference_log_probs(engine: TransformersEngine, prompt: str, labels: list[str]) -> list[float]:
    """Constrained-decoding log-probabilities computed the slow way: full sequences, no cache."""
    prefix = engine.tokenizer.encode(prompt, add_special_tokens=False) + answer_prefix_ids(engine.tokenizer)
    continuations = [answer_token_ids(engine.tokenizer, label) for label in labels]
    scores = []
    with torch.inference_mode():
        for ids in continuations:
            logits = engine.model(input_ids=torch.tensor([prefix + ids])).logits[0]
            total = 0.0
            for t, token in enumerate(ids):
                allowed = sorted({c[t] for c in continuations if len(c) > t and c[:t] == ids[:t]})
                if len(allowed) > 1:
                    step = torch.log_softmax(logits[len(prefix) + t - 1, allowed], dim=0)
                    total += float(step[allowed.index(token)])
            scores.append(total)
    return scores


def test_engine_implements_the_interface(engine: TransformersEngine) -> None:
    assert isinstance(engine, Engine)


def test_classify_scores_every_label_and_nothing_else(engine: TransformersEngine, prompts: list[str]) -> None:
    results = engine.classify(prompts, LABELS)
    assert len(results) == len(prompts)
    for scores in results:
        assert list(scores) == LABELS
        assert math.isclose(sum(scores.values()), 1.0, rel_tol=1e-6)
        assert all(0.0 <= p <= 1.0 for p in scores.values())


def test_trie_scores_match_the_uncached_reference(engine: TransformersEngine, prompts: list[str]) -> None:
    batched = engine.classify(prompts, LABELS)  # shared instruction cache across prompts
    for prompt, scores in zip(prompts, batched, strict=True):
        reference = torch.softmax(torch.tensor(reference_log_probs(engine, prompt, LABELS)), dim=0).tolist()
        assert [scores[label] for label in LABELS] == pytest.approx(reference, abs=2e-4)
        alone = engine.classify([prompt], LABELS)[0]  # no shared cache
        assert [alone[label] for label in LABELS] == pytest.approx(reference, abs=2e-4)


def test_choice_logits_are_the_full_heads_logits_of_those_tokens() -> None:
    torch.manual_seed(0)
    head = torch.nn.Linear(16, 50, bias=True)
    hidden = torch.randn(3, 16)
    tokens = [7, 2, 41]
    assert torch.allclose(choice_logits(head, hidden, tokens), head(hidden)[:, tokens], atol=1e-6)
    head.bias = None  # tied embeddings, as in the embedded model: no bias
    assert torch.allclose(choice_logits(head, hidden, tokens), head(hidden)[:, tokens], atol=1e-6)
    half, hidden = head.to(torch.bfloat16), hidden.to(torch.bfloat16)  # a bfloat16 model: float32 product
    exact = hidden.double() @ half.weight.double()[tokens].T
    logits = choice_logits(half, hidden, tokens)
    assert logits.dtype == torch.float32
    assert torch.allclose(logits.double(), exact, atol=1e-5)


def test_rows_of_uneven_length_and_no_shared_prefix_match_the_reference(engine: TransformersEngine) -> None:
    prompts = ["Salut", "Alerte disque plein sur srv-web-01, merci de regarder rapidement", "Restauration ?"]
    batched = engine.classify(prompts, LABELS, batch_size=3)  # packed rows, nothing cached to share
    for prompt, scores in zip(prompts, batched, strict=True):
        reference = torch.softmax(torch.tensor(reference_log_probs(engine, prompt, LABELS)), dim=0).tolist()
        assert [scores[label] for label in LABELS] == pytest.approx(reference, abs=2e-4)


def test_instructions_are_computed_once_across_calls(engine: TransformersEngine, prompts: list[str]) -> None:
    engine.classify(prompts[:2], LABELS)
    cached = dict(engine._prefixes)
    lengths = {key: cache.get_seq_length() for key, cache in cached.items()}
    engine.classify(prompts[2:], LABELS)  # one e-mail alone: finds the cached instructions
    engine.classify(prompts[:1], LABELS)
    assert engine._prefixes.keys() == cached.keys()
    assert all(engine._prefixes[key] is cache for key, cache in cached.items())
    assert {key: cache.get_seq_length() for key, cache in cached.items()} == lengths  # read, never extended


def test_a_lone_email_finds_its_instructions_after_another_agents_call(
    engine: TransformersEngine, prompts: list[str]
) -> None:
    # /v1/tickets alternates a classification and its category's extraction, one e-mail each.
    other_agent = "<|im_start|>system\nTu extrais les champs d'un ticket de supervision.<|im_end|>\n"
    engine._prefixes.clear()
    engine._recent_prompts.clear()
    for prompt in prompts:
        engine.classify([prompt], LABELS)
        engine.extract([other_agent + prompt[-40:]], {"type": "object", "properties": {"service": {"type": "string"}}},
                       max_new_tokens=2)  # fmt: skip
    instructions = [key for key in engine._prefixes if key[0] is None and len(key[1]) > 300]
    assert len(instructions) == 1, "the classification instructions were cached once, then reused"
    assert all(tuple(engine.tokenizer.encode(p, add_special_tokens=False)[: len(instructions[0][1])])
               == instructions[0][1] for p in prompts)  # fmt: skip


@pytest.fixture(scope="module")
def random_adapter(engine: TransformersEngine, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A LoRA adapter with random weights strong enough to move every decision."""
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    torch.manual_seed(0)
    base = AutoModelForCausalLM.from_pretrained(engine.model_dir)
    config = LoraConfig(r=4, lora_alpha=64, target_modules=["q_proj", "v_proj"], init_lora_weights=False)
    folder = tmp_path_factory.mktemp("random") / "adapter"
    get_peft_model(base, config).save_pretrained(folder)
    return str(folder)


def test_adapters_switch_and_the_base_stays_the_base(
    engine: TransformersEngine, prompts: list[str], random_adapter: str, tmp_path: Path
) -> None:
    before = engine.classify(prompts[:1], LABELS)[0]
    with_adapter = engine.classify(prompts[:1], LABELS, adapter=random_adapter)[0]
    after = engine.classify(prompts[:1], LABELS)[0]
    assert max(abs(with_adapter[k] - before[k]) for k in LABELS) > 1e-3
    assert [after[k] for k in LABELS] == pytest.approx([before[k] for k in LABELS], abs=1e-6)
    with pytest.raises(AdapterError, match="cannot load adapter"):
        engine.classify(prompts[:1], LABELS, adapter=str(tmp_path / "missing"))


def test_a_bfloat16_engine_runs_its_adapter_in_bfloat16_and_scores_like_the_slow_way(
    engine: TransformersEngine, prompts: list[str], random_adapter: str
) -> None:
    half = TransformersEngine(engine.model_dir, dtype="bfloat16")
    assert half.dtype == "bfloat16"
    scores = half.classify(prompts, LABELS, adapter=random_adapter)
    assert {p.dtype for p in half.model.parameters()} == {torch.bfloat16}  # adapter included
    for prompt, row in zip(prompts, scores, strict=True):
        assert math.isclose(sum(row.values()), 1.0, rel_tol=1e-6)  # probabilities in float32
        reference = torch.softmax(torch.tensor(reference_log_probs(half, prompt, LABELS)), dim=0).tolist()
        assert [row[label] for label in LABELS] == pytest.approx(reference, abs=0.08)  # bfloat16 sums


def test_generate_is_free_text_and_greedy_is_deterministic(engine: TransformersEngine, prompts: list[str]) -> None:
    first = engine.generate(prompts[:1], max_new_tokens=8)
    again = engine.generate(prompts[:1], max_new_tokens=8)
    assert first == again and isinstance(first[0], str) and first[0]
    sampled = engine.generate(prompts[:1], max_new_tokens=8, temperature=1.5, seed=3)
    assert sampled == engine.generate(prompts[:1], max_new_tokens=8, temperature=1.5, seed=3)


def test_reloads_keep_at_most_max_adapters_in_the_model(embedded_model_dir: Path, tmp_path: Path) -> None:
    """Each reload of a new champion loads one adapter: past ``max_adapters`` the oldest leaves the model."""
    from tests.mail2ticket.engines.conftest import random_adapters

    adapters = [str(p) for p in random_adapters(embedded_model_dir, [tmp_path / f"a{i}" for i in range(4)], 2, 7)]
    engine = TransformersEngine(embedded_model_dir, max_adapters=2)
    prompt = classification_prompt(engine.tokenizer, EMAILS[0], TAXONOMY, "compact")
    first = engine.classify([prompt], LABELS, adapters[0])[0]
    for adapter in adapters[1:]:
        engine.classify([prompt], LABELS, adapter)  # loaded on first use, as a reload's warm-up does
        assert len(engine.model.peft_config) <= 2 and len(engine.loaded_adapters()) <= 2
    assert engine.loaded_adapters() == adapters[2:]
    assert {key[0] for key in engine._prefixes} <= {*engine.model.peft_config, None}  # no cache left behind
    assert engine.classify([prompt], LABELS, adapters[0])[0] == pytest.approx(first, abs=1e-6)  # loaded again
    assert engine.unload_adapter(adapters[0]) and adapters[0] not in engine.loaded_adapters()
    assert engine.classify([prompt], LABELS)[0]  # the bare base still runs
