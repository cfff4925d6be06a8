"""Fixtures of the engine conformance suite: the engines it must cover, one tiny trained adapter.

``MAIL2TICKET_ENGINES`` names the engines a run must cover (default: ``transformers``).
``make test`` runs the suite in ``.venv-vllm`` with ``transformers,vllm``: there every case also
runs on ``VLLMEngine``, compared with ``TransformersEngine`` in the same process, and an engine
that cannot be imported fails the run instead of being skipped. Elsewhere an engine that is not
required and not installed is skipped.
"""

from __future__ import annotations

import importlib.util
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from mail2ticket.taxonomy import load_taxonomy

#: The engines this run must cover; a required engine that cannot be imported is a failure.
REQUIRED_ENGINES = tuple(e.strip() for e in os.environ.get("MAIL2TICKET_ENGINES", "transformers").split(",") if e)
HAS_VLLM = importlib.util.find_spec("vllm") is not None
#: Whether the vLLM cases run: always when required (failing if vLLM is missing), else when installed.
RUN_VLLM = HAS_VLLM or "vllm" in REQUIRED_ENGINES
NO_VLLM = "vLLM is not installed here and MAIL2TICKET_ENGINES does not require it (make test runs it in .venv-vllm)"

TAXONOMY = load_taxonomy()


def conformance_tickets(count: int, seed: int) -> list[Any]:
    """Generated tickets of the 9 taxonomy categories (alerts, forwards, typos: the real mix)."""
    from mail2ticket.data.corpus import CorpusConfig, CorpusGenerator

    tickets = CorpusGenerator(CorpusConfig(tickets=count * 3, seed=seed, strategic_share=1.0)).tickets()
    return [t for t in tickets if t.category in TAXONOMY.labels][:count]


def trained_adapter(model_dir: Path, out: Path, **options: Any) -> str:
    """An adapter trained by ``train_adapter`` itself for two steps at a high rate, on 8 generated e-mails."""
    from mail2ticket.training import TrainingConfig, train_adapter

    records = [{"email": t.first_email, "category": t.category} for t in conformance_tickets(8, seed=21)]
    config = TrainingConfig(
        max_steps=2, batch_size=4, gradient_accumulation=1, warmup_steps=0, learning_rate=2e-3,
        lora_r=8, lora_alpha=16, prompt_style="compact", seed=7, **options,
    )  # fmt: skip
    train_adapter(model_dir, records, out, config, base_model="embedded:smollm2-135m")
    return str(out)


@pytest.fixture(scope="session")
def conformance_adapter(embedded_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    """A LoRA adapter trained by ``train_adapter`` itself (rsLoRA, every linear layer), briefly.

    It goes through the production training path on purpose: what vLLM must load is what the
    pipeline produces (target modules, rsLoRA scaling, a base with tied embeddings). A few
    steps at a high learning rate are enough to move the base model's decisions, which is what
    shows that an engine really applies the adapter.
    """
    return trained_adapter(embedded_model_dir, tmp_path_factory.mktemp("conformance") / "adapter")


@pytest.fixture(scope="session")
def last_layers_adapter(embedded_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    """An adapter on the last decoder layers only, trained with LoRA+: what ``make demo`` promotes.

    Its ``adapter_config.json`` lists ``layers_to_transform`` and its weights cover 4 of the 30
    layers: every engine must apply it to those layers and leave the others alone.
    """
    out = tmp_path_factory.mktemp("last-layers") / "adapter"
    return trained_adapter(embedded_model_dir, out, lora_layers=4, loraplus_lr_ratio=16)


@pytest.fixture(scope="session")
def second_adapter(embedded_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> str:
    """Another adapter on the same base (random LoRA weights, other target modules): multi-LoRA."""
    return str(random_adapter(embedded_model_dir, tmp_path_factory.mktemp("second") / "adapter", rank=4))


@pytest.fixture(scope="session")
def many_adapters(embedded_model_dir: Path, tmp_path_factory: pytest.TempPathFactory) -> list[str]:
    """Ten distinct random adapters: more than an engine keeps loaded (DEFAULT_MAX_ADAPTERS)."""
    root = tmp_path_factory.mktemp("many")
    return [str(path) for path in random_adapters(embedded_model_dir, [root / f"a{i}" for i in range(10)], rank=2)]


def random_adapter(model_dir: Path, out: Path, rank: int) -> Path:
    """A peft adapter with random (not zero) weights on the attention projections, saved to ``out``."""
    return random_adapters(model_dir, [out], rank, seed=rank)[0]


def random_adapters(model_dir: Path, outs: list[Path], rank: int, seed: int = 100) -> list[Path]:
    """Distinct random adapters (one seed each) on the attention projections, from one load of the base."""
    import torch
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    base = AutoModelForCausalLM.from_pretrained(model_dir)
    for index, out in enumerate(outs):
        torch.manual_seed(seed + index)
        config = LoraConfig(r=rank, lora_alpha=4 * rank, target_modules=["q_proj", "v_proj"], init_lora_weights=False)
        model = get_peft_model(base, config)
        model.save_pretrained(out)
        base = model.unload()  # the bare base again, for the next adapter
    return outs


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
