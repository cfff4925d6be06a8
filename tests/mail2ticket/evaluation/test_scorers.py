"""The classifiers an evaluation compares, and the cascade's routing between two of them."""

from __future__ import annotations

from pathlib import Path

import pytest

from mail2ticket.calibration import calibrate
from mail2ticket.classical import ClassicalClassifier, Routing
from mail2ticket.data.corpus import CorpusConfig, CorpusGenerator
from mail2ticket.engines import make_engine
from mail2ticket.evaluation.classification import evaluate_scorer
from mail2ticket.evaluation.scorers import CascadeScorer, ClassicalScorer, LLMScorer
from mail2ticket.taxonomy import UNKNOWN, load_taxonomy

TAXONOMY = load_taxonomy()


@pytest.fixture(scope="module")
def records() -> list[dict[str, str]]:
    tickets = CorpusGenerator(CorpusConfig(tickets=700, seed=8, strategic_share=0.8)).tickets()
    return [{"email": t.first_email, "category": t.category if t.category in TAXONOMY.labels else UNKNOWN,
             "ticket_id": t.number} for t in tickets]  # fmt: skip


@pytest.fixture(scope="module")
def classical(records: list[dict[str, str]]) -> ClassicalScorer:
    model = ClassicalClassifier.fit(records[:600])
    held_out = records[600:690]
    calibration = calibrate(model.predict_proba([r["email"] for r in held_out]),
                            [r["category"] for r in held_out], TAXONOMY.labels_with_unknown)  # fmt: skip
    return ClassicalScorer(model, calibration)


def test_classical_evaluation_reports_automation_under_its_calibrated_thresholds(
    classical: ClassicalScorer, records: list[dict[str, str]]
) -> None:
    result = evaluate_scorer(classical, records[600:], TAXONOMY)
    metrics = result.report.as_metrics()
    assert metrics["accuracy"] > 0.8 and metrics["answered_by_llm"] == 0.0
    accepted = [p for p in result.predictions if not p["needs_review"]]
    assert metrics["automation_rate"] == pytest.approx(len(accepted) / len(result.predictions))
    assert all(p["confidence"] >= classical.calibration.threshold(p["predicted"]) for p in accepted)
    assert {"precision_supervision", "recall_supervision", "f1_supervision"} <= set(metrics)


def test_the_cascade_hands_what_the_classical_model_is_unsure_of_to_the_llm(
    classical: ClassicalScorer, records: list[dict[str, str]], embedded_model_dir: Path
) -> None:
    llm = LLMScorer(make_engine("transformers", embedded_model_dir), TAXONOMY, None, "compact")
    emails = [r["email"] for r in records[690:696]]
    confident = CascadeScorer(classical, llm, Routing(kind="cascade", cascade_threshold=0.0))(emails)
    assert {s.model for s in confident} == {"classical"}
    unsure = CascadeScorer(classical, llm, Routing(kind="cascade", cascade_threshold=1.01))(emails)
    assert {s.model for s in unsure} == {"llm"}
    assert [s.probabilities for s in unsure] == [s.probabilities for s in llm(emails)]
    confidences = sorted(max(s.probabilities.values()) for s in classical(emails))
    middle = (confidences[2] + confidences[3]) / 2
    mixed = CascadeScorer(classical, llm, Routing(kind="cascade", cascade_threshold=middle))(emails)
    by_model = [s.model for s in mixed]
    assert by_model.count("classical") == 3 and by_model.count("llm") == 3
