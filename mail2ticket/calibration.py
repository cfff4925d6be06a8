"""Calibrated confidences and per-category review thresholds, fitted on a validation split.

A ticket is accepted without review when its confidence clears its category's threshold. The
taxonomy's static thresholds say nothing about a given model: a fine-tuned LLM is
over-confident, a TF-IDF model under-confident. So the pipeline fits, on e-mails neither model
trained on:

* a temperature (one scalar, the classic post-hoc calibration: it rescales the log-probabilities
  so their softmax minimises the validation negative log-likelihood and leaves the ranking, hence
  accuracy, unchanged);
* per category, the lowest threshold at which the tickets accepted into that category reach a
  target precision (0.95 by default); a category with too few validation answers to tell gets the
  threshold of all categories pooled, and ``unknown`` is always reviewed.

The result travels in the adapter's metadata; serving uses it instead of the taxonomy's values.
The automation rate (share of e-mails accepted) and the precision of what was accepted are the
headline figures of an evaluation.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import asdict, dataclass, field
from typing import Any

from mail2ticket.taxonomy import UNKNOWN, Taxonomy

#: Below this many validation answers in a category, its threshold is the pooled one.
MIN_ANSWERS_PER_CATEGORY = 8
#: A threshold that nothing clears: the category is always reviewed.
ALWAYS_REVIEW = 1.01


@dataclass(frozen=True)
class Calibration:
    """A fitted temperature and the per-category thresholds that reach ``target_precision``.

    Attributes:
        temperature: Divides the log-probabilities before the softmax (1.0: unchanged).
        thresholds: Calibrated confidence a ticket of each category needs to skip review.
        target_precision: Precision of the accepted tickets the thresholds were chosen for.
        validation_examples: E-mails the calibration was fitted on.
        validation_automation_rate: Share of those e-mails accepted without review.
        validation_accepted_precision: Precision of what was accepted among them.
    """

    temperature: float
    thresholds: dict[str, float]
    target_precision: float
    validation_examples: int
    validation_automation_rate: float = 0.0
    validation_accepted_precision: float = 0.0

    def apply(self, probabilities: dict[str, float]) -> dict[str, float]:
        """Probabilities rescaled by the fitted temperature."""
        return apply_temperature(probabilities, self.temperature)

    def threshold(self, label: str, default: float = ALWAYS_REVIEW) -> float:
        """The review threshold of ``label`` (``unknown`` is always reviewed)."""
        return ALWAYS_REVIEW if label == UNKNOWN else self.thresholds.get(label, default)

    def to_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Calibration:
        return cls(**{k: data[k] for k in cls.__dataclass_fields__ if k in data})


def review_threshold(taxonomy: Taxonomy, calibration: Calibration | None, label: str) -> float:
    """The confidence a ``label`` answer needs to skip review: calibrated when known, else the taxonomy's."""
    if calibration is not None:
        return calibration.threshold(label)
    return taxonomy.category(label).review_threshold


def apply_temperature(probabilities: dict[str, float], temperature: float) -> dict[str, float]:
    """``softmax(log p / T)`` over the labels of ``probabilities``."""
    if temperature == 1.0 or not probabilities:
        return dict(probabilities)
    logs = {label: math.log(max(p, 1e-12)) / temperature for label, p in probabilities.items()}
    top = max(logs.values())
    exp = {label: math.exp(v - top) for label, v in logs.items()}
    total = sum(exp.values())
    return {label: v / total for label, v in exp.items()}


def fit_temperature(probabilities: Sequence[dict[str, float]], truths: Sequence[str]) -> float:
    """The temperature that minimises the negative log-likelihood of ``truths`` (bounded search)."""
    from scipy.optimize import minimize_scalar

    pairs = [(p, t) for p, t in zip(probabilities, truths, strict=True) if t in p]
    if len(pairs) < 2:
        return 1.0

    def nll(log_t: float) -> float:
        t = math.exp(log_t)
        return -sum(math.log(max(apply_temperature(p, t)[truth], 1e-12)) for p, truth in pairs) / len(pairs)

    found = minimize_scalar(nll, bounds=(math.log(0.05), math.log(20.0)), method="bounded")
    return float(math.exp(found.x))


@dataclass
class Answers:
    """What a classifier answered on labelled e-mails: label, confidence and truth per e-mail."""

    predicted: list[str] = field(default_factory=list)
    confidence: list[float] = field(default_factory=list)
    truth: list[str] = field(default_factory=list)

    @classmethod
    def of(cls, probabilities: Sequence[dict[str, float]], truths: Sequence[str]) -> Answers:
        answers = cls()
        for row, truth in zip(probabilities, truths, strict=True):
            label = max(row, key=row.get)  # type: ignore[arg-type]
            answers.predicted.append(label)
            answers.confidence.append(float(row[label]))
            answers.truth.append(truth)
        return answers


def _lowest_threshold(pairs: list[tuple[float, bool]], target: float) -> float | None:
    """The lowest confidence whose accepted set (confidence >= it) reaches ``target`` precision."""
    pairs = sorted(pairs, key=lambda item: -item[0])
    best, correct = None, 0
    for index, (confidence, right) in enumerate(pairs, start=1):
        correct += right
        next_confidence = pairs[index][0] if index < len(pairs) else None
        if next_confidence == confidence:
            continue  # ties are accepted together
        if correct / index >= target:
            best = confidence
    return best


def review_thresholds(answers: Answers, target_precision: float, labels: Sequence[str]) -> dict[str, float]:
    """Per category, the lowest threshold whose accepted tickets reach ``target_precision``."""
    by_label: dict[str, list[tuple[float, bool]]] = {}
    for label, confidence, truth in zip(answers.predicted, answers.confidence, answers.truth, strict=True):
        by_label.setdefault(label, []).append((confidence, label == truth))
    pooled_pairs = [pair for label, pairs in by_label.items() if label != UNKNOWN for pair in pairs]
    pooled = _lowest_threshold(pooled_pairs, target_precision)
    thresholds = {}
    for label in labels:
        if label == UNKNOWN:
            continue
        pairs = by_label.get(label, [])
        found = _lowest_threshold(pairs, target_precision) if len(pairs) >= MIN_ANSWERS_PER_CATEGORY else pooled
        thresholds[label] = found if found is not None else ALWAYS_REVIEW
    # Rounded down: a threshold rounded up could exclude the very answers it was chosen to accept.
    return {label: math.floor(value * 1e6) / 1e6 for label, value in thresholds.items()}


def automation(answers: Answers, threshold_of: Any) -> tuple[float, float]:
    """(automation rate, precision of the accepted tickets) under ``threshold_of(label)``."""
    accepted = [
        predicted == truth
        for predicted, confidence, truth in zip(answers.predicted, answers.confidence, answers.truth, strict=True)
        if predicted != UNKNOWN and confidence >= threshold_of(predicted)
    ]
    if not answers.predicted:
        return 0.0, 0.0
    rate = len(accepted) / len(answers.predicted)
    return rate, (sum(accepted) / len(accepted) if accepted else 0.0)


def calibrate(
    probabilities: Sequence[dict[str, float]],
    truths: Sequence[str],
    labels: Sequence[str],
    target_precision: float = 0.95,
) -> Calibration:
    """Fit the temperature, then the thresholds on the rescaled confidences."""
    if not 0.0 < target_precision <= 1.0:
        raise ValueError(f"target precision must be in (0, 1], got {target_precision}")
    temperature = fit_temperature(probabilities, truths)
    scaled = [apply_temperature(p, temperature) for p in probabilities]
    answers = Answers.of(scaled, truths)
    thresholds = review_thresholds(answers, target_precision, labels)
    rate, precision = automation(answers, lambda label: thresholds.get(label, ALWAYS_REVIEW))
    return Calibration(round(temperature, 6), thresholds, target_precision, len(truths), round(rate, 6),
                       round(precision, 6))  # fmt: skip


def cascade_threshold(
    classical: Sequence[dict[str, float]], llm: Sequence[dict[str, float]], truths: Sequence[str]
) -> float:
    """The classical confidence above which the classical model answers, the LLM below.

    Chosen to maximise the cascade's accuracy on the validation e-mails; among equally good
    thresholds the lowest: the LLM answers only where it was seen to do better. Validation
    e-mails come from the generator the classical model fits almost perfectly, so many
    thresholds tie there; the highest of them sent the LLM e-mails it then got wrong on
    hand-written mail, at twenty times the classical model's cost.
    """
    classical_answers, llm_answers = Answers.of(classical, truths), Answers.of(llm, truths)
    candidates = sorted({0.0, *classical_answers.confidence, 1.01})
    best_threshold, best_correct = 1.01, -1
    for threshold in candidates:
        correct = sum(
            (c_label == truth) if c_conf >= threshold else (l_label == truth)
            for c_label, c_conf, l_label, truth in zip(
                classical_answers.predicted, classical_answers.confidence, llm_answers.predicted, truths, strict=True
            )
        )
        if correct > best_correct:
            best_threshold, best_correct = threshold, correct
    return math.floor(best_threshold * 1e6) / 1e6  # rounded down, as the review thresholds


__all__ = [
    "ALWAYS_REVIEW",
    "MIN_ANSWERS_PER_CATEGORY",
    "Answers",
    "Calibration",
    "apply_temperature",
    "automation",
    "calibrate",
    "cascade_threshold",
    "fit_temperature",
    "review_threshold",
    "review_thresholds",
]
