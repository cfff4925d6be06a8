"""LoRA training on CPU: answer-only loss, left padding, adapter and its metadata."""

from __future__ import annotations

import json
import math
from pathlib import Path

import pytest
import torch

from mail2ticket.modeling.prefix import common_prefix_length
from mail2ticket.prompts import answer_prefix_ids, answer_token_ids
from mail2ticket.registry.adapters import ADAPTER_METADATA
from mail2ticket.taxonomy import load_taxonomy
from mail2ticket.training import TrainingConfig, train_adapter
from mail2ticket.training.batching import IGNORE_INDEX
from mail2ticket.training.trainer import answer_only_loss, build_example, collate, shared_prefix_loss

TAXONOMY = load_taxonomy()
RECORDS = [
    {"email": "** PROBLEM Service Alert: srv-web-01/Disk C: is CRITICAL **", "category": "Incidents/Supervision"},
    {"email": "Merci de restaurer le fichier D:\\Data\\rapport.xlsx du 12/03.",
     "category": "Demande de service/Backup #BCS/Restauration qualifiée"},
]  # fmt: skip


@pytest.fixture(scope="module")
def tokenizer(embedded_model_dir: Path):
    from transformers import AutoTokenizer

    return AutoTokenizer.from_pretrained(embedded_model_dir)


def test_only_the_answer_is_supervised(tokenizer) -> None:
    example = build_example(tokenizer, RECORDS[0]["email"], RECORDS[0]["category"], TAXONOMY, "compact")
    answer = answer_prefix_ids(tokenizer) + answer_token_ids(tokenizer, RECORDS[0]["category"])
    supervised = [label for label in example.labels if label != IGNORE_INDEX]
    assert supervised == answer
    assert example.input_ids[-len(answer) :] == answer
    assert example.labels[: len(example.labels) - len(answer)] == [IGNORE_INDEX] * (len(example.labels) - len(answer))
    everything = build_example(tokenizer, RECORDS[0]["email"], RECORDS[0]["category"], TAXONOMY, "compact", "all")
    assert everything.labels == everything.input_ids  # the paper's code


def test_collate_left_pads(tokenizer) -> None:
    examples = [build_example(tokenizer, r["email"], r["category"], TAXONOMY, "compact") for r in RECORDS]
    batch = collate(examples, tokenizer.pad_token_id or 0)
    short = min(range(2), key=lambda i: len(examples[i].input_ids))
    pad = batch["input_ids"].shape[1] - len(examples[short].input_ids)
    assert pad > 0
    assert batch["attention_mask"][short, :pad].sum() == 0 and batch["attention_mask"][short, pad:].all()
    assert batch["position_ids"][short, pad] == 0
    assert (batch["labels"][short, :pad] == IGNORE_INDEX).all()
    assert batch["input_ids"][short, -1] == examples[short].input_ids[-1]  # answers end together


def test_answer_only_loss_matches_full_logits_loss(embedded_model_dir: Path, tokenizer) -> None:
    from transformers import AutoModelForCausalLM

    model = AutoModelForCausalLM.from_pretrained(embedded_model_dir)
    examples = [build_example(tokenizer, r["email"], r["category"], TAXONOMY, "compact") for r in RECORDS]
    batch = collate(examples, tokenizer.pad_token_id or 0)
    with torch.inference_mode():
        ours = answer_only_loss(model, batch)
        full = model(**batch).loss  # transformers' own shift and mean over labelled tokens
    assert float(ours) == pytest.approx(float(full), rel=1e-4)


def test_shared_prefix_loss_equals_the_plain_loss_and_gradients(embedded_model_dir: Path, tokenizer) -> None:
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM

    torch.manual_seed(0)
    model = AutoModelForCausalLM.from_pretrained(embedded_model_dir)
    lora = LoraConfig(r=4, lora_alpha=4, target_modules=["q_proj", "v_proj"], init_lora_weights=False)
    model = get_peft_model(model, lora)
    examples = [build_example(tokenizer, r["email"], r["category"], TAXONOMY, "compact") for r in RECORDS]
    trainable = [p for p in model.parameters() if p.requires_grad]

    def loss_and_grads(compute) -> tuple[float, list[torch.Tensor]]:
        model.zero_grad(set_to_none=True)
        loss = compute()
        loss.backward()
        return float(loss.detach()), [p.grad.clone() for p in trainable]

    plain, plain_grads = loss_and_grads(lambda: answer_only_loss(model, collate(examples, tokenizer.pad_token_id)))
    shared, shared_grads = loss_and_grads(lambda: shared_prefix_loss(model, examples, tokenizer.pad_token_id))
    assert shared == pytest.approx(plain, rel=1e-4)
    for ours, reference in zip(shared_grads, plain_grads, strict=True):
        assert torch.allclose(ours, reference, rtol=1e-3, atol=1e-6)
    assert common_prefix_length([e.input_ids for e in examples]) > 300  # the instructions are shared


def test_train_adapter_writes_a_usable_adapter(embedded_model_dir: Path, tmp_path: Path) -> None:
    from mail2ticket.engines.transformers import TransformersEngine
    from mail2ticket.prompts import classification_prompt

    steps: list[tuple[int, float, float]] = []
    config = TrainingConfig(max_steps=2, batch_size=1, gradient_accumulation=1, warmup_steps=0,
                            prompt_style="compact", lora_r=4, lora_alpha=4)  # fmt: skip
    result = train_adapter(
        embedded_model_dir, RECORDS, tmp_path / "adapter", config,
        base_model="embedded:smollm2-135m", on_step=lambda *a: steps.append(a),
    )  # fmt: skip
    assert [s[0] for s in steps] == [1, 2] and all(math.isfinite(s[1]) for s in steps)
    assert result.losses == [s[1] for s in steps]
    assert (tmp_path / "adapter" / "adapter_model.safetensors").is_file()
    metadata = json.loads((tmp_path / "adapter" / ADAPTER_METADATA).read_text(encoding="utf-8"))
    assert metadata["kind"] == "classifier" and metadata["base_model"] == "embedded:smollm2-135m"
    assert metadata["taxonomy_version"] == TAXONOMY.version and metadata["taxonomy_digest"] == TAXONOMY.digest
    assert metadata["prompt_version"].startswith("compact-v1-")
    assert metadata["training"]["use_rslora"] is True and metadata["quantized_4bit"] is False
    adapter_config = json.loads((tmp_path / "adapter" / "adapter_config.json").read_text(encoding="utf-8"))
    assert adapter_config["use_rslora"] is True and "lm_head" not in adapter_config["target_modules"]
    engine = TransformersEngine(embedded_model_dir)
    prompt = classification_prompt(engine.tokenizer, RECORDS[0]["email"], TAXONOMY, "compact")
    base = engine.classify([prompt], TAXONOMY.labels_with_unknown)[0]
    tuned = engine.classify([prompt], TAXONOMY.labels_with_unknown, adapter=str(tmp_path / "adapter"))[0]
    assert base != tuned


def test_train_adapter_on_the_last_layers_with_loraplus(embedded_model_dir: Path, tmp_path: Path) -> None:
    from safetensors import safe_open

    from mail2ticket.registry.models import DEFAULT_MODEL
    from mail2ticket.training.trainer import load_trainable_model, make_optimizer

    config = TrainingConfig(
        max_steps=6, batch_size=2, gradient_accumulation=1, warmup_steps=0, learning_rate=1e-3,
        prompt_style="compact", lora_r=4, lora_alpha=4, lora_layers=2, loraplus_lr_ratio=16, lr_scheduler="constant",
    )  # fmt: skip
    rates: list[float] = []
    result = train_adapter(embedded_model_dir, RECORDS, tmp_path / "adapter", config, base_model=DEFAULT_MODEL,
                           on_step=lambda step, loss, lr: rates.append(lr))  # fmt: skip
    assert all(math.isfinite(x) for x in result.losses) and result.losses[-1] < result.losses[0]
    assert rates == [pytest.approx(1e-3)] * 6  # constant: the last step learns as fast as the first
    adapter_config = json.loads((tmp_path / "adapter" / "adapter_config.json").read_text(encoding="utf-8"))
    assert adapter_config["layers_to_transform"] == [28, 29]
    with safe_open(str(tmp_path / "adapter" / "adapter_model.safetensors"), "pt") as weights:
        layers = {key.split(".layers.")[1].split(".")[0] for key in weights.keys()}  # noqa: SIM118
    assert layers == {"28", "29"}
    assert result.metadata["training"]["lora_layers"] == 2
    model, _, _ = load_trainable_model(embedded_model_dir, config)
    groups = sorted({group["lr"] for group in make_optimizer(model, config, False).param_groups if group["params"]})
    assert groups == [pytest.approx(1e-3), pytest.approx(16e-3)]  # LoRA+: the B matrices 16x faster


def test_bad_training_input(embedded_model_dir: Path, tmp_path: Path) -> None:
    with pytest.raises(ValueError, match="no training examples"):
        train_adapter(embedded_model_dir, [], tmp_path / "a")
    with pytest.raises(ValueError, match="not in taxonomy"):
        train_adapter(embedded_model_dir, [{"email": "x", "category": "Nope"}], tmp_path / "a")


@pytest.mark.gpu
@pytest.mark.skipif(not torch.cuda.is_available(), reason="needs a CUDA GPU (4-bit QLoRA with bitsandbytes)")
def test_qlora_4bit_trains_on_gpu(embedded_model_dir: Path, tmp_path: Path) -> None:
    config = TrainingConfig(max_steps=3, batch_size=2, gradient_accumulation=1, warmup_steps=0, prompt_style="compact")
    result = train_adapter(embedded_model_dir, RECORDS * 2, tmp_path / "adapter", config)
    assert result.metadata["quantized_4bit"] is True
    assert all(math.isfinite(x) for x in result.losses) and result.losses[-1] < result.losses[0]
