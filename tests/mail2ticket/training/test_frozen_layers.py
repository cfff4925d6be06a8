"""Training the last layers on cached lower-layer activations: the full model's loss and gradients."""

from __future__ import annotations

from pathlib import Path

import pytest
import torch

from mail2ticket.modeling import decoder_layers
from mail2ticket.taxonomy import load_taxonomy
from mail2ticket.training.frozen_layers import FrozenLowerLayers, lora_target_modules
from mail2ticket.training.trainer import Example, answer_only_loss, build_example, collate, shared_prefix_loss

TAXONOMY = load_taxonomy()
RECORDS = [
    {"email": "** PROBLEM Service Alert: srv-web-01/Disk C: is CRITICAL **", "category": "Incidents/Supervision"},
    {"email": "Merci de restaurer le fichier D:\\Data\\rapport.xlsx du 12/03, supprimé par erreur hier soir.",
     "category": "Demande de service/Backup #BCS/Restauration qualifiée"},
    {"email": "Le job BCK_SRVSQL01 est en échec.", "category": "Incidents/Backup #BCS/Sauvegarde"},
]  # fmt: skip
ADAPTED = 3  # the last three of the 30 layers


@pytest.fixture(scope="module")
def model_and_tokenizer(embedded_model_dir: Path):
    from peft import LoraConfig, get_peft_model
    from transformers import AutoModelForCausalLM, AutoTokenizer

    torch.manual_seed(0)
    tokenizer = AutoTokenizer.from_pretrained(embedded_model_dir)
    model = AutoModelForCausalLM.from_pretrained(embedded_model_dir)
    count = len(decoder_layers(model))
    lora = LoraConfig(r=4, lora_alpha=4, target_modules=lora_target_modules(model), init_lora_weights=False,
                      layers_to_transform=list(range(count - ADAPTED, count)))  # fmt: skip
    return get_peft_model(model, lora), tokenizer


def _loss_and_grads(model, compute) -> tuple[float, list[torch.Tensor]]:
    model.zero_grad(set_to_none=True)
    loss = compute()
    loss.backward()
    return float(loss.detach()), [p.grad.clone() for p in model.parameters() if p.requires_grad]


def _assert_same(ours: tuple[float, list[torch.Tensor]], reference: tuple[float, list[torch.Tensor]]) -> None:
    assert ours[0] == pytest.approx(reference[0], rel=1e-4)
    for mine, theirs in zip(ours[1], reference[1], strict=True):
        assert torch.allclose(mine, theirs, rtol=1e-3, atol=1e-6)


def test_lora_targets_are_every_linear_layer_of_a_decoder_layer(model_and_tokenizer) -> None:
    model, _ = model_and_tokenizer
    assert lora_target_modules(model) == ["down_proj", "gate_proj", "k_proj", "o_proj", "q_proj", "up_proj", "v_proj"]
    adapted = {name.split(".layers.")[1].split(".")[0] for name, p in model.named_parameters() if p.requires_grad}
    assert adapted == {"27", "28", "29"}


def test_cached_activations_give_the_full_models_loss_and_gradients(model_and_tokenizer) -> None:
    model, tokenizer = model_and_tokenizer
    examples = [build_example(tokenizer, r["email"], r["category"], TAXONOMY, "compact") for r in RECORDS]
    count = len(decoder_layers(model))
    frozen = FrozenLowerLayers(model, examples, count - ADAPTED, tokenizer.pad_token_id, batch_size=2)
    assert frozen.prefix_length > 300  # the instructions run once, for every example
    for indices in ([0, 1, 2], [2, 0]):  # rows of uneven length, in any order
        rows = [examples[i] for i in indices]
        _assert_same(
            _loss_and_grads(model, lambda indices=indices: frozen.loss(indices)),
            _loss_and_grads(model, lambda rows=rows: shared_prefix_loss(model, rows, tokenizer.pad_token_id)),
        )
    assert frozen.agrees_with_full_model([0, 1], lambda rows: shared_prefix_loss(model, rows, tokenizer.pad_token_id))
    assert not frozen.agrees_with_full_model([0, 1], lambda rows: 1.5 * answer_only_loss(
        model, collate(rows, tokenizer.pad_token_id)))  # fmt: skip


def test_examples_without_shared_instructions(model_and_tokenizer) -> None:
    model, tokenizer = model_and_tokenizer
    answer = tokenizer.encode(' "Incidents/Supervision"}', add_special_tokens=False)
    texts = ["Alerte Centreon sur srv-web-01, disque plein.", "Restaurer D:\\Data du 12/03 svp, merci d'avance."]
    examples = []
    for text in texts:
        prompt = tokenizer.encode(text, add_special_tokens=False)
        examples.append(Example(prompt + answer, [-100] * len(prompt) + answer))
    count = len(decoder_layers(model))
    frozen = FrozenLowerLayers(model, examples, count - ADAPTED, tokenizer.pad_token_id)
    assert frozen.prefix_length == 0
    _assert_same(
        _loss_and_grads(model, lambda: frozen.loss([0, 1])),
        _loss_and_grads(model, lambda: answer_only_loss(model, collate(examples, tokenizer.pad_token_id))),
    )
