"""The agents: a ``Classifier`` and the extractor agents, over the shared ``Engine``.

The paper's architecture (section 4) has N+1 agents: one classifier, then one extractor per
category, called by an orchestrator (here the ``Gateway``). An agent is a prompt, a JSON
Schema and an adapter reference; it holds no weights. It renders its prompt with the model's
chat template (the tokenizer comes from the Engine once, at start) and sends it to the Engine.

Extractors: one multiplexed deployment, not one deployment per category. Each category keeps
its own agent (instructions, schema, few-shot examples, validation, all from
``taxonomy.yaml``), but the N agents live in one ``Extractor`` deployment that picks the
category's agent per request, because:

* an agent is data, not a model: the compute is in the Engine, which every agent shares
  anyway, so N deployments would add N processes (each with a tokenizer and a CPU reservation,
  which 2 cores cannot give) without adding any capacity;
* categories are very unbalanced (the paper's Table 1): per-category replicas would sit idle
  while one is saturated, whereas one deployment scales with the total traffic;
* adding a category stays a YAML change plus a retraining: no new deployment in the Serve
  config or the Helm chart;
* the cost is that an extractor cannot be scaled or rolled out alone; when one needs its own
  fine-tuned adapter, it is an adapter reference in its agent, still served by the same Engine
  (multi-LoRA), so the deployment does not need to change.
"""

from __future__ import annotations

import asyncio
import logging
import time
from typing import Any

from ray import serve
from ray.serve.handle import DeploymentHandle

from mail2ticket.classical import ADAPTER_SUBDIR, ClassicalClassifier, ClassicalError, Routing
from mail2ticket.extraction import ExtractionAgent, agents_for, parsed_fields
from mail2ticket.extraction.taggers import FieldTaggers, adapter_taggers, model_schema
from mail2ticket.extraction.tagging import TaggerError
from mail2ticket.prompts import classification_prompt
from mail2ticket.registry.adapters import AdapterError, read_metadata, resolve_adapter
from mail2ticket.taxonomy import UNKNOWN, load_taxonomy
from serving.model_state import ModelState
from serving.settings import AppSettings, engine_handle

logger = logging.getLogger("ray.serve")


class _Agent:
    """What both agents hold: the settings, the Engine they call, the taxonomy and the tokenizer."""

    settings: AppSettings

    async def _connect(self, engine: DeploymentHandle | None, settings: dict[str, Any]) -> None:
        self.settings = AppSettings.model_validate(settings)
        self.engine = engine_handle(engine, self.settings)
        self.taxonomy = load_taxonomy()
        self.tokenizer = await self.engine.tokenizer.remote()


@serve.deployment(name="Classifier", max_ongoing_requests=64, ray_actor_options={"num_cpus": 0.1})
class Classifier(_Agent):
    """The classification agent: the category, its probability, who answered, and whether a human must look.

    Who answers is ``agents.classifier``: the LLM (through the Engine), the classical model that
    ships in the adapter folder (here, in a millisecond), or the cascade of the two. Confidences
    are calibrated and review thresholds come from the adapter's calibration when it has one.
    """

    async def __init__(self, engine: DeploymentHandle | None, settings: dict[str, Any]) -> None:
        await self._connect(engine, settings)
        self.labels = self.taxonomy.labels_with_unknown
        self._companions: dict[str | None, tuple[ClassicalClassifier | None, Routing]] = {}
        self._loading = asyncio.Lock()

    async def _companions_of(self, state: ModelState) -> tuple[ClassicalClassifier | None, Routing]:
        """The classical model and routing of the served adapter, read once per adapter."""
        key = state.adapter
        if key not in self._companions:
            async with self._loading:
                if key not in self._companions:
                    classical, routing, lasting = await asyncio.to_thread(self._load_companions, key)
                    if not lasting:  # the registry did not answer: the LLM answers, and the next request retries
                        return classical, routing
                    self._companions[key] = (classical, routing)
        return self._companions[key]

    def _load_companions(self, adapter: str | None) -> tuple[ClassicalClassifier | None, Routing, bool]:
        """The adapter's classical model and routing, and whether that answer lasts (False: retry later)."""
        kind = self.settings.agents.classifier
        if adapter is None:  # the bare base model: nothing was trained, the LLM answers
            return None, Routing(kind="llm"), True
        try:
            folder = resolve_adapter(adapter)  # in the local cache already: the Engine resolved it first
        except AdapterError as exc:
            logger.warning("%s: %s; the LLM answers until it can be read", adapter, exc.message)
            return None, Routing(kind="llm"), False
        routing = Routing.from_metadata(read_metadata(folder), kind)
        if kind == "llm":
            return None, routing, True
        try:
            return ClassicalClassifier.load(folder / ADAPTER_SUBDIR, self.taxonomy), routing, True
        except ClassicalError as exc:  # an adapter trained before the classical model shipped with it
            logger.warning("%s: %s; the LLM answers every e-mail", adapter, exc)
            return None, Routing(kind="llm", llm=routing.llm), True

    async def review_thresholds(self, state: ModelState) -> dict[str, Any]:
        """The thresholds in force for ``state``'s model: per model that may answer, per category, and why.

        In a cascade either model may answer, each with its own calibration, so each has its
        thresholds; ``first`` is the model asked first (whose thresholds apply to most tickets).
        A threshold's source is ``override`` (``agents.review_thresholds``), ``calibrated`` (the
        adapter's calibration) or ``taxonomy`` (its static value, for an uncalibrated model).
        """
        classical, routing = await self._companions_of(state)
        models = ["classical"] if classical is not None else []
        if routing.kind != "classical" or classical is None:
            models.append("llm")
        overrides = self.settings.agents.review_thresholds
        names = [category.name for category in self.taxonomy.categories]  # ``unknown`` too: always reviewed
        by_model: dict[str, dict[str, dict[str, Any]]] = {}
        for model in models:
            calibration = routing.calibration_of(model)
            source = "calibrated" if calibration is not None else "taxonomy"
            by_model[model] = {
                c: {
                    "threshold": self.settings.threshold(c, calibration),
                    "source": "override" if c in overrides else source,
                }
                for c in names
            }
        return {"mode": routing.kind, "first": models[0], "by_model": by_model}

    async def classify(self, email: str, state: ModelState) -> dict[str, Any]:
        """Classify with the model of ``state`` (the one captured when the request arrived)."""
        started = time.perf_counter()
        classical, routing = await self._companions_of(state)
        scores: dict[str, float] = {}
        answered_by = "llm"
        result: dict[str, Any] = {"engine_ms": 0.0, "batch": None, "replica": None}
        if classical is not None:
            raw_classical = classical.predict_proba([email])[0]
            first = routing.classical.apply(raw_classical) if routing.classical else raw_classical
            if routing.classical_answers(max(first.values())):
                scores, answered_by = first, "classical"
        if not scores:
            prompt = classification_prompt(self.tokenizer, email, self.taxonomy, state.prompt_style)  # type: ignore[arg-type]
            result = await self.engine.classify.remote(prompt, self.labels, state.adapter)
            raw = {k: float(v) for k, v in result["output"].items() if k in self.labels}
            scores = routing.llm.apply(raw) if routing.llm else raw
        category = max(scores, key=scores.__getitem__) if scores else UNKNOWN
        confidence = scores.get(category, 0.0)
        threshold = self.settings.threshold(category, routing.calibration_of(answered_by))
        return {
            "category": category,
            "confidence": round(confidence, 6),
            "needs_review": category == UNKNOWN or confidence < threshold,
            "review_threshold": threshold,
            "answered_by": answered_by,
            "mode": routing.kind,
            "scores": {k: round(v, 6) for k, v in sorted(scores.items(), key=lambda kv: -kv[1])},
            "engine_ms": result["engine_ms"],
            "batch": result["batch"],
            "engine_replica": result["replica"],
            "agent_ms": round(1000 * (time.perf_counter() - started), 1),
        }


@serve.deployment(name="Extractor", max_ongoing_requests=64, ray_actor_options={"num_cpus": 0.1})
class Extractor(_Agent):
    """The N extractor agents of the taxonomy in one deployment (see the module docstring)."""

    async def __init__(self, engine: DeploymentHandle | None, settings: dict[str, Any]) -> None:
        await self._connect(engine, settings)
        self.agents: dict[str, ExtractionAgent] = {}
        if self.settings.agents.extraction:
            self.agents = agents_for(self.taxonomy)  # keyed by category name
        self._taggers: dict[str, FieldTaggers | None] = {}

    async def _taggers_of(self, adapter: str | None) -> FieldTaggers | None:
        """The taggers the extraction adapter ships, read once per adapter (None: the model answers every field)."""
        if adapter is None:
            return None
        if adapter not in self._taggers:
            try:
                folder = await asyncio.to_thread(resolve_adapter, adapter)  # cached: the Engine resolved it first
                self._taggers[adapter] = await asyncio.to_thread(adapter_taggers, str(folder))
            except AdapterError as exc:  # the registry did not answer: the model's fields, and the next request retries
                logger.warning("%s: %s; the model answers every field until it can be read", adapter, exc.message)
                return None
            except TaggerError as exc:
                logger.warning("%s: %s; the model answers every field", adapter, exc)
                self._taggers[adapter] = None
        return self._taggers[adapter]

    def has_agent(self, category: str) -> bool:
        """Whether ``category`` has an extractor with fields to fill."""
        agent = self.agents.get(category)
        return agent is not None and bool(agent.fields)

    async def extract(
        self,
        email: str,
        category: str,
        received_at: str | None,
        subject: str | None = None,
        adapter: str | None = None,
    ) -> dict[str, Any]:
        """The category's fields, schema-valid and normalised (ISO dates relative to ``received_at``, ISO 8601).

        A monitoring or backup notification of the category is read by its parser (exact, no
        engine call); the trained extractor answers everything else: the extraction ``adapter`` of
        the request's model state (None: the bare base model and the agent's prompt) for the
        fields its taggers do not cover, the taggers for the rest (no engine call when they cover
        them all). ``answered_by`` says which did (``model`` for the adapter and its taggers).
        """
        started = time.perf_counter()
        if not self.has_agent(category):
            return {"fields": {}, "agent": None, "answered_by": None, "engine_ms": 0.0, "agent_ms": 0.0}
        agent = self.agents[category]
        parsed = parsed_fields(agent, email, received_at, subject) if self.settings.agents.alert_parsers else None
        if parsed is not None:
            fields, answered_by, engine_ms = parsed.fields, parsed.answered_by, 0.0
        else:
            taggers = await self._taggers_of(adapter)
            schema = model_schema(taggers, agent)
            answer, engine_ms = {}, 0.0
            if schema["properties"]:  # the fields no tagger covers
                prompt = agent.prompt(self.tokenizer, email, received_at)
                budget = self.settings.agents.extract_max_new_tokens
                result = await self.engine.extract.remote(prompt, schema, adapter, budget)
                answer, engine_ms = result["output"], result["engine_ms"]
            fields = agent.finalize_answer(answer, received_at, email)  # copied values checked against it
            if taggers is not None:
                fields = await asyncio.to_thread(taggers.fill, agent, email, received_at, fields)
            answered_by = "model"
        return {
            "fields": fields,
            "agent": agent.key,
            "answered_by": answered_by,
            "engine_ms": engine_ms,
            "agent_ms": round(1000 * (time.perf_counter() - started), 1),
        }


__all__ = ["Classifier", "Extractor"]
