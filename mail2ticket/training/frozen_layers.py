"""Train the last decoder layers on the activations of the frozen ones below, computed once.

When LoRA adapts only the last ``N`` decoder layers (``TrainingConfig.lora_layers``), every layer
below is frozen: the hidden states that enter the first adapted layer depend on the example
alone, never on the training step. They are computed once per example, without gradients and
under the shared instructions' key/value cache, and kept in memory; every step then runs the
adapted layers only. On the embedded model (30 layers, 8 adapted) a step over cached
activations costs about half of a full forward and backward pass, and an epoch after the first
costs no lower-layer work at all, so a CPU run can afford the several epochs a LoRA needs to
learn the mapping rather than the answer format alone (``bench/RESULTS.md``).

The numbers are the full model's: :meth:`FrozenLowerLayers.loss` equals
:func:`mail2ticket.training.trainer.shared_prefix_loss` on the same batch, gradients included (tested),
and :meth:`FrozenLowerLayers.agrees_with_full_model` checks it on a real batch at the start of
every run, so a model whose decoder does not take its input this way is trained the plain way
instead of wrongly.

Memory: one hidden vector per token of every training example (for the embedded model, 576
floats: about 0.3 GB for 1,200 e-mails cut at 400 characters). Left off by default: the paper's
recipe adapts every layer.
"""

from __future__ import annotations

import contextlib
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from mail2ticket.modeling import cache_argument, decoder_and_head, decoder_layers, output_cache
from mail2ticket.training.batching import answer_loss, left_padded, shared_prompt_length


def lora_target_modules(model: Any) -> list[str]:
    """Names of the linear layers inside a decoder layer: peft's "all-linear", spelled out.

    ``layers_to_transform`` (LoRA on some layers only) needs explicit module names. Quantised
    linear layers (bitsandbytes ``Linear4bit``) subclass ``torch.nn.Linear`` and are included.
    """
    import torch

    layer = decoder_layers(model)[0]
    names = {name.rsplit(".", 1)[-1] for name, module in layer.named_modules() if isinstance(module, torch.nn.Linear)}
    if not names:
        raise ValueError("no linear layers in the decoder layers: cannot place LoRA on them")
    return sorted(names)


@contextlib.contextmanager
def only_layers(model: Any, start: int, stop: int | None = None) -> Iterator[None]:
    """Run ``model`` with its decoder layers ``[start:stop]`` only (``inputs_embeds`` enter layer ``start``).

    Each layer keeps its own index, so key/value caches and attention masks stay those of the
    whole model.
    """
    import torch

    decoder, _ = decoder_and_head(model)
    every = decoder.layers
    decoder.layers = torch.nn.ModuleList(list(every)[start:stop])
    try:
        yield
    finally:
        decoder.layers = every


def _cache_from_layer(first: int, config: Any) -> Any:
    """A key/value cache whose lengths are read at layer ``first`` (the layers below never fill it)."""
    from transformers import DynamicCache

    class _UpperLayersCache(DynamicCache):
        def get_seq_length(self, layer_idx: int = 0) -> int:
            return super().get_seq_length(max(layer_idx, first))

        def get_mask_sizes(self, query_length: int, layer_idx: int = 0) -> tuple[int, int]:
            return super().get_mask_sizes(query_length, max(layer_idx, first))

    return _UpperLayersCache(config=config)


@dataclass
class _Row:
    input_ids: list[int]
    labels: list[int]


class FrozenLowerLayers:
    """Activations entering decoder layer ``first`` for every example, and the loss from there.

    Args:
        model: The (peft) causal LM; nothing below layer ``first`` may be trainable.
        examples: Training examples (``input_ids``, ``labels`` with -100 on the prompt).
        first: Index of the first adapted decoder layer.
        pad_id: Padding token id.
        device: Where the model runs; activations are kept on the CPU.
        batch_size: Rows per forward pass while the activations are computed.
        progress: Called with the number of examples done, for a progress bar.
    """

    def __init__(
        self,
        model: Any,
        examples: Sequence[Any],
        first: int,
        pad_id: int,
        device: Any = "cpu",
        batch_size: int = 8,
        progress: Any = None,
    ) -> None:
        if not examples:
            raise ValueError("no examples")
        self.model = model
        self.examples = list(examples)
        self.first = first
        self.pad_id = pad_id
        self.device = device
        self.prefix_length = shared_prompt_length(self.examples)
        self.prefix_states, self.prefix_cache = self._prefix()
        self.states: list[Any] = [None] * len(self.examples)
        order = sorted(range(len(self.examples)), key=lambda i: len(self.examples[i].input_ids))
        for start in range(0, len(order), batch_size):
            chunk = order[start : start + batch_size]
            for index, states in zip(chunk, self._lower_states(chunk), strict=True):
                self.states[index] = states
            if progress:
                progress(len(chunk))

    # ------------------------------------------------------------------ the frozen part, once

    def _tail(self, index: int) -> _Row:
        example = self.examples[index]
        return _Row(example.input_ids[self.prefix_length :], example.labels[self.prefix_length :])

    def _capture(self) -> Any:
        """A hook on layer ``first - 1`` that keeps its output (what enters layer ``first``)."""
        captured: dict[str, Any] = {}

        def hook(_module: Any, _inputs: Any, output: Any) -> None:
            captured["states"] = output[0] if isinstance(output, tuple) else output

        return captured, decoder_layers(self.model)[self.first - 1].register_forward_hook(hook)

    def _prefix(self) -> tuple[Any, Any]:
        """The shared instructions: their activations at layer ``first`` and the lower layers' cache."""
        import torch

        if not self.prefix_length:
            return None, None
        ids = torch.tensor([self.examples[0].input_ids[: self.prefix_length]], device=self.device)
        captured, handle = self._capture()
        try:
            with torch.inference_mode(), only_layers(self.model, 0, self.first):
                cache = output_cache(self.model(input_ids=ids, use_cache=True, logits_to_keep=1))
        finally:
            handle.remove()
        return captured["states"].detach().to("cpu"), cache

    def _lower_states(self, indices: Sequence[int]) -> list[Any]:
        import copy

        import torch

        rows = [self._tail(i) for i in indices]
        ids, _, attention = (t.to(self.device) for t in left_padded(rows, self.pad_id))
        full = attention
        cache = None
        if self.prefix_length:
            cache = copy.deepcopy(self.prefix_cache)
            cache.batch_repeat_interleave(len(rows))
            prefix = torch.ones((len(rows), self.prefix_length), dtype=torch.long, device=self.device)
            full = torch.cat([prefix, attention], dim=1)
        positions = (full.cumsum(dim=1) - 1).clamp(min=0)[:, self.prefix_length :]
        captured, handle = self._capture()
        try:
            with torch.inference_mode(), only_layers(self.model, 0, self.first):
                self.model(input_ids=ids, attention_mask=full, position_ids=positions, **cache_argument(cache),
                           use_cache=cache is not None, logits_to_keep=1)  # fmt: skip
        finally:
            handle.remove()
        states = captured["states"].detach().to("cpu")
        return [states[r, states.shape[1] - len(row.input_ids) :].clone() for r, row in enumerate(rows)]

    # ------------------------------------------------------------------ the adapted part, every step

    def loss(self, indices: Sequence[int]) -> Any:
        """Answer-only loss of the examples ``indices``, running the adapted layers only."""
        import torch

        rows = [self._tail(i) for i in indices]
        width = max(len(r.input_ids) for r in rows)
        hidden = self.states[indices[0]].shape[-1]
        states = torch.zeros((len(rows), width, hidden), dtype=self.states[indices[0]].dtype)
        for r, i in enumerate(indices):
            states[r, width - self.states[i].shape[0] :] = self.states[i]
        _, labels, attention = (t.to(self.device) for t in left_padded(rows, self.pad_id))
        states = states.to(self.device)
        model = self.model.get_base_model() if hasattr(self.model, "get_base_model") else self.model
        with only_layers(self.model, self.first):
            cache = None
            full = attention
            if self.prefix_length:
                positions = torch.arange(self.prefix_length, device=self.device)[None]
                cache = output_cache(model(inputs_embeds=self.prefix_states.to(self.device), position_ids=positions,
                                           **cache_argument(_cache_from_layer(self.first, model.config)),
                                           use_cache=True, logits_to_keep=1))  # fmt: skip
                cache.batch_repeat_interleave(len(rows))
                prefix = torch.ones((len(rows), self.prefix_length), dtype=torch.long, device=self.device)
                full = torch.cat([prefix, attention], dim=1)
            positions = (full.cumsum(dim=1) - 1).clamp(min=0)[:, self.prefix_length :]
            decoder, head = decoder_and_head(model)
            out = decoder(inputs_embeds=states, attention_mask=full, position_ids=positions, **cache_argument(cache),
                          use_cache=cache is not None)  # fmt: skip
        return answer_loss(head, out.last_hidden_state, labels)

    def agrees_with_full_model(self, indices: Sequence[int], reference: Any, tolerance: float = 1e-3) -> bool:
        """Whether :meth:`loss` equals ``reference(examples)`` (the full model's loss) on ``indices``."""
        import torch

        with torch.no_grad():
            ours = float(self.loss(indices))
            full = float(reference([self.examples[i] for i in indices]))
        return abs(ours - full) <= tolerance * max(1.0, abs(full))


__all__ = ["FrozenLowerLayers", "lora_target_modules", "only_layers"]
