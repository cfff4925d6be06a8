"""What the classical taggers beside an extraction adapter share: a fitted model, its config, its folder.

Each tagger (host names, copied values, dates, choices) is a scikit-learn model trained in
seconds on the adapter's own tickets. It is saved in a folder of the adapter's (``tagger.skops``
and ``tagger.json``, read back without running code), so it travels through MLflow, S3 and the
registry with the LoRA weights it completes.
"""

from __future__ import annotations

import json
import time
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any, ClassVar, Self

from pydantic import BaseModel

from mail2ticket.classical.persistence import dump_fitted, load_fitted

if TYPE_CHECKING:
    from mail2ticket.extraction.agent import ExtractionAgent

#: The fitted model, in skops format, inside a tagger's folder.
TAGGER_FILE = "tagger.skops"
#: What the tagger was trained on and with, inside the same folder.
TAGGER_METADATA_FILE = "tagger.json"


class TaggerError(ValueError):
    """A tagger that cannot be trained or loaded; the message says why."""


class FittedTagger:
    """A fitted scikit-learn model, the config it was trained with, and figures of its training."""

    #: The pydantic model of the tagger's config (read back from ``tagger.json``).
    config_type: ClassVar[type[BaseModel]]
    #: The error raised when the tagger cannot be trained or read.
    error_type: ClassVar[type[TaggerError]] = TaggerError

    def __init__(self, model: Any, config: BaseModel, metadata: Mapping[str, Any]) -> None:
        self.model = model
        self.config = config
        self.metadata = dict(metadata)

    def save(self, directory: str | Path) -> Path:
        """Write ``tagger.skops`` and ``tagger.json`` into ``directory``."""
        folder = Path(directory)
        dump_fitted(self.model, folder / TAGGER_FILE)
        (folder / TAGGER_METADATA_FILE).write_text(json.dumps(self.metadata, indent=2), encoding="utf-8")
        return folder

    @classmethod
    def load(cls, directory: str | Path) -> Self:
        """Read a saved tagger, refusing one that holds types outside scikit-learn and NumPy."""
        folder = Path(directory)
        model_path, metadata_path = folder / TAGGER_FILE, folder / TAGGER_METADATA_FILE
        if not model_path.is_file() or not metadata_path.is_file():
            raise cls.error_type(f"{folder}: no {cls.__name__} ({TAGGER_FILE} and {TAGGER_METADATA_FILE})")
        metadata = json.loads(metadata_path.read_text(encoding="utf-8"))
        model = load_fitted(model_path, cls.error_type)
        return cls(model, cls.config_type(**metadata.get("config", {})), metadata)


def fit_word_classifier(
    rows: Sequence[Mapping[str, Any]], labels: Sequence[Any], regularisation: float
) -> tuple[Any, float]:
    """A DictVectorizer and a logistic regression fitted on feature dictionaries, and the seconds it took.

    The word, chunk and date-mention taggers all read sparse, hand-named features (shapes,
    neighbours, the category), which a linear model weighs well on a few hundred tickets.
    """
    from sklearn.feature_extraction import DictVectorizer
    from sklearn.linear_model import LogisticRegression
    from sklearn.pipeline import Pipeline

    began = time.perf_counter()
    pipeline = Pipeline(
        [("features", DictVectorizer()), ("model", LogisticRegression(C=regularisation, max_iter=3000))]
    )
    pipeline.fit(list(rows), list(labels))
    return pipeline, round(time.perf_counter() - began, 2)


def field_key(agent: ExtractionAgent, name: str) -> str:
    """``<category key>.<field>``: how a tagger with one model per field of each category names them."""
    return f"{agent.key}.{name}"


def values_of(value: Any) -> list[Any]:
    """A field's value as a list of items: a list as it is, absent as none, anything else as one item."""
    if value is None:
        return []
    return list(value) if isinstance(value, list) else [value]


__all__ = [
    "TAGGER_FILE",
    "TAGGER_METADATA_FILE",
    "FittedTagger",
    "TaggerError",
    "field_key",
    "fit_word_classifier",
    "values_of",
]
