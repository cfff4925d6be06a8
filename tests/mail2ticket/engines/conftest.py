"""Fixtures of the engine conformance suite: the engines installed here, one tiny trained adapter.

The suite runs in any virtual environment: in the main one on ``TransformersEngine`` only; in
``.venv-vllm`` (``make venv-vllm``), where vLLM is importable, every case also runs on
``VLLMEngine``, compared with ``TransformersEngine`` in the same process. ``make test`` runs it
there, so both engines are checked on every run.
"""

from __future__ import annotations

import importlib.util
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from mail2ticket.taxonomy import load_taxonomy

HAS_VLLM = importlib.util.find_spec("vllm") is not None
NO_VLLM = "vLLM is not installed here; `make test` runs this suite in .venv-vllm (make venv-vllm)"

TAXONOMY = load_taxonomy()


def conformance_tickets(count: int, seed: int) -> list[Any]:
    """Generated tickets of the 9 taxonomy categories (alerts, forwards, typos: the real mix)."""
    from mail2ticket.corpus import CorpusConfig, CorpusGenerator

    tickets = CorpusGenerator(CorpusConfig(tickets=count * 3, seed=seed, strategic_share=1.0)).tickets()
    return [t for t in tickets if t.category in TAXONOMY.labels][:count]


@pytest.fixture(scope="session")
def conformance_adapter(embedded_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A LoRA adapter trained by ``train_adapter`` itself (rsLoRA, every linear layer), briefly.

    It goes through the production training path on purpose: what vLLM must load is what the
    pipeline produces (target modules, rsLoRA scaling, a base with tied embeddings). A few
    steps at a high learning rate are enough to move the base model's decisions, which is what
    shows that an engine really applies the adapter.
    """
    from mail2ticket.training import TrainingConfig, train_adapter

    records = [{"email": t.first_email, "category": t.category} for t in conformance_tickets(8, seed=21)]
    config = TrainingConfig(
        max_steps=2, batch_size=4, gradient_accumulation=1, warmup_steps=0, learning_rate=2e-3,
        lora_r=8, lora_alpha=16, prompt_style="compact", seed=7,
    )  # fmt: skip
    out = tmp_path_factory.mktemp("conformance") / "adapter"
    train_adapter(embedded_model_dir, records, out, config, base_model="embedded:smollm2-135m")
    return str(out)


@pytest.fixture(scope="session")
def last_layers_adapter(embedded_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    """An adapter on the last decoder layers only, trained with LoRA+: what ``make demo`` promotes.

    Its ``adapter_config.json`` lists ``layers_to_transform`` and its weights cover 4 of the 30
    layers: every engine must apply it to those layers and leave the others alone.
    """
    from mail2ticket.training import TrainingConfig, train_adapter

    records = [{"email": t.first_email, "category": t.category} for t in conformance_tickets(8, seed=21)]
    config = TrainingConfig(
        max_steps=2, batch_size=4, gradient_accumulation=1, warmup_steps=0, learning_rate=2e-3,
        lora_r=8, lora_alpha=16, lora_layers=4, loraplus_lr_ratio=16, prompt_style="compact", seed=7,
    )  # fmt: skip
    out = tmp_path_factory.mktemp("last-layers") / "adapter"
    train_adapter(embedded_model_dir, records, out, config, base_model="embedded:smollm2-135m")
    return str(out)


@pytest.fixture(scope="session")
def second_adapter(embedded_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    """Another adapter on the same base (random LoRA weights, other target modules): multi-LoRA."""
    return str(random_adapter(embedded_model_dir, tmp_path_factory.mktemp("second") / "adapter", rank=4))


def random_adapter(model_dir: Path, out: Path, rank: int) -> Path:
    """A peft adapter with random (not zero) weights on the attention projections, saved to ``out``."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    torch.manual_seed(rank)
    base = AutoModelForCausalLM.from_pretrained(model_dir)
    config = LoraConfig(r=rank, lora_alpha=4 * rank, target_modules=["q_proj", "v_proj"], init_lora_weights=False)
    get_peft_model(base, config).save_pretrained(out)
    return out


@pytest.fixture(scope="session")
def engine_factory(embedded_model_dir: Path, transformers_engine: Any) -> Callable[[str], Any]:
    """One engine of each kind for the whole session, started on first use."""
    engines: dict[str, Any] = {"transformers": transformers_engine}

    def get(kind: str) -> Any:
        if kind not in engines:
            from mail2ticket.engines import make_engine

            engines[kind] = make_engine(kind, embedded_model_dir)
        return engines[kind]

    return get
