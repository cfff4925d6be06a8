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
import json
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mail2ticket.engines.base import LabelScores
from mail2ticket.engines.schema_grammar import schema_grammar
from mail2ticket.prefix import common_prefix_length, decisive_prefixes
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
        continuations = decisive_prefixes([answer_token_ids(self.tokenizer, label) for label in labels])
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
        length = common_prefix_length(encoded, keep=1)  # leave at least one token per prompt
        first = encoded[0]
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
        step_logits = [first_logits.expand(n, -1)]
        if width > 1:  # else every label is decided by its first token
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
            step_logits += [logits[:, t] for t in range(width - 1)]
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

    # ------------------------------------------------------------------ extract

    def extract(
        self,
        prompts: Sequence[str],
        json_schema: dict[str, Any],
        adapter: str | None = None,
        max_new_tokens: int = 256,
        batch_size: int = 8,
    ) -> list[dict]:
        """One JSON object per prompt, decoded greedily under the grammar of ``json_schema``.

        The grammar comes from xgrammar (``compile_json_schema``): at every step the tokens that
        cannot continue a schema-valid document are masked, so enum values, ISO date formats,
        property names and the JSON syntax itself are guaranteed whatever the e-mail says (a
        prompt injection can change values, never the format). Output is compact (no free
        whitespace) so the token budget goes to values.

        ``max_new_tokens`` bounds the work per e-mail. When the budget runs out mid-document,
        the result is the longest prefix that still closes into a schema-valid object (the
        fields completed so far), else ``{}`` — valid for every taxonomy schema, whose fields
        are all optional. A schema with required properties has no such fallback: running out
        of budget on it raises :class:`ExtractionBudgetError` rather than returning something
        invalid.

        Prompts run ``batch_size`` at a time. Prompts of one agent share their instructions
        (most of their tokens): that prefix runs once per batch and its key/value cache is
        shared by every row, as in :meth:`classify`.
        """
        import torch
        import xgrammar as xgr

        if max_new_tokens < 1:
            raise ValueError("max_new_tokens must be at least 1")
        compiled = self._compiled_schema(json_schema)
        results: list[dict] = []
        with self._lock, torch.inference_mode():
            model = self._use_adapter(adapter)
            for start in range(0, len(prompts), batch_size):
                encoded = [
                    self.tokenizer.encode(p, add_special_tokens=False) for p in prompts[start : start + batch_size]
                ]
                for text in self._constrained_decode(model, encoded, compiled, max_new_tokens):
                    results.append(_closed_object(xgr, compiled, text))
        return results

    def _constrained_decode(
        self, model: Any, encoded: list[list[int]], compiled: Any, max_new_tokens: int
    ) -> list[str]:
        """Greedy decoding of a batch under the grammar; the text of each row (maybe cut by the budget).

        Layout: ``[shared prefix][left padding][own suffix]``, the prefix's cache computed once
        and repeated per row. Positions are explicit, so padding in the middle shifts nothing:
        each row sees exactly the positions it would see alone.
        """
        import torch
        import xgrammar as xgr

        device, pad, n = self.device, self.tokenizer.pad_token_id, len(encoded)
        stop = set(self._stop_token_ids())
        shared = self._shared_prefix(model, encoded)
        prefix, cache = shared if shared is not None else (0, None)
        if cache is not None:
            cache.batch_repeat_interleave(n)
        lengths = [len(ids) - prefix for ids in encoded]
        width = max(lengths)
        tokens = torch.full((n, width), pad, dtype=torch.long)
        positions = torch.ones((n, width), dtype=torch.long)
        attention = torch.ones((n, prefix + width), dtype=torch.long)
        for row, ids in enumerate(encoded):
            offset = width - lengths[row]
            tokens[row, offset:] = torch.tensor(ids[prefix:], dtype=torch.long)
            positions[row, offset:] = torch.arange(prefix, len(ids))
            attention[row, prefix : prefix + offset] = 0
        next_position = torch.tensor([len(ids) for ids in encoded], dtype=torch.long)
        out = model(
            input_ids=tokens.to(device),
            attention_mask=attention.to(device),
            position_ids=positions.to(device),
            past_key_values=cache,
            use_cache=True,
            logits_to_keep=1,
        )
        matchers = [xgr.GrammarMatcher(compiled) for _ in encoded]
        bitmask = xgr.allocate_token_bitmask(n, compiled.tokenizer_info.vocab_size)
        generated: list[list[int]] = [[] for _ in encoded]
        active = [True] * n
        for _ in range(max_new_tokens):
            logits = out.logits[:, -1].float()
            for row in range(n):
                if active[row]:
                    matchers[row].fill_next_token_bitmask(bitmask, row)
            xgr.apply_token_bitmask_inplace(logits, bitmask.to(logits.device))
            chosen = logits.argmax(dim=-1).tolist()
            for row, token in enumerate(chosen):
                if not active[row]:
                    continue
                if not matchers[row].accept_token(token) or token in stop:
                    active[row] = False  # the stop token (only allowed once the object is closed)
                else:
                    generated[row].append(token)
            if not any(active):
                break
            step = torch.tensor([[t if a else pad] for t, a in zip(chosen, active, strict=True)], dtype=torch.long)
            attention = torch.cat([attention, torch.tensor([[int(a)] for a in active], dtype=torch.long)], dim=1)
            out = model(
                input_ids=step.to(device),
                attention_mask=attention.to(device),
                position_ids=next_position[:, None].to(device),
                past_key_values=out.past_key_values,
                use_cache=True,
            )
            next_position += 1
        return [
            self.tokenizer.decode(ids, skip_special_tokens=True, clean_up_tokenization_spaces=False)
            for ids in generated
        ]

    def _stop_token_ids(self) -> list[int]:
        """Tokens that end an answer: the chat template's end of turn (the tokenizer's eos)."""
        return [self.tokenizer.eos_token_id]

    def _compiled_schema(self, json_schema: dict[str, Any]) -> Any:
        """The schema's grammar for this tokenizer, compiled once per schema.

        The mask covers the model's output size, not the tokenizer's: they differ when the
        embedding matrix is padded (or smaller than the tokenizer's added tokens), and a mask
        of the wrong width would leave trailing logits unmasked.
        """
        import xgrammar as xgr

        key = json.dumps(json_schema, sort_keys=True, ensure_ascii=False)
        with self._lock:
            compiler: Any = getattr(self, "_grammar_compiler", None)
            if compiler is None:  # built on first use: classification-only engines never pay for it
                vocab_size = self.model.get_output_embeddings().weight.shape[0]
                info = xgr.TokenizerInfo.from_huggingface(
                    self.tokenizer, vocab_size=vocab_size, stop_token_ids=self._stop_token_ids()
                )
                compiler = self._grammar_compiler = xgr.GrammarCompiler(info, max_threads=2)
                self._grammars: dict[str, Any] = {}
            if key not in self._grammars:
                self._grammars[key] = compiler.compile_grammar(schema_grammar(json_schema))
            return self._grammars[key]


class ExtractionBudgetError(ValueError):
    """The token budget ran out on a schema whose required properties leave no valid fallback."""


def _conforms(xgr: Any, compiled: Any, text: str) -> bool:
    """Whether ``text`` is a whole document of the grammar (the schema's own validator)."""
    matcher = xgr.GrammarMatcher(compiled)
    return matcher.accept_string(text) and matcher.is_completed()


def _closed_object(xgr: Any, compiled: Any, text: str) -> dict:
    """The generated object, or, when the budget cut it short, its longest schema-valid closing.

    Text decoded under the grammar is always a valid *prefix*; a complete one is the answer.
    A cut one is closed at each comma, last first (the fields before it are complete), with
    ``}`` or ``]}`` (the cut may fall inside a list); the grammar itself decides which closing
    is valid, so a comma inside a string value can never produce a wrong object.
    """
    if _conforms(xgr, compiled, text):
        return json.loads(text)
    for cut in (i for i in range(len(text) - 1, 0, -1) if text[i] == ","):
        for closing in ("}", "]}"):
            candidate = text[:cut] + closing
            if _conforms(xgr, compiled, candidate):
                return json.loads(candidate)
    if _conforms(xgr, compiled, "{}"):
        return {}
    raise ExtractionBudgetError(
        "the token budget ran out before the JSON object was complete and the schema's required "
        "properties leave no valid fallback: raise max_new_tokens"
    )
