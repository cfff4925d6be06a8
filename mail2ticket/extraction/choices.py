"""Fields that take one of a few values (a severity, a kind of restore, yes or no), read by text classifiers.

A field with an ``enum`` or a boolean field is a classification of the whole e-mail, not a copy:
"restaurer le dossier" says ``dossier``, "la VM" says ``vm``, "sans garder l'historique" says
that existing backups go. For each such field of each category, a TF-IDF model (words and
character n-grams, so typos and missing accents still read) and a logistic regression are trained
on that category's tickets beside the adapter; "absent" is one of the classes, so a ticket that
does not say gets no value rather than the commonest one. A field whose training tickets all
agree teaches nothing and is left to the model.
"""

from __future__ import annotations

import json
import time
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from mail2ticket.extraction.tagging import FittedTagger, TaggerError, field_key

if TYPE_CHECKING:
    from mail2ticket.extraction.agent import ExtractionAgent


class ChoiceClassifierError(TaggerError):
    """Choice classifiers that cannot be trained or loaded."""


class ChoiceClassifierConfig(BaseModel):
    """How each field's classifier is trained."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    regularisation: float = Field(default=10.0, gt=0.0, description="Inverse regularisation strength C.")
    word_ngrams: tuple[int, int] = Field(default=(1, 2), description="Word n-gram lengths.")
    char_ngrams: tuple[int, int] = Field(default=(3, 5), description="Character n-gram lengths, within words.")
    named_weight: float = Field(
        default=3.0, gt=0.0, description="Weight of the features saying which of the field's values the e-mail names."
    )
    max_chars: int = Field(default=3_000, ge=100, description="Text past this many characters is not read.")


def choice_fields(agent: ExtractionAgent) -> list[str]:
    """The agent's fields with a closed set of values: an ``enum``, or a boolean."""
    return [
        name
        for name, spec in agent.category.fields.items()
        if spec.json_schema().get("enum") or spec.json_schema().get("type") == "boolean"
    ]


class ChoiceClassifier(FittedTagger):
    """One text classifier per choice field of each category; the model is a dictionary keyed ``<category>.<field>``."""

    config_type = ChoiceClassifierConfig
    error_type = ChoiceClassifierError
    config: ChoiceClassifierConfig

    @classmethod
    def fit(
        cls,
        examples: Iterable[tuple[ExtractionAgent, str, Mapping[str, Any]]],
        config: ChoiceClassifierConfig | None = None,
    ) -> ChoiceClassifier:
        """Train on ``(agent, e-mail, validated true fields)``: each choice field's value (or absent) per e-mail."""
        from sklearn.feature_extraction.text import CountVectorizer, TfidfVectorizer
        from sklearn.linear_model import LogisticRegression
        from sklearn.pipeline import FeatureUnion, Pipeline

        config = config or ChoiceClassifierConfig()
        data: dict[str, tuple[list[str], list[str]]] = defaultdict(lambda: ([], []))
        named: dict[str, list[str]] = {}
        for agent, email, fields in examples:
            for name in choice_fields(agent):
                texts, answers = data[field_key(agent, name)]
                texts.append(email[: config.max_chars])
                answers.append(json.dumps(fields.get(name), ensure_ascii=False))
                named[field_key(agent, name)] = [str(v) for v in agent.schema["properties"][name].get("enum", [])]
        began = time.perf_counter()
        models: dict[str, Any] = {}
        for key, (texts, answers) in sorted(data.items()):
            if len(set(answers)) < 2:
                continue
            parts = [
                ("words", TfidfVectorizer(ngram_range=config.word_ngrams, sublinear_tf=True, strip_accents="ascii")),
                ("chars", TfidfVectorizer(analyzer="char_wb", ngram_range=config.char_ngrams, sublinear_tf=True)),
            ]
            # Whether the e-mail names each value ("la VM", "la base de données"), the values read
            # through the vectoriser's own preprocessing (lower case, accents stripped).
            preprocess = CountVectorizer(strip_accents="ascii").build_preprocessor()
            values = sorted({preprocess(value) for value in named[key]})
            if values:
                longest = max(len(value.split()) for value in values)
                parts.append(("named", CountVectorizer(vocabulary=values, ngram_range=(1, longest), binary=True,
                                                       strip_accents="ascii")))  # fmt: skip
            weights = {"named": config.named_weight} if values else None
            features = FeatureUnion(parts, transformer_weights=weights)
            model = LogisticRegression(C=config.regularisation, class_weight="balanced", max_iter=3000)
            models[key] = Pipeline([("features", features), ("model", model)]).fit(texts, answers)
        if not models:
            raise ChoiceClassifierError("no choice field takes two values in these tickets: nothing to learn")
        metadata = {
            "fields": {key: dict(Counter(data[key][1])) for key in models},
            "seconds": round(time.perf_counter() - began, 2),
            "config": config.model_dump(),
        }
        return cls(models, config, metadata)

    def covers(self, agent: ExtractionAgent) -> list[str]:
        """The agent's fields a classifier was trained for."""
        return [name for name in choice_fields(agent) if field_key(agent, name) in self.model]

    def values(self, agent: ExtractionAgent, email: str) -> dict[str, Any]:
        """Each covered field's likeliest value for ``email``; one whose likeliest answer is "absent" is left out."""
        found = {}
        for name in self.covers(agent):
            value = json.loads(self.model[field_key(agent, name)].predict([email[: self.config.max_chars]])[0])
            if value is not None:
                found[name] = value
        return found


__all__ = ["ChoiceClassifier", "ChoiceClassifierConfig", "ChoiceClassifierError", "choice_fields"]
