"""Evaluation: what was measured is what is served (the same engines, prompts and agents).

- :mod:`.candidate`: the base model and adapter under evaluation, resolved and checked;
- :mod:`.classification`: the classifier, in ``constrained`` or ``generate`` (the paper's) mode;
- :mod:`.extraction`: the extractor agents, field by field;
- :mod:`.metrics`: the paper's metrics and what it left out (macro-F1, per class, confusion matrix);
- :mod:`.matching`: the paper's fuzzy matching of a free-text answer to a label;
- :mod:`.step`: the pipeline's evaluation step (MLflow logging).
"""

from mail2ticket.evaluation.candidate import Candidate
from mail2ticket.evaluation.classification import EvaluationResult, Mode, evaluate, write_outputs
from mail2ticket.evaluation.matching import match_label
from mail2ticket.evaluation.metrics import UNMAPPED, ClassificationReport, classification_report

__all__ = [
    "UNMAPPED",
    "Candidate",
    "ClassificationReport",
    "EvaluationResult",
    "Mode",
    "classification_report",
    "evaluate",
    "match_label",
    "write_outputs",
]
