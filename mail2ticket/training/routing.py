"""What an adapter ships with besides its weights: the classical model and the calibration of both.

Trained in the same step as the adapter, on the same split, so one registered version holds
everything serving needs to answer as the LLM, the classical model or the cascade:

* ``classical/`` in the adapter folder: the TF-IDF + linear model (seconds on the training split);
* ``calibration`` in ``mail2ticket.json``: per model, a temperature and per-category review
  thresholds for a target precision of what is accepted without review, and the cascade's
  threshold, all fitted on the validation split, which neither model trained on.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import Any

from mail2ticket.calibration import calibrate, cascade_threshold
from mail2ticket.classical import ADAPTER_SUBDIR, ClassicalClassifier, ClassicalConfig, Routing
from mail2ticket.classical.cascade import METADATA_KEY
from mail2ticket.engines import make_engine
from mail2ticket.evaluation.scorers import LLMScorer
from mail2ticket.progress import Progress
from mail2ticket.prompts import PromptStyle
from mail2ticket.registry.adapters import read_metadata, write_metadata
from mail2ticket.taxonomy import Taxonomy


def fit_routing(
    adapter_dir: str | Path,
    model_dir: str | Path,
    train_records: Sequence[dict[str, Any]],
    validation_records: Sequence[dict[str, Any]],
    taxonomy: Taxonomy,
    prompt_style: PromptStyle,
    target_precision: float = 0.95,
    classical_config: ClassicalConfig | None = None,
    batch_size: int = 16,
) -> dict[str, float]:
    """Train the classical model into the adapter folder and calibrate both models on validation.

    Returns the figures worth logging (validation automation rates, temperatures, cascade threshold).
    """
    adapter_dir = Path(adapter_dir)
    classical = ClassicalClassifier.fit(train_records, taxonomy, classical_config)
    classical.save(adapter_dir / ADAPTER_SUBDIR)
    figures = {"classical_train_seconds": float(classical.metadata["train_seconds"])}
    metadata = read_metadata(adapter_dir)
    if not validation_records:
        metadata[METADATA_KEY] = Routing().metadata()
        write_metadata(adapter_dir, metadata)
        return figures
    emails = [r["email"] for r in validation_records]
    truths = [r["category"] for r in validation_records]
    scorer = LLMScorer(make_engine("transformers", model_dir), taxonomy, str(adapter_dir), prompt_style)
    llm_rows: list[dict[str, float]] = []
    with Progress("calibrating on validation", total=len(emails)) as progress:
        for start in range(0, len(emails), batch_size):
            llm_rows += scorer.probabilities(emails[start : start + batch_size])
            progress.advance(len(emails[start : start + batch_size]))
    classical_rows = classical.predict_proba(emails)
    labels = taxonomy.labels_with_unknown
    llm_calibration = calibrate(llm_rows, truths, labels, target_precision)
    classical_calibration = calibrate(classical_rows, truths, labels, target_precision)
    threshold = cascade_threshold(
        [classical_calibration.apply(r) for r in classical_rows], [llm_calibration.apply(r) for r in llm_rows], truths
    )
    routing = Routing(cascade_threshold=threshold, llm=llm_calibration, classical=classical_calibration)
    metadata[METADATA_KEY] = routing.metadata()
    write_metadata(adapter_dir, metadata)
    return {
        **figures,
        "validation_examples": float(len(emails)),
        "llm_temperature": llm_calibration.temperature,
        "llm_validation_automation_rate": llm_calibration.validation_automation_rate,
        "classical_temperature": classical_calibration.temperature,
        "classical_validation_automation_rate": classical_calibration.validation_automation_rate,
        "cascade_threshold": threshold,
    }


__all__ = ["fit_routing"]
