"""The shared ``Engine`` deployment: one base model, every adapter, every agent's requests.

Agents are prompts, schemas and adapter references; the weights live here once: on a GPU one
vLLM engine per A10 serves the classifier adapter and every extractor, on a CPU the transformers
engine does the same, both built by :func:`mail2ticket.engines.make_engine`. Requests from all
agents meet in this process: ``@serve.batch`` collects the classification requests that arrive
within ``batch_wait_timeout_s`` and scores them in one engine call (on a GPU, where a batch
costs little more than one row, this is what makes batching pay; on a CPU a packed batch of 8
runs 1.15-1.4x faster per e-mail than one, provided the wait outlasts a reply's round trip
through the graph; on both, the larger gain is the instructions every prompt starts with, whose
key/value cache both engines keep across calls: the transformers engine per adapter, vLLM by
prefix caching). Extraction requests are batched the same way, per JSON Schema.

Engine calls are blocking (a forward pass), so they run in a worker thread: the replica's event
loop stays free to accept the next requests and fill the next batch meanwhile. One batch of
each kind runs at a time; the engine's own lock serialises the two kinds. On a CPU the shipped
config runs two replicas of one thread each rather than one of two threads (the reasons are in
serving/config.yaml); every result names the replica that computed it, for the audit log.
How many requests a replica runs and queues follows from the batching settings
(:meth:`serving.settings.BatchingSettings.engine_options`, applied by :mod:`serving.app`).
The size of every engine call is recorded in the ``mail2ticket_engine_batch_size`` metric
(:mod:`serving.metrics`): how full the batches actually are, which the settings only bound.
"""

from __future__ import annotations

import asyncio
import functools
import json
import logging
import os
import time
from collections.abc import Sequence
from typing import Any

from ray import serve

from mail2ticket.engines import make_engine
from mail2ticket.registry.adapters import (
    AdapterError,
    AdapterKind,
    checked_metadata,
    registry_ref,
    resolve_adapter,
    version_by_alias,
)
from mail2ticket.taxonomy import load_taxonomy
from serving.audit import utc_now
from serving.metrics import EngineMetrics
from serving.model_state import ChampionError, ExtractorState, ModelState, base_state
from serving.settings import AppSettings, BatchingSettings

logger = logging.getLogger("ray.serve")

#: The batching defaults the decorators start from; every replica sets its own settings' at start.
_BATCHING = BatchingSettings()
#: Adapter references resolved to local folders, per replica (a reload adds one).
_RESOLVED_REFERENCES = 32


def _cpu_count() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except AttributeError:  # pragma: no cover - not Linux
        return os.cpu_count() or 1


@serve.deployment(name="Engine", ray_actor_options={"num_cpus": 1.0})
class Engine:
    """Base model + LoRA adapters behind the engine interface, batched across requests."""

    def __init__(self, settings: dict[str, Any]) -> None:
        self.settings = s = AppSettings.model_validate(settings)
        if s.engine.kind == "transformers":
            import torch

            torch.set_num_threads(s.engine.torch_threads or _cpu_count())
        self.taxonomy = load_taxonomy()
        self.engine = make_engine(s.engine.kind, s.engine.base_model, **s.engine.constructor_options())
        self.model_dir = self.engine.model_dir
        logger.info("engine %s on %s, dtype %s", s.engine.kind, s.engine.base_model, self.engine.dtype)
        # Reference -> local folder; a failed resolution is not remembered (the next call retries it).
        self._local = functools.lru_cache(maxsize=_RESOLVED_REFERENCES)(self._resolve_reference)
        # Named in every result, so the audit log says which replica answered (a CPU runs two).
        self.replica = serve.get_replica_context().replica_id.unique_id
        self.metrics = EngineMetrics()
        for batcher in (self._classify_batch, self._extract_batch):
            batcher.set_max_batch_size(s.batching.max_batch_size)
            batcher.set_batch_wait_timeout_s(s.batching.batch_wait_timeout_s)

    # ------------------------------------------------------------------ model state

    def tokenizer(self) -> Any:
        """The tokenizer (picklable): agents render prompts with the model's own chat template."""
        return self.engine.tokenizer

    def base(self, reason: str, prompt_style: str = "full") -> ModelState:
        """The bare base model, for a Gateway that has no adapter to serve."""
        e = self.settings.engine
        return base_state(e.base_model, e.kind, self.taxonomy, reason, utc_now(), prompt_style, self.engine.dtype)  # type: ignore[arg-type]

    async def resolve(self, registered_model: str, alias: str, pinned: str | None = None) -> ModelState | ChampionError:
        """The adapter to serve now (``pinned``, else the registry alias), loaded and warmed up.

        The caller's settings say which adapter: the Engine only serves models, so several
        Gateways with their own policies can share it. When there is none or it cannot be
        served, the :class:`ChampionError` is returned, not raised (an expected outcome, not a
        failed request in Serve's logs); the caller decides: at start, the base model; on
        reload, keep what is served.
        """
        try:
            return await asyncio.to_thread(self._resolve, registered_model, alias, pinned)
        except ChampionError as exc:
            return exc

    def _resolve(self, registered_model: str, alias: str, pinned: str | None) -> ModelState:
        e = self.settings.engine
        adapter, metadata = self._checked(registered_model, alias, pinned, "classifier")
        return ModelState(
            **adapter,
            base_model=e.base_model,
            engine=e.kind,
            dtype=self.engine.dtype,
            prompt_style=metadata.get("prompt_style", "full"),
            prompt_version=metadata.get("prompt_version", ""),
            taxonomy_version=metadata.get("taxonomy_version", self.taxonomy.version),
        )

    async def resolve_extractor(
        self, registered_model: str, alias: str, pinned: str | None = None
    ) -> ExtractorState | ChampionError:
        """The extraction agents' adapter to use now (``pinned``, else the registry alias), loaded and warmed up.

        As :meth:`resolve`, a :class:`ChampionError` is returned, not raised: until a first
        extraction adapter is promoted, the agents run on the base model with their prompts.
        """
        try:
            return await asyncio.to_thread(self._resolve_extractor, registered_model, alias, pinned)
        except ChampionError as exc:
            return exc

    def _resolve_extractor(self, registered_model: str, alias: str, pinned: str | None) -> ExtractorState:
        return ExtractorState(**self._checked(registered_model, alias, pinned, "extractor")[0])

    def _checked(
        self, registered_model: str, alias: str, pinned: str | None, kind: AdapterKind
    ) -> tuple[dict[str, Any], dict[str, Any]]:
        """An adapter of ``kind`` (``pinned``, else the alias's), checked and warmed up.

        Returns the fields of its :class:`~serving.model_state.AdapterState` (how it was chosen,
        its reference and registry version) and its metadata.
        """
        try:
            if pinned:
                adapter: dict[str, Any] = {"serving": "pinned", "adapter": pinned}
            else:
                found = version_by_alias(registered_model, alias)
                adapter = {"serving": "champion", "adapter": registry_ref(registered_model, found.version),
                           "registered_model": registered_model, "alias": alias, "version": found.version,
                           "run_id": found.run_id}  # fmt: skip
            folder = self._local(adapter["adapter"])
            metadata = checked_metadata(folder, self.settings.engine.base_model, self.model_dir, self.taxonomy, kind)
        except AdapterError as exc:
            raise ChampionError.from_adapter_error(exc) from None
        self._warm(adapter["adapter"])
        return {**adapter, "loaded_at": utc_now()}, metadata

    async def warm(self, ref: str) -> str:
        """Load adapter ``ref`` on this replica now (a reload broadcasts it to every Engine replica)."""
        return await asyncio.to_thread(self._warm, ref)

    def _warm(self, ref: str) -> str:
        # Load the adapter before anyone is switched to it: the first request on the new champion
        # must not pay for loading, and a broken adapter must fail here, not in a request.
        try:
            folder = self._local(ref)
        except AdapterError as exc:  # another replica's reference this one cannot fetch (yet)
            raise ChampionError.from_adapter_error(exc) from None
        try:
            self.engine.load_adapter(folder)
        except AdapterError as exc:
            raise ChampionError("incompatible", f"cannot load adapter {ref}: {exc}") from None
        return ref

    def _resolve_reference(self, ref: str) -> str:
        """The local folder of an adapter reference (another replica's reference: fetched on first use)."""
        return str(resolve_adapter(ref))

    # ------------------------------------------------------------------ classification

    async def classify(self, prompt: str, labels: Sequence[str], adapter: str | None) -> dict[str, Any]:
        """Probabilities of ``labels`` as the answer to ``prompt`` (batched with concurrent calls)."""
        return _raise_if_error(await self._classify_batch(prompt, tuple(labels), adapter))

    @serve.batch(max_batch_size=_BATCHING.max_batch_size, batch_wait_timeout_s=_BATCHING.batch_wait_timeout_s)
    async def _classify_batch(
        self, prompts: list[str], labels: list[tuple[str, ...]], adapters: list[str | None]
    ) -> list[dict[str, Any] | Exception]:
        return await asyncio.to_thread(self._run_groups, "classify", prompts, labels, adapters, None)

    # ------------------------------------------------------------------ extraction

    async def extract(
        self, prompt: str, json_schema: dict[str, Any], adapter: str | None, max_new_tokens: int
    ) -> dict[str, Any]:
        """A JSON object conforming to ``json_schema`` (batched with concurrent calls of the same schema)."""
        return _raise_if_error(await self._extract_batch(prompt, json_schema, adapter, max_new_tokens))

    @serve.batch(max_batch_size=_BATCHING.max_batch_size, batch_wait_timeout_s=_BATCHING.batch_wait_timeout_s)
    async def _extract_batch(
        self, prompts: list[str], schemas: list[dict[str, Any]], adapters: list[str | None], budgets: list[int]
    ) -> list[dict[str, Any] | Exception]:
        return await asyncio.to_thread(self._run_groups, "extract", prompts, schemas, adapters, budgets)

    # ------------------------------------------------------------------ shared

    def _run_groups(
        self,
        kind: str,
        prompts: list[str],
        keys: list[Any],
        adapters: list[str | None],
        budgets: list[int] | None,
    ) -> list[dict[str, Any] | Exception]:
        """Run a batch, one engine call per (labels or schema, adapter, budget) group.

        A group that fails (an adapter that cannot be fetched) fails its own requests only;
        the error is returned in place of their results and raised in their callers.
        """
        groups: dict[str, list[int]] = {}
        for i in range(len(prompts)):
            budget = budgets[i] if budgets else None
            groups.setdefault(json.dumps([keys[i], adapters[i], budget], sort_keys=True), []).append(i)
        results: list[dict[str, Any] | Exception] = [RuntimeError("not run")] * len(prompts)
        for rows in groups.values():
            first = rows[0]
            self.metrics.batch(kind, len(rows))
            started = time.perf_counter()
            try:
                adapter = self._local(adapters[first]) if adapters[first] else None
                batch = [prompts[i] for i in rows]
                if kind == "classify":
                    outputs: list[Any] = self.engine.classify(batch, list(keys[first]), adapter=adapter)
                else:
                    outputs = self.engine.extract(
                        batch, keys[first], adapter=adapter, max_new_tokens=budgets[first] if budgets else 256
                    )
            except Exception as exc:  # the callers get it; the replica keeps serving
                for i in rows:
                    results[i] = exc
                continue
            engine_ms = round(1000 * (time.perf_counter() - started), 1)
            for i, output in zip(rows, outputs, strict=True):
                results[i] = {"output": output, "engine_ms": engine_ms, "batch": len(rows), "replica": self.replica}
        return results


def _raise_if_error(result: dict[str, Any] | Exception) -> dict[str, Any]:
    if isinstance(result, Exception):
        raise result
    return result


__all__ = ["Engine"]
