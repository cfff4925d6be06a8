"""``TransformersEngine``: the reference engine, on CPU by default, with peft LoRA adapters.

Classification scores every label instead of sampling an answer, so the result is always a
label and comes with a probability. How the labels are scored matters (DESIGN, "label scoring
pitfall"): the plain sum of each label's token log-probabilities favours short labels, and the
bare 135M model then answers ``unknown`` to everything. Here the answer is decoded through the
trie of allowed labels: at each token where labels diverge, the model's probabilities are
renormalised over the tokens that continue some label; where only one token is allowed, the
step costs nothing. That is exactly the distribution a constrained ``choice`` decoder (vLLM
structured outputs) follows, so both engines agree on the same adapter, and the probabilities
over the labels sum to 1.

For each prompt, the prompt and the answer prefix run once; their key/value cache is then
shared by all label continuations, which run as one batch.
"""

from __future__ import annotations

import hashlib
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mail2ticket.engines.base import LabelScores
from mail2ticket.prompts import answer_prefix_ids, answer_token_ids


class AdapterError(ValueError):
    """An adapter that cannot be used with this engine's base model."""


def _adapter_name(path: str) -> str:
    return "a" + hashlib.sha256(path.encode("utf-8")).hexdigest()[:12]


class TransformersEngine:
    """A causal LM from a local folder, plus any number of LoRA adapters loaded on demand."""

    def __init__(self, model_dir: str | Path, device: str | None = None, dtype: str = "float32") -> None:
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        self.model_dir = Path(model_dir)
        self.device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        self.tokenizer = AutoTokenizer.from_pretrained(self.model_dir)
        if self.tokenizer.pad_token_id is None:
            self.tokenizer.pad_token = self.tokenizer.eos_token
        self.model = AutoModelForCausalLM.from_pretrained(self.model_dir, dtype=getattr(torch, dtype))
        self.model.to(self.device).eval()
        self._adapters: dict[str, str] = {}
        self._lock = threading.RLock()  # one forward at a time: adapters are switched in place

    # ------------------------------------------------------------------ adapters

    def _use_adapter(self, adapter: str | None) -> Any:
        """The model to run, with ``adapter`` (a local adapter folder) active, or the bare base."""
        if adapter is None:
            if hasattr(self.model, "disable_adapter_layers"):
                self.model.disable_adapter_layers()
            return self.model
        from peft import PeftModel

        name = self._adapters.get(adapter)
        if name is None:
            name = _adapter_name(adapter)
            try:
                if isinstance(self.model, PeftModel):
                    self.model.load_adapter(adapter, adapter_name=name)
                else:
                    self.model = PeftModel.from_pretrained(self.model, adapter, adapter_name=name)
            except (OSError, ValueError, RuntimeError) as exc:
                raise AdapterError(f"cannot load adapter {adapter} on {self.model_dir.name}: {exc}") from None
            self.model.eval()
            self._adapters[adapter] = name
        self.model.enable_adapter_layers()
        self.model.set_adapter(name)
        return self.model

    # ------------------------------------------------------------------ classify

    def classify(self, prompts: Sequence[str], labels: Sequence[str], adapter: str | None = None) -> list[LabelScores]:
        import torch

        labels = list(dict.fromkeys(labels))
        if not labels:
            raise ValueError("no labels to choose from")
        continuations = [answer_token_ids(self.tokenizer, label) for label in labels]
        prefix_tail = answer_prefix_ids(self.tokenizer)
        results: list[LabelScores] = []
        encoded = [self.tokenizer.encode(p, add_special_tokens=False) + prefix_tail for p in prompts]
        with self._lock, torch.inference_mode():
            model = self._use_adapter(adapter)
            shared = self._shared_prefix(model, encoded)
            for prompt_ids in encoded:
                log_probs = self._trie_log_probs(model, prompt_ids, continuations, shared)
                probabilities = torch.softmax(log_probs, dim=0).tolist()  # renormalise rounding
                results.append(dict(zip(labels, probabilities, strict=True)))
        return results

    def _shared_prefix(self, model: Any, encoded: list[list[int]]) -> tuple[int, Any] | None:
        """The key/value cache of the tokens every prompt starts with (the instructions).

        The instructions are most of a prompt's tokens and identical for every e-mail: run
        them once per call instead of once per e-mail.
        """
        if len(encoded) < 2:
            return None
        length = min(len(ids) for ids in encoded) - 1  # leave at least one token per prompt
        first = encoded[0]
        for ids in encoded[1:]:
            common = 0
            while common < length and ids[common] == first[common]:
                common += 1
            length = common
        if length < 16:
            return None
        import torch

        out = model(input_ids=torch.tensor([first[:length]], device=self.device), use_cache=True, logits_to_keep=1)
        return length, out.past_key_values

    def _trie_log_probs(
        self,
        model: Any,
        prompt_ids: list[int],
        continuations: list[list[int]],
        shared: tuple[int, Any] | None = None,
    ) -> Any:
        """log P(label) under decoding constrained to the label trie, for every label."""
        import copy

        import torch

        device = self.device
        if shared is not None:
            start, shared_cache = shared
            rest = torch.tensor([prompt_ids[start:]], device=device)
            out = model(
                input_ids=rest,
                past_key_values=copy.deepcopy(shared_cache),
                attention_mask=torch.ones((1, len(prompt_ids)), dtype=torch.long, device=device),
                use_cache=True,
                logits_to_keep=1,
            )
        else:
            out = model(input_ids=torch.tensor([prompt_ids], device=device), use_cache=True, logits_to_keep=1)
        first_logits = out.logits[0, -1]
        cache = out.past_key_values
        n, width = len(continuations), max(len(c) for c in continuations)
        pad = self.tokenizer.pad_token_id
        batch = torch.full((n, width), pad, dtype=torch.long, device=device)
        for row, ids in enumerate(continuations):
            batch[row, : len(ids)] = torch.tensor(ids, device=device)
        cache.batch_repeat_interleave(n)
        attention = torch.ones((n, len(prompt_ids) + width), dtype=torch.long, device=device)
        for row, ids in enumerate(continuations):
            attention[row, len(prompt_ids) + len(ids) :] = 0
        # Logits after each continuation token except the last (it predicts nothing we score).
        logits = model(input_ids=batch[:, :-1], past_key_values=cache, attention_mask=attention[:, :-1]).logits
        step_logits = [first_logits.expand(n, -1), *[logits[:, t] for t in range(width - 1)]]
        scores = torch.zeros(n, device=device)
        for t in range(width):
            # Labels that share the same first t tokens share the same context at step t.
            groups: dict[tuple[int, ...], list[int]] = {}
            for row, ids in enumerate(continuations):
                if t < len(ids):
                    groups.setdefault(tuple(ids[:t]), []).append(row)
            for rows in groups.values():
                allowed = sorted({continuations[r][t] for r in rows})
                if len(allowed) == 1:
                    continue  # no choice here: probability 1 under constrained decoding
                restricted = torch.log_softmax(step_logits[t][rows[0], allowed].float(), dim=0)
                for r in rows:
                    scores[r] += restricted[allowed.index(continuations[r][t])]
        return scores

    # ------------------------------------------------------------------ generate

    def generate(
        self,
        prompts: Sequence[str],
        adapter: str | None = None,
        max_new_tokens: int = 64,
        temperature: float = 0.0,
        seed: int = 0,
    ) -> list[str]:
        import torch

        texts: list[str] = []
        with self._lock, torch.inference_mode():
            model = self._use_adapter(adapter)
            torch.manual_seed(seed)
            for prompt in prompts:
                inputs = self.tokenizer(prompt, return_tensors="pt", add_special_tokens=False).to(self.device)
                sampling = {"do_sample": True, "temperature": temperature} if temperature > 0 else {"do_sample": False}
                output = model.generate(
                    **inputs, max_new_tokens=max_new_tokens, pad_token_id=self.tokenizer.pad_token_id, **sampling
                )
                texts.append(self.tokenizer.decode(output[0, inputs["input_ids"].shape[1] :], skip_special_tokens=True))
        return texts

    def extract(self, prompts: Sequence[str], json_schema: dict[str, Any], adapter: str | None = None) -> list[dict]:
        raise NotImplementedError("schema-constrained extraction arrives with the serving issue (xgrammar)")
