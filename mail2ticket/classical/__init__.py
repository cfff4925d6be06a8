"""The classical classifier: TF-IDF features and a linear model, trained in seconds.

It is the baseline in every evaluation and a served classifier (alone, or first in a cascade
with the LLM, :class:`Routing`). Public API: :class:`ClassicalClassifier` (fit, predict_proba, save, load),
:class:`ClassicalConfig`, :class:`ClassicalError` and the file names it writes.
"""

from mail2ticket.classical.cascade import CLASSIFIER_KINDS, ClassifierKind, Routing
from mail2ticket.classical.model import (
    ADAPTER_SUBDIR,
    METADATA_FILE,
    MODEL_FILE,
    ClassicalClassifier,
    ClassicalConfig,
    ClassicalError,
)

__all__ = [
    "ADAPTER_SUBDIR",
    "CLASSIFIER_KINDS",
    "METADATA_FILE",
    "MODEL_FILE",
    "ClassicalClassifier",
    "ClassicalConfig",
    "ClassicalError",
    "ClassifierKind",
    "Routing",
]
