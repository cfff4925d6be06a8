"""A TF-IDF + logistic-regression classifier of e-mails: the baseline every LLM must beat, and a served model.

A fine-tuned LLM that loses to a model trained in seconds on the same split is not an
improvement, so the pipeline trains this one beside every adapter, evaluates it with the same
metrics and ships it with the adapter; serving can answer with it alone or let it answer first
and hand the e-mails it is unsure of to the LLM (a cascade).

Features are character n-grams within word boundaries (robust to typos, missing accents and the
hostnames and job names of alerts) and word n-grams, accents stripped and lower-cased. The model
is written with skops rather than pickle: loading a file from the registry must not run code,
and :meth:`ClassicalClassifier.load` refuses any type outside the few scikit-learn and NumPy
ones a fitted model is made of.
"""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from mail2ticket.classical.persistence import dump_fitted, load_fitted
from mail2ticket.taxonomy import Taxonomy, load_taxonomy

#: The fitted pipeline, in skops format, inside a classical model's folder.
MODEL_FILE = "model.skops"
#: What the model was trained on and with, inside the same folder.
METADATA_FILE = "classical.json"
#: The folder of the classical model inside an adapter's folder (it travels with the adapter).
ADAPTER_SUBDIR = "classical"


class ClassicalError(ValueError):
    """A classical model that cannot be trained or loaded; the message says why."""


class ClassicalConfig(BaseModel):
    """How the TF-IDF features and the linear model are built."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    char_ngram_range: tuple[int, int] = Field(default=(2, 5), description="Character n-gram sizes (within words).")
    word_ngram_range: tuple[int, int] = Field(default=(1, 2), description="Word n-gram sizes.")
    max_features: int = Field(
        default=50_000,
        ge=1_000,
        description="Largest vocabulary of each vectoriser: 50,000 measured as accurate as 300,000 on the dev set, "
        "with a model file of 9 MB instead of 23.",
    )
    max_chars: int = Field(
        default=3_000, ge=100, description="E-mails are cut to this many characters (alerts and signatures run long)."
    )
    regularisation: float = Field(default=20.0, gt=0.0, description="Inverse regularisation strength C.")
    class_weight: Literal["balanced", "none"] = Field(
        default="none",
        description="'balanced' weighs each class by the inverse of its frequency; 'none' (the default) "
        "measured better on the hand-written dev set (bench/RESULTS.md).",
    )
    seed: int = Field(default=0, description="Seed of the solver.")


def _cut(texts: Sequence[str], max_chars: int) -> list[str]:
    return [text[:max_chars] for text in texts]


class ClassicalClassifier:
    """A fitted TF-IDF + logistic-regression model over the taxonomy's labels (``unknown`` included)."""

    def __init__(self, pipeline: Any, labels: Sequence[str], config: ClassicalConfig, metadata: dict[str, Any]):
        self.pipeline = pipeline
        self.labels = list(labels)
        self.config = config
        self.metadata = metadata

    @classmethod
    def fit(
        cls,
        records: Sequence[dict[str, Any]],
        taxonomy: Taxonomy | None = None,
        config: ClassicalConfig | None = None,
    ) -> ClassicalClassifier:
        """Train on labelled records (``email``, ``category``); labels outside the taxonomy are refused."""
        from sklearn.feature_extraction.text import TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import FeatureUnion, Pipeline

        taxonomy = taxonomy or load_taxonomy()
        config = config or ClassicalConfig()
        categories = [r["category"] for r in records]
        outside = sorted(set(categories) - set(taxonomy.labels_with_unknown))
        if outside:
            raise ClassicalError(f"training labels not in taxonomy {taxonomy.version}: {', '.join(outside)}")
        if len(set(categories)) < 2:
            raise ClassicalError("a classifier needs examples of at least two categories")
        features = FeatureUnion(
            [
                ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=config.char_ngram_range, sublinear_tf=True,
                                          strip_accents="unicode", lowercase=True, min_df=2,
                                          max_features=config.max_features)),
                ("words", TfidfVectorizer(analyzer="word", ngram_range=config.word_ngram_range, sublinear_tf=True,
                                          strip_accents="unicode", lowercase=True, min_df=1,
                                          max_features=config.max_features)),
            ]
        )  # fmt: skip
        linear = LogisticRegression(
            C=config.regularisation,
            max_iter=2_000,
            class_weight="balanced" if config.class_weight == "balanced" else None,
            random_state=config.seed,
        )
        pipeline = Pipeline([("features", features), ("linear", linear)])
        began = time.perf_counter()
        pipeline.fit(_cut([r["email"] for r in records], config.max_chars), categories)
        metadata = {
            "kind": "tfidf-logistic-regression",
            "taxonomy_version": taxonomy.version,
            "taxonomy_digest": taxonomy.digest,
            "train_examples": len(records),
            "train_seconds": round(time.perf_counter() - began, 3),
            "classes": sorted(set(categories)),
            "config": config.model_dump(mode="json"),
        }
        return cls(pipeline, taxonomy.labels_with_unknown, config, metadata)

    def predict_proba(self, emails: Sequence[str]) -> list[dict[str, float]]:
        """A probability for every label of the taxonomy (0 for a label never seen in training)."""
        if not emails:
            return []
        matrix = self.pipeline.predict_proba(_cut(emails, self.config.max_chars))
        classes = list(self.pipeline.classes_)
        rows = []
        for probabilities in matrix:
            row = dict.fromkeys(self.labels, 0.0)
            row.update({label: float(p) for label, p in zip(classes, probabilities, strict=True)})
            rows.append(row)
        return rows

    def save(self, directory: str | Path) -> Path:
        """Write ``model.skops`` and ``classical.json`` into ``directory``."""
        folder = Path(directory)
        dump_fitted(self.pipeline, folder / MODEL_FILE)
        (folder / METADATA_FILE).write_text(
            json.dumps({**self.metadata, "labels": self.labels}, ensure_ascii=False, indent=2), encoding="utf-8"
        )
        return folder

    @classmethod
    def load(cls, directory: str | Path, taxonomy: Taxonomy | None = None) -> ClassicalClassifier:
        """Read a saved model, refusing one of another taxonomy or one that holds unexpected types."""
        folder = Path(directory)
        model_path, metadata_path = folder / MODEL_FILE, folder / METADATA_FILE
        if not model_path.is_file() or not metadata_path.is_file():
            raise ClassicalError(f"{folder}: no classical model ({MODEL_FILE} and {METADATA_FILE} expected)")
        metadata = json.loads(metadata_path.read_text(encoding="utf-8"))
        taxonomy = taxonomy or load_taxonomy()
        if metadata.get("taxonomy_digest") != taxonomy.digest:
            raise ClassicalError(
                f"{folder}: trained on taxonomy {metadata.get('taxonomy_version')!r}, "
                f"not on the loaded taxonomy {taxonomy.version!r}"
            )
        pipeline = load_fitted(model_path, ClassicalError)
        config = ClassicalConfig(**metadata.get("config", {}))
        labels = metadata.pop("labels", taxonomy.labels_with_unknown)
        return cls(pipeline, labels, config, metadata)


__all__ = [
    "ADAPTER_SUBDIR",
    "METADATA_FILE",
    "MODEL_FILE",
    "ClassicalClassifier",
    "ClassicalConfig",
    "ClassicalError",
]
