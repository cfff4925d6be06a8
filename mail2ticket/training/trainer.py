"""Supervised fine-tuning of a LoRA adapter for the classification agent (paper, section 8).

GPU: 4-bit NF4 QLoRA with double quantisation, bf16 compute, ``adamw_8bit`` (bitsandbytes).
CPU: plain fp32 LoRA, ``adamw_torch``. The paper's recipe otherwise: r=16, alpha=16, dropout 0,
rsLoRA, every linear layer but ``lm_head``, batch 2 × accumulation 4, warmup 5, lr 2e-4,
weight decay 0.01, max length 2048, ``max_steps`` or epochs, a seed.

Two departures from the paper's code, both measured in ``bench/``:

* the loss covers the answer tokens only (the paper's code also trained on the prompt and
  the padding): prompt tokens get the label -100;
* prompt and answer use :mod:`mail2ticket.prompts`, the same code evaluation and serving use.

Sequences are left-padded so every answer ends at the same position; the language-model head
then runs only on the positions that predict an answer token
(:func:`mail2ticket.training.batching.answer_loss`), which on a small model with a 49k-token vocabulary
saves a fifth of the compute.
"""

from __future__ import annotations

import math
import random
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from mail2ticket.modeling import cache_argument, decoder_and_head, decoder_layers, output_cache
from mail2ticket.progress import Progress
from mail2ticket.prompts import (
    PromptStyle,
    answer_prefix_ids,
    answer_token_ids,
    classification_prompt,
    prompt_version,
)
from mail2ticket.registry.adapters import CLASSIFIER_KIND, AdapterKind, write_metadata
from mail2ticket.taxonomy import Taxonomy, load_taxonomy
from mail2ticket.training.batching import IGNORE_INDEX, answer_loss, left_padded, shared_prompt_length
from mail2ticket.training.config import TrainingConfig
from mail2ticket.training.frozen_layers import FrozenLowerLayers, lora_target_modules
from mail2ticket.training.sampling import epoch_order


@dataclass
class Example:
    input_ids: list[int]
    labels: list[int]


@dataclass
class TrainingResult:
    adapter_dir: Path
    losses: list[float]
    steps: int
    train_examples: int
    skipped_too_long: int
    tokens_per_second: float
    seconds: float
    metadata: dict[str, Any] = field(default_factory=dict)


def build_example(
    tokenizer: Any, email: str, label: str, taxonomy: Taxonomy, style: PromptStyle, loss_on: str = "answer"
) -> Example:
    """Prompt tokens (masked unless ``loss_on='all'``) followed by the answer tokens."""
    prompt = tokenizer.encode(classification_prompt(tokenizer, email, taxonomy, style), add_special_tokens=False)
    answer = answer_prefix_ids(tokenizer) + answer_token_ids(tokenizer, label)
    masked = list(prompt) if loss_on == "all" else [IGNORE_INDEX] * len(prompt)
    return Example(prompt + answer, masked + answer)


def collate(examples: Sequence[Example], pad_id: int, loss_on: str = "answer") -> dict[str, Any]:
    """Left-pad a batch; padding is masked out of attention (and of the loss unless ``loss_on='all'``)."""
    input_ids, labels, attention = left_padded(examples, pad_id)
    if loss_on == "all":  # the paper's code also trained on padding
        labels[attention == 0] = pad_id
    positions = (attention.cumsum(dim=1) - 1).clamp(min=0)
    return {"input_ids": input_ids, "labels": labels, "attention_mask": attention, "position_ids": positions}


def answer_only_loss(model: Any, batch: dict[str, Any]) -> Any:
    """Causal-LM loss computed on the positions that carry a label only."""
    decoder, head = decoder_and_head(model)
    out = decoder(
        input_ids=batch["input_ids"], attention_mask=batch["attention_mask"], position_ids=batch["position_ids"]
    )
    return answer_loss(head, out.last_hidden_state, batch["labels"])


def shared_prefix_loss(model: Any, examples: Sequence[Example], pad_id: int, device: Any = "cpu") -> Any:
    """Answer-only loss of a batch whose prompts share their instructions, run once.

    The common token prefix (the instructions, about 3/4 of a compact prompt) goes through the
    model once with its key/value cache kept in the autograd graph; the cache is repeated for
    every row and each e-mail + answer runs on top of it. Gradients flow through the shared
    prefix once per batch, so the loss and its gradients equal :func:`answer_only_loss` on the
    same batch (tested), for far fewer tokens — on 2 CPU cores this is what makes a useful
    demo fit in minutes. Rows are left-padded between the prefix and their e-mail (masked out of
    attention, positions continuous), so every answer ends at the last position.
    """
    import torch

    length = shared_prompt_length(examples)
    if len(examples) < 2 or not length:
        return answer_only_loss(model, {k: v.to(device) for k, v in collate(examples, pad_id).items()})
    prefix = torch.tensor([examples[0].input_ids[:length]], device=device)
    cache = output_cache(model(input_ids=prefix, use_cache=True, logits_to_keep=1))
    cache.batch_repeat_interleave(len(examples))
    tails = [Example(e.input_ids[length:], e.labels[length:]) for e in examples]
    batch = {k: v.to(device) for k, v in collate(tails, pad_id).items()}
    attention = torch.cat([torch.ones((len(examples), length), dtype=torch.long, device=device),
                           batch["attention_mask"]], dim=1)  # fmt: skip
    positions = (attention.cumsum(dim=1) - 1)[:, length:]
    decoder, head = decoder_and_head(model)
    out = decoder(input_ids=batch["input_ids"], attention_mask=attention, position_ids=positions,
                  **cache_argument(cache), use_cache=True)  # fmt: skip
    return answer_loss(head, out.last_hidden_state, batch["labels"])


def load_trainable_model(model_dir: Path, config: TrainingConfig) -> tuple[Any, Any, bool]:
    """The peft model to train (4-bit on a CUDA GPU unless told otherwise), its tokenizer, and whether it is 4-bit."""
    import torch
    from peft import LoraConfig, get_peft_model, prepare_model_for_kbit_training
    from transformers import AutoModelForCausalLM, AutoTokenizer

    tokenizer = AutoTokenizer.from_pretrained(model_dir)
    if tokenizer.pad_token_id is None:
        tokenizer.pad_token = tokenizer.eos_token
    four_bit = torch.cuda.is_available() if config.quantize_4bit is None else config.quantize_4bit
    if four_bit:
        from transformers import BitsAndBytesConfig

        quantization = BitsAndBytesConfig(
            load_in_4bit=True,
            bnb_4bit_quant_type="nf4",
            bnb_4bit_use_double_quant=True,
            bnb_4bit_compute_dtype=torch.bfloat16,
        )
        model = AutoModelForCausalLM.from_pretrained(
            model_dir, quantization_config=quantization, dtype=torch.bfloat16, device_map={"": 0}
        )
        model = prepare_model_for_kbit_training(model, use_gradient_checkpointing=False)
    else:
        model = AutoModelForCausalLM.from_pretrained(model_dir, dtype=torch.float32)
    placement: dict[str, Any] = {"target_modules": "all-linear"}  # every linear layer but the output head
    adapted = _adapted_layers(model, config)
    if adapted:
        placement = {"target_modules": lora_target_modules(model), "layers_to_transform": adapted}
    lora = LoraConfig(
        r=config.lora_r,
        lora_alpha=config.lora_alpha,
        lora_dropout=config.lora_dropout,
        use_rslora=config.use_rslora,
        task_type="CAUSAL_LM",
        **placement,
    )
    model = get_peft_model(model, lora)
    # A 4-bit layer that first runs in eval mode is repacked and its LoRA gradients come out
    # wrong: switch to train mode before the first forward pass.
    model.train()
    return model, tokenizer, four_bit


def _adapted_layers(model: Any, config: TrainingConfig) -> list[int] | None:
    """Indices of the decoder layers LoRA adapts when only the last ones are (None: all of them)."""
    if config.lora_layers is None:
        return None
    count = len(decoder_layers(model))
    if config.lora_layers >= count:
        return None
    return list(range(count - config.lora_layers, count))


def make_optimizer(model: Any, config: TrainingConfig, four_bit: bool) -> Any:
    """AdamW (8-bit with a 4-bit model), with LoRA+'s learning rates when ``loraplus_lr_ratio`` is set."""
    import torch

    if four_bit:
        import bitsandbytes as bnb

        optimizer_cls = bnb.optim.AdamW8bit
    else:
        optimizer_cls = torch.optim.AdamW
    if config.loraplus_lr_ratio:
        from peft.optimizers import create_loraplus_optimizer

        return create_loraplus_optimizer(
            model, optimizer_cls, lr=config.learning_rate, loraplus_lr_ratio=config.loraplus_lr_ratio,
            loraplus_weight_decay=config.weight_decay,
        )  # fmt: skip
    params = [p for p in model.parameters() if p.requires_grad]
    return optimizer_cls(params, lr=config.learning_rate, weight_decay=config.weight_decay)


def _frozen_lower_layers(
    model: Any,
    examples: Sequence[Example],
    config: TrainingConfig,
    pad_id: int,
    device: Any,
    full_model_loss: Callable[[Sequence[Example]], Any],
    tolerance: float,
) -> FrozenLowerLayers | None:
    """The cached activations of the frozen layers, when only the last layers are adapted.

    None when every layer is adapted, when the loss covers the prompt too (the paper's variant:
    its prompt tokens are supervised, there is nothing to gain), or when the cached path does not
    reproduce the full model's loss on the first examples (a decoder this module cannot drive).
    """
    adapted = _adapted_layers(model, config)
    if not adapted or config.loss_on != "answer":
        return None
    with Progress("frozen layers, once", total=len(examples), unit="examples", item="examples") as progress:
        frozen = FrozenLowerLayers(model, examples, adapted[0], pad_id, device, progress=progress.advance)
    probe = list(range(min(len(examples), 4)))
    if not frozen.agrees_with_full_model(probe, full_model_loss, tolerance):
        warnings.warn(
            f"{type(model.get_base_model()).__name__}: the cached lower-layer activations do not reproduce the "
            "full model's loss; training runs the whole model every step instead",
            RuntimeWarning,
            stacklevel=2,
        )
        return None
    return frozen


def build_answer_example(tokenizer: Any, prompt: str, answer: str) -> Example:
    """A rendered ``prompt`` (masked out of the loss) followed by ``answer`` and the end of turn.

    The agents that answer with a document (a forecast, an extraction) are decoded until the
    grammar closes it and the model ends its turn: training on the end-of-turn token too teaches
    the adapter to stop there.
    """
    prompt_ids = tokenizer.encode(prompt, add_special_tokens=False)
    answer_ids = [*tokenizer.encode(answer, add_special_tokens=False), tokenizer.eos_token_id]
    return Example(prompt_ids + answer_ids, [IGNORE_INDEX] * len(prompt_ids) + answer_ids)


def fit_lora(
    model_dir: str | Path,
    make_examples: Callable[[Any], Sequence[Example]],
    output_dir: str | Path,
    config: TrainingConfig,
    classes: Sequence[str] | None = None,
    on_step: Callable[[int, float, float], None] | None = None,
) -> TrainingResult:
    """Fine-tune a LoRA adapter on the examples ``make_examples(tokenizer)`` builds, and save it.

    Every agent trains through this loop (the classifier through :func:`train_adapter`, the
    forecaster on serialised history windows): one recipe, one optimiser, one schedule.
    ``classes`` (one per example) lets ``balance_classes`` oversample the small ones. The
    result's metadata holds what is common to every adapter (base model, recipe, losses); the
    caller adds its own and writes it (:func:`save_metadata` for an adapter bound to the taxonomy).
    """
    import torch
    from transformers import get_constant_schedule_with_warmup, get_linear_schedule_with_warmup

    random.seed(config.seed)
    torch.manual_seed(config.seed)
    model_dir = Path(model_dir)
    model, tokenizer, four_bit = load_trainable_model(model_dir, config)
    device = next(model.parameters()).device

    examples = list(make_examples(tokenizer))
    if not examples:
        raise ValueError("no training examples")
    if classes is not None and len(classes) != len(examples):
        raise ValueError(f"{len(classes)} classes for {len(examples)} examples")
    fits = [len(e.input_ids) <= config.max_length for e in examples]
    kept = [e for e, ok in zip(examples, fits, strict=True) if ok]
    kept_classes = [c for c, ok in zip(classes, fits, strict=True) if ok] if classes is not None else None
    skipped = len(examples) - len(kept)
    if not kept:
        raise ValueError(f"every example is longer than max_length={config.max_length} tokens")
    per_step = config.batch_size * config.gradient_accumulation
    steps = config.max_steps or max(1, math.ceil(config.epochs * len(kept) / per_step))
    optimizer = make_optimizer(model, config, four_bit)
    if config.lr_scheduler == "constant":
        scheduler = get_constant_schedule_with_warmup(optimizer, config.warmup_steps)
    else:
        scheduler = get_linear_schedule_with_warmup(optimizer, config.warmup_steps, steps)
    order_rng = random.Random(config.seed)
    order: list[int] = []

    def next_batch() -> list[int]:
        nonlocal order
        batch = []
        for _ in range(config.batch_size):
            if not order:
                lengths = [len(e.input_ids) for e in kept] if config.group_by_length else None
                balance = kept_classes if config.balance_classes else None
                order = epoch_order(len(kept), config.batch_size, order_rng, lengths, classes=balance)[::-1]
            batch.append(order.pop())
        return batch

    def full_model_loss(rows: Sequence[Example]) -> Any:
        if config.loss_on == "answer" and config.share_prefix:
            return shared_prefix_loss(model, rows, tokenizer.pad_token_id, device)
        return answer_only_loss(model, {k: v.to(device) for k, v in collate(rows, tokenizer.pad_token_id,
                                                                            config.loss_on).items()})  # fmt: skip

    losses: list[float] = []
    tokens = 0
    started = time.perf_counter()
    frozen = _frozen_lower_layers(model, kept, config, tokenizer.pad_token_id, device, full_model_loss,
                                  tolerance=2e-2 if four_bit else 1e-3)  # fmt: skip
    with Progress("training", total=steps, unit="steps", items_per_unit=per_step, item="examples") as progress:
        for step in range(1, steps + 1):
            step_loss = 0.0
            for _ in range(config.gradient_accumulation):
                indices = next_batch()
                rows = [kept[i] for i in indices]
                tokens += sum(len(e.input_ids) for e in rows)
                with torch.autocast("cuda", dtype=torch.bfloat16, enabled=four_bit):
                    loss = frozen.loss(indices) if frozen else full_model_loss(rows)
                    loss = loss / config.gradient_accumulation
                loss.backward()
                step_loss += float(loss.detach())
            torch.nn.utils.clip_grad_norm_([p for p in model.parameters() if p.requires_grad], 1.0)
            optimizer.step()
            scheduler.step()
            optimizer.zero_grad(set_to_none=True)
            losses.append(step_loss)
            progress.advance(loss=step_loss)
            if on_step:
                on_step(step, step_loss, scheduler.get_last_lr()[0])
    seconds = time.perf_counter() - started

    output = Path(output_dir)
    output.mkdir(parents=True, exist_ok=True)
    model.save_pretrained(output)
    tokenizer.save_pretrained(output)
    metadata = {
        "base_model": str(model_dir),
        "base_model_type": model.config.model_type,
        "base_model_hidden_size": model.config.hidden_size,
        "training": config.model_dump(),
        "quantized_4bit": four_bit,
        "steps": steps,
        "train_examples": len(kept),
        "losses": losses,
    }
    return TrainingResult(
        adapter_dir=output,
        losses=losses,
        steps=steps,
        train_examples=len(kept),
        skipped_too_long=skipped,
        tokens_per_second=tokens / seconds if seconds else 0.0,
        seconds=seconds,
        metadata=metadata,
    )


def train_adapter(
    model_dir: str | Path,
    records: Sequence[dict[str, Any]],
    output_dir: str | Path,
    config: TrainingConfig | None = None,
    taxonomy: Taxonomy | None = None,
    base_model: str | None = None,
    on_step: Callable[[int, float, float], None] | None = None,
) -> TrainingResult:
    """Fine-tune the classifier's LoRA adapter on ``records`` (``email``, ``category``) and save it.

    ``on_step(step, loss, learning_rate)`` is called after every optimiser step (MLflow logs
    from there). The adapter folder holds the peft adapter, the tokenizer and
    ``mail2ticket.json`` (base model, taxonomy and prompt versions, configuration, losses).
    """
    config = config or TrainingConfig()
    taxonomy = taxonomy or load_taxonomy()
    if not records:
        raise ValueError("no training examples")
    unknown = sorted({r["category"] for r in records} - set(taxonomy.labels_with_unknown))
    if unknown:
        raise ValueError(f"training labels not in taxonomy {taxonomy.version}: {', '.join(unknown)}")

    def make_examples(tokenizer: Any) -> list[Example]:
        return [
            build_example(tokenizer, r["email"], r["category"], taxonomy, config.prompt_style, config.loss_on)
            for r in records
        ]

    result = fit_lora(model_dir, make_examples, output_dir, config, [r["category"] for r in records], on_step)
    return save_metadata(
        result,
        CLASSIFIER_KIND,
        base_model or str(model_dir),
        taxonomy,
        labels=taxonomy.labels_with_unknown,
        prompt_version=prompt_version(taxonomy, config.prompt_style),
        prompt_style=config.prompt_style,
    )


def save_metadata(
    result: TrainingResult, kind: AdapterKind, base_model: str, taxonomy: Taxonomy, **own: Any
) -> TrainingResult:
    """Write the ``mail2ticket.json`` of an agent's adapter trained for ``taxonomy``, and return ``result`` with it.

    What serving checks before loading the adapter comes first (its kind, base model and
    taxonomy), then what the agent adds (``own``: its prompt's version...), then the recipe.
    """
    common = result.metadata
    result.metadata = {
        "kind": kind,
        "base_model": base_model,
        "base_model_type": common["base_model_type"],
        "base_model_hidden_size": common["base_model_hidden_size"],
        "taxonomy_version": taxonomy.version,
        "taxonomy_digest": taxonomy.digest,
        **own,
        **{key: common[key] for key in ("training", "quantized_4bit", "steps", "train_examples", "losses")},
    }
    write_metadata(result.adapter_dir, result.metadata)
    return result


__all__ = [
    "Example",
    "TrainingResult",
    "answer_only_loss",
    "build_answer_example",
    "build_example",
    "collate",
    "fit_lora",
    "load_trainable_model",
    "make_optimizer",
    "save_metadata",
    "shared_prefix_loss",
    "train_adapter",
]
