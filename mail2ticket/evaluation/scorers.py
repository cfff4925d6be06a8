"""The classifiers an evaluation compares, behind one call: e-mails in, label probabilities out.

* :class:`LLMScorer`: base model (+ adapter) through an engine, every label scored;
* :class:`ClassicalScorer`: the TF-IDF + linear model;
* :class:`CascadeScorer`: the classical model where it is sure, the LLM elsewhere
  (:class:`~mail2ticket.classical.Routing`, the same rule serving applies).

Each returns, per e-mail, calibrated probabilities when a calibration is given, and the name of
the model that answered, so evaluation reports the automation rate under the thresholds of the
model that actually answered.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol

from mail2ticket.calibration import Calibration
from mail2ticket.classical import ClassicalClassifier, Routing
from mail2ticket.prompts import PromptStyle, classification_prompt
from mail2ticket.taxonomy import Taxonomy


@dataclass(frozen=True)
class Scored:
    """One e-mail's label probabilities and the model that produced them."""

    probabilities: dict[str, float]
    model: str


class Scorer(Protocol):
    """E-mails in, one :class:`Scored` per e-mail out."""

    name: str

    def __call__(self, emails: Sequence[str]) -> list[Scored]: ...

    def calibration_of(self, model: str) -> Calibration | None: ...


def _calibrated(rows: list[dict[str, float]], calibration: Calibration | None) -> list[dict[str, float]]:
    return [calibration.apply(row) for row in rows] if calibration else rows


class LLMScorer:
    """The base model, with an adapter or zero-shot, scoring every label through an engine."""

    name = "llm"

    def __init__(
        self,
        engine: Any,
        taxonomy: Taxonomy,
        adapter: str | None = None,
        prompt_style: PromptStyle = "full",
        calibration: Calibration | None = None,
    ) -> None:
        self.engine, self.taxonomy, self.adapter = engine, taxonomy, adapter
        self.prompt_style, self.calibration = prompt_style, calibration

    def probabilities(self, emails: Sequence[str]) -> list[dict[str, float]]:
        """Raw (uncalibrated) probabilities of every label."""
        prompts = [classification_prompt(self.engine.tokenizer, e, self.taxonomy, self.prompt_style) for e in emails]
        return [
            dict(row) for row in self.engine.classify(prompts, self.taxonomy.labels_with_unknown, adapter=self.adapter)
        ]

    def __call__(self, emails: Sequence[str]) -> list[Scored]:
        return [Scored(row, self.name) for row in _calibrated(self.probabilities(emails), self.calibration)]

    def calibration_of(self, model: str) -> Calibration | None:
        return self.calibration


class ClassicalScorer:
    """The TF-IDF + linear model."""

    name = "classical"

    def __init__(self, model: ClassicalClassifier, calibration: Calibration | None = None) -> None:
        self.model, self.calibration = model, calibration

    def __call__(self, emails: Sequence[str]) -> list[Scored]:
        return [Scored(row, self.name) for row in _calibrated(self.model.predict_proba(emails), self.calibration)]

    def calibration_of(self, model: str) -> Calibration | None:
        return self.calibration


class CascadeScorer:
    """The classical model where its calibrated confidence clears the routing's threshold, else the LLM."""

    name = "cascade"

    def __init__(self, classical: ClassicalScorer, llm: LLMScorer, routing: Routing) -> None:
        self.classical, self.llm, self.routing = classical, llm, routing

    def __call__(self, emails: Sequence[str]) -> list[Scored]:
        first = self.classical(emails)
        unsure = [i for i, s in enumerate(first) if not self.routing.classical_answers(max(s.probabilities.values()))]
        second = self.llm([emails[i] for i in unsure]) if unsure else []
        scored = list(first)
        for index, answer in zip(unsure, second, strict=True):
            scored[index] = answer
        return scored

    def calibration_of(self, model: str) -> Calibration | None:
        return self.routing.calibration_of(model)


__all__ = ["CascadeScorer", "ClassicalScorer", "LLMScorer", "Scored", "Scorer"]
