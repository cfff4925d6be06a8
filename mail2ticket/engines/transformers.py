"""``TransformersEngine``: the reference engine, on CPU by default, with peft LoRA adapters.

Classification scores every label instead of sampling an answer, so the result is always a label
and comes with a probability. How the labels are scored matters: the plain sum of each label's
token log-probabilities favours short labels, and the bare 135M model then answers ``unknown``
to everything. Here the answer is decoded through the trie of allowed labels: at each token
where labels diverge, the model's probabilities are renormalised over the tokens that continue
some label; where only one token is allowed, the step costs nothing. That is exactly the
distribution a constrained ``choice`` decoder (vLLM structured outputs) follows, so both engines
agree on the same adapter, and the probabilities over the labels sum to 1.

The instructions every prompt starts with run once per adapter and stay cached; each batch of
e-mails then runs in one forward pass, packed end to end without padding
(:mod:`mail2ticket.engines.attention`): every e-mail followed by the label trie
(:mod:`mail2ticket.engines.label_trie`), whose nodes see the e-mail and their own ancestors only.

Adapters are peft adapters loaded by name into the one model and switched per call; at most
``max_adapters`` stay loaded (least recently used first out), together with their cached
instructions.
"""

from __future__ import annotations

import threading
from collections import OrderedDict, deque
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mail2ticket.engines.base import DEFAULT_MAX_ADAPTERS, AdapterCache, AdapterHost, LabelScores, adapter_name
from mail2ticket.engines.grammar import GrammarCache, closed_object
from mail2ticket.engines.label_trie import LabelTree, LabelTreeCache
from mail2ticket.engines.precision import resolve_dtype
from mail2ticket.modeling import (
    MIN_SHARED_PREFIX,
    cache_argument,
    common_prefix_length,
    decoder_and_head,
    output_cache,
)
from mail2ticket.prompts import answer_prefix_ids

#: Extra shared tokens that justify caching a new prefix when a shorter cached one fits.
PREFIX_GAIN = 32
#: Prefixes kept (per engine, all adapters together): the agents' instructions, ~20 MB each here.
MAX_CACHED_PREFIXES = 8
#: Recent single prompts a lone prompt is compared with to find its instructions: calls of the
#: agents interleave (a ticket is a classification, then its category's extraction), so the
#: previous call alone is usually another agent's.
RECENT_PROMPTS = 16


class TransformersEngine(AdapterHost[str]):
    """A causal LM from a local folder, plus any number of LoRA adapters loaded on demand.

    ``dtype`` is ``float32`` (the reference), ``bfloat16``, ``float16`` or ``auto``, the fastest
    on this device (:func:`mail2ticket.engines.precision.resolve_dtype`); ``self.dtype`` says
    which it runs in. ``max_adapters`` adapters stay loaded at once. A prompt longer than
    ``max_model_len`` tokens (default: the model's own context) is refused with a ``ValueError``,
    as vLLM refuses it.
    """

    def __init__(
        self,
        model_dir: str | Path,
        device: str | None = None,
        dtype: str = "float32",
        max_adapters: int = DEFAULT_MAX_ADAPTERS,
        max_model_len: int | None = None,
    ) -> None:
        import torch
        from transformers import AutoModelForCausalLM, AutoTokenizer

        self.model_dir = Path(model_dir)
        self.device = device or ("cuda" if torch.cuda.is_available() else "cpu")
        self.dtype = resolve_dtype(dtype, self.device)
        self.tokenizer = AutoTokenizer.from_pretrained(self.model_dir)
        if self.tokenizer.pad_token_id is None:
            self.tokenizer.pad_token = self.tokenizer.eos_token
        self.model = AutoModelForCausalLM.from_pretrained(self.model_dir, dtype=getattr(torch, self.dtype))
        self.model.to(self.device).eval()
        self.max_model_len = max_model_len or int(getattr(self.model.config, "max_position_embeddings", 0)) or None
        self.max_adapters = max_adapters
        self._adapters: AdapterCache[str] = AdapterCache(max_adapters)  # folder -> peft adapter name
        self._grammars = GrammarCache(
            self.tokenizer, self._stop_token_ids(), vocab_size=self.model.get_output_embeddings().weight.shape[0]
        )
        self._active_adapter: str | None = None  # the adapter name the model runs with, None: the base
        self._prefixes: OrderedDict[tuple[str | None, tuple[int, ...]], Any] = OrderedDict()
        self._recent_prompts: deque[tuple[str | None, list[int]]] = deque(maxlen=RECENT_PROMPTS)
        self._label_trees = LabelTreeCache(self.tokenizer)
        self._lock = threading.RLock()  # one forward at a time: adapters are switched in place

    # ------------------------------------------------------------------ adapters

    def _acquire(self, adapter: str) -> str:
        """Load a peft adapter under a name of its own; the name.

        Always in inference mode, as the calls that load on first use do: peft marks every
        adapter's parameters when it adds one, and a tensor created in inference mode cannot be
        marked outside it.
        """
        import torch
        from peft import PeftModel

        name = adapter_name(adapter)
        # The adapter runs in the model's type, as vLLM runs it (peft would keep a bfloat16
        # model's adapter in float32: every LoRA product upcast, 1.3x slower batches).
        options = {"adapter_name": name, "autocast_adapter_dtype": False}
        try:
            with torch.inference_mode():
                if isinstance(self.model, PeftModel):
                    self.model.load_adapter(adapter, **options)
                else:
                    self.model = PeftModel.from_pretrained(self.model, adapter, **options)
        except (OSError, ValueError, RuntimeError, KeyError) as exc:
            raise self._cannot_load(adapter, exc) from None
        self.model.eval()
        return name

    def _release(self, name: str) -> None:
        """Delete a peft adapter and everything cached for it (every call sets its adapter anew)."""
        import torch

        with torch.inference_mode():  # peft re-marks the remaining adapters' parameters (see _acquire)
            self.model.delete_adapter(name)
        if self._active_adapter == name:
            self._active_adapter = None
        for key in [key for key in self._prefixes if key[0] == name]:
            del self._prefixes[key]
        self._recent_prompts = deque(
            ((owner, ids) for owner, ids in self._recent_prompts if owner != name), maxlen=RECENT_PROMPTS
        )

    def _use_adapter(self, adapter: str | None) -> Any:
        """The model to run, with ``adapter`` (a local adapter folder) active, or the bare base."""
        if adapter is None:
            if hasattr(self.model, "disable_adapter_layers"):
                self.model.disable_adapter_layers()
            self._active_adapter = None
            return self.model
        name = self._adapter(adapter)
        self.model.enable_adapter_layers()
        self.model.set_adapter(name)
        self._active_adapter = name
        return self.model

    # ------------------------------------------------------------------ classify

    def classify(
        self, prompts: Sequence[str], labels: Sequence[str], adapter: str | None = None, batch_size: int = 8
    ) -> list[LabelScores]:
        """Each label's probability under decoding constrained to the labels, for every prompt.

        Each forward pass scores ``batch_size`` e-mails, packed end to end after the cached
        instructions, each followed by the label trie (:meth:`_score_tree`).
        """
        import torch

        labels, tree = self._label_trees.get(labels)
        prefix_tail = answer_prefix_ids(self.tokenizer)
        encoded = [self._encode(p) + prefix_tail for p in prompts]
        results: list[LabelScores] = []
        with self._lock, torch.inference_mode():
            model = self._use_adapter(adapter)
            for start in range(0, len(encoded), batch_size):
                scores = self._score_tree(model, encoded[start : start + batch_size], tree)
                results += [dict(zip(labels, row, strict=True)) for row in scores.softmax(dim=-1).tolist()]
        return results

    def _prefix_cache(self, model: Any, encoded: list[list[int]], copy_cache: bool = True) -> tuple[int, Any]:
        """The key/value cache of the instructions these prompts start with, and its length.

        The instructions are most of a prompt's tokens and the same for every e-mail of an
        agent: they run once per adapter, not once per call. What the prompts share (a single
        prompt: the most it shares with another recent prompt run with the same adapter, so
        that a call with one e-mail finds its instructions too, whatever other agents ran in
        between; a repeated prompt is not an instruction worth caching)
        is the candidate; a cached prefix every prompt
        starts with is used unless the candidate is at least :data:`PREFIX_GAIN` tokens longer
        (e-mails that happen to start alike are not worth a new entry). The few most recently used prefixes
        are kept, per adapter. Returns ``(0, None)`` when nothing worth caching is shared; the
        cache returned is a copy the caller may extend.
        """
        import copy

        import torch

        if len(encoded) == 1:
            peers = [
                ids for adapter, ids in self._recent_prompts if adapter == self._active_adapter and ids != encoded[0]
            ]
            length = max((common_prefix_length([encoded[0], ids], keep=1) for ids in peers), default=0)
        else:
            length = common_prefix_length(encoded, keep=1)
        self._recent_prompts.append((self._active_adapter, encoded[0]))
        shortest = min(len(ids) for ids in encoded)
        usable = [
            key
            for key in self._prefixes
            if key[0] == self._active_adapter
            and len(key[1]) < shortest
            and all(tuple(ids[: len(key[1])]) == key[1] for ids in encoded)
        ]
        best = max(usable, key=lambda k: len(k[1]), default=None)
        if best is None or length >= len(best[1]) + PREFIX_GAIN:
            if length < MIN_SHARED_PREFIX:
                return 0, None
            best = (self._active_adapter, tuple(encoded[0][:length]))
            prefix = torch.tensor([list(best[1])], device=self.device)
            self._prefixes[best] = output_cache(model(input_ids=prefix, use_cache=True, logits_to_keep=1))
            while len(self._prefixes) > MAX_CACHED_PREFIXES:
                self._prefixes.popitem(last=False)
        self._prefixes.move_to_end(best)
        return len(best[1]), copy.deepcopy(self._prefixes[best]) if copy_cache else self._prefixes[best]

    def _score_tree(self, model: Any, encoded: list[list[int]], tree: LabelTree) -> Any:
        """Constrained log-probabilities of every label (rows: prompts), in one forward pass.

        The rows are packed end to end in one sequence after the cached prefix, each row
        ``[the prompt's own tokens][trie nodes]`` (:mod:`.packed_attention`): no padding, and
        the prefix's keys and values are read in place, not copied per row. Each prompt token
        sees the prefix and the row's tokens before it, each trie node the prefix, its whole
        prompt and its ancestors; positions are explicit, so each row computes what it would
        alone.
        """
        import torch

        from mail2ticket.engines.attention import (
            PackedRows,
            packed_implementation,
            row_mask,
        )

        decoder, head = decoder_and_head(model)
        groups = decoder.config.num_attention_heads // decoder.config.num_key_value_heads
        model_dtype = next(model.parameters()).dtype
        prefix, cache = self._prefix_cache(model, encoded, copy_cache=False)  # read, never extended
        nodes = len(tree.tokens)
        trie = torch.zeros((nodes, nodes), dtype=torch.bool)
        for node, ancestors in enumerate(tree.ancestors):
            trie[node, list(ancestors)] = True
        node_depths = torch.tensor(tree.depths, dtype=torch.long)
        node_tokens = torch.tensor(tree.tokens, dtype=torch.long)
        tokens, positions, spans, masks, reads = [], [], [], [], []
        start = 0
        for ids in encoded:
            tail = torch.tensor(ids[prefix:], dtype=torch.long)
            own = len(tail)
            length = own + nodes
            visible = torch.zeros((length, prefix + length), dtype=torch.bool)
            visible[:, :prefix] = True  # everyone sees the instructions
            visible[:own, prefix : prefix + own] = torch.ones(own, own, dtype=torch.bool).tril()
            visible[own:, prefix : prefix + own] = True  # the nodes see the whole e-mail
            visible[own:, prefix + own :] = trie  # and their ancestors
            tokens += [tail, node_tokens]  # the rows' own tokens, then the same trie for each
            positions += [torch.arange(prefix, prefix + own), prefix + own + node_depths]
            spans.append((start, start + length))
            masks.append(row_mask(visible, groups, model_dtype, self.device))
            reads.append(torch.arange(start + own - 1, start + length))
            start += length
        with packed_implementation(decoder.config):
            hidden = decoder(
                input_ids=torch.cat(tokens)[None].to(self.device),
                position_ids=torch.cat(positions)[None].to(self.device),
                use_cache=False,
                packed_rows=PackedRows(spans, masks, cache),
            ).last_hidden_state[0]
        hidden = hidden[torch.stack(reads).to(self.device)]  # [n, 1 + nodes]: last prompt position, each node
        steps = [
            torch.log_softmax(choice_logits(head, hidden[:, c.source + 1], c.tokens), dim=-1) for c in tree.choices
        ]
        scores = torch.zeros((len(encoded), len(tree.paths)), device=hidden.device)
        for label, path in enumerate(tree.paths):
            for choice_index, option in path:
                scores[:, label] += steps[choice_index][:, option]
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
                ids = torch.tensor([self._encode(prompt)], device=self.device)
                inputs = {"input_ids": ids, "attention_mask": torch.ones_like(ids)}
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

        The grammar comes from xgrammar (:mod:`mail2ticket.engines.grammar`): at every step the tokens that
        cannot continue a schema-valid document are masked, so enum values, ISO date formats,
        property names and the JSON syntax itself are guaranteed whatever the e-mail says (a
        prompt injection can change values, never the format). Output is compact (no free
        whitespace) so the token budget goes to values.

        ``max_new_tokens`` bounds the work per e-mail. When the budget runs out mid-document,
        the result is the longest prefix that still closes into a schema-valid object (the
        fields completed so far), else ``{}`` — valid for every taxonomy schema, whose fields
        are all optional. A schema with required properties has no such fallback: running out
        of budget on it raises :class:`~mail2ticket.engines.base.ExtractionBudgetError` rather
        than returning something invalid.

        Prompts run ``batch_size`` at a time. Prompts of one agent share their instructions
        (most of their tokens): that prefix runs once per batch and its key/value cache is
        shared by every row, as in :meth:`classify`.
        """
        import torch

        if max_new_tokens < 1:
            raise ValueError("max_new_tokens must be at least 1")
        compiled = self._grammars.get(json_schema)[1]
        results: list[dict] = []
        with self._lock, torch.inference_mode():
            model = self._use_adapter(adapter)
            for start in range(0, len(prompts), batch_size):
                encoded = [self._encode(p) for p in prompts[start : start + batch_size]]
                for text in self._constrained_decode(model, encoded, compiled, max_new_tokens):
                    results.append(closed_object(compiled, text))
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
        prefix, cache = self._prefix_cache(model, encoded)
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
            **cache_argument(cache),
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
                **cache_argument(output_cache(out)),
                use_cache=True,
            )
            next_position += 1
        return [
            self.tokenizer.decode(ids, skip_special_tokens=True, clean_up_tokenization_spaces=False)
            for ids in generated
        ]

    def _encode(self, prompt: str) -> list[int]:
        """The prompt's token ids, refused when the model cannot take that many."""
        ids = self.tokenizer.encode(prompt, add_special_tokens=False)
        if self.max_model_len and len(ids) > self.max_model_len:
            raise ValueError(
                f"a prompt of {len(ids)} tokens is longer than the model's context of {self.max_model_len} tokens"
            )
        return ids

    def _stop_token_ids(self) -> list[int]:
        """Tokens that end an answer: the chat template's end of turn (the tokenizer's eos)."""
        return [self.tokenizer.eos_token_id]


def choice_logits(head: Any, hidden: Any, tokens: Sequence[int]) -> Any:
    """The logits of ``tokens`` alone at these hidden states (float32).

    A choice needs the logits of the few tokens that continue some label, not of the whole
    vocabulary: the embedded model's head is 49k tokens wide, and its batched product over every
    fed node was a twentieth of a classification on a CPU (PyTorch profiler). The head's rows
    of these tokens give the same values. It assumes the head is all the model does to its
    hidden states, as in Llama and Qwen2 (as :func:`mail2ticket.training.batching.answer_loss` does).
    The product runs in float32 whatever the model's type: a bfloat16 logit near 20 is only
    known to 1/8, and the few rows cost nothing to upcast.
    """
    import torch

    index = torch.tensor(list(tokens), device=head.weight.device)
    bias = head.bias[index].float() if head.bias is not None else None
    return torch.nn.functional.linear(hidden.float(), head.weight[index].float(), bias)


__all__ = ["TransformersEngine", "choice_logits"]
