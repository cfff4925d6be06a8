"""Free-text fields answered with the e-mail's own sentence: the question, the change asked for, the request.

A ticket's ``question``, ``requested_change`` or ``summary`` is one sentence saying what the
client wants. The client has usually written that sentence already ("Pouvez-vous passer la
rétention de SRVSQL02 à 90 jours ?"), among greetings, context and a signature. A small model
asked to paraphrase it invents; a linear model that scores each sentence of the e-mail finds the
one that asks, and the reviewer reads the client's words. So for each such field of each category
a logistic regression is trained on that category's tickets: the sentence closest to the true
value (:func:`rapidfuzz.fuzz.token_set_ratio` of at least :attr:`SentencePickerConfig.min_overlap`)
is the positive, every other sentence a negative. It reads the sentence's words and word pairs,
where the sentence stands, whether it asks, and its length; it answers the likeliest sentence.

A field another tagger already fills (a value written word for word) is not picked here.
"""

from __future__ import annotations

import itertools
import re
import time
from collections import defaultdict
from collections.abc import Collection, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from mail2ticket.extraction.schema import fold
from mail2ticket.extraction.tagging import FittedTagger, TaggerError, field_key, fit_word_classifier

if TYPE_CHECKING:
    from mail2ticket.extraction.agent import ExtractionAgent

#: Where an e-mail is cut into sentences: line breaks, runs of asterisks (a flattened e-mail's line
#: breaks) and the space after a sentence's final punctuation.
_BOUNDARY = re.compile(r"\n+|\*{2,}|(?<=[.?!])\s+")


class SentencePickerError(TaggerError):
    """A sentence picker that cannot be trained or loaded."""


class SentencePickerConfig(BaseModel):
    """How the sentence picker is trained and when it answers."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    min_overlap: float = Field(
        default=60.0,
        ge=0.0,
        le=100.0,
        description="Least token_set_ratio (0-100) between a true value and its closest sentence for that sentence "
        "to be the training positive; a value no sentence comes this close to teaches nothing.",
    )
    min_positives: int = Field(default=5, ge=1, description="Fewest positive sentences a field is learnt from.")
    min_probability: float = Field(
        default=0.1, ge=0.0, le=1.0, description="The likeliest sentence is the answer only above this probability."
    )
    always_present: float = Field(
        default=0.9,
        ge=0.0,
        le=1.0,
        description="A field at least this share of its category's training tickets fill (a request always has "
        "its summary) takes the likeliest sentence whatever its probability: the e-mail holds one, and a short "
        "e-mail's only sentence scores no higher than the share of positives the model was trained on.",
    )
    regularisation: float = Field(default=1.0, gt=0.0, description="Inverse regularisation strength C.")
    max_chars: int = Field(default=3_000, ge=100, description="Text past this many characters is not read.")
    max_sentence_chars: int = Field(default=400, ge=20, description="A longer sentence is cut to this length.")


def free_text_fields(agent: ExtractionAgent) -> list[str]:
    """The agent's paraphrased fields: plain strings, neither copied nor chosen from a list."""
    return [
        name
        for name, spec in agent.category.fields.items()
        if spec.type == "string" and not spec.copied and spec.enum is None
    ]


def sentences(email: str, max_chars: int = 3_000) -> list[str]:
    """The e-mail's sentences of at least two words, whitespace collapsed, in order."""
    found = []
    for piece in _BOUNDARY.split(email[:max_chars]):
        sentence = " ".join(piece.split()).strip(" -*>•")
        if len(sentence.split()) >= 2:
            found.append(sentence)
    return found


def _words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", fold(text))


def _bucket(value: int, edges: tuple[int, ...]) -> str:
    for edge in edges:
        if value <= edge:
            return str(edge)
    return f">{edges[-1]}"


def sentence_features(all_sentences: list[str]) -> list[dict[str, float]]:
    """Each sentence's features: its words and word pairs, its place, whether it asks, its length."""
    rows = []
    last = len(all_sentences) - 1
    for index, sentence in enumerate(all_sentences):
        words = _words(sentence)
        row: dict[str, float] = {f"w={w}": 1.0 for w in words}
        row |= {f"b={a}_{b}": 1.0 for a, b in itertools.pairwise(words)}
        if words:
            row[f"first={words[0]}"] = 1.0
        row[f"index={_bucket(index, (0, 1, 2, 4))}"] = 1.0
        row[f"from_end={_bucket(last - index, (0, 1, 2, 4))}"] = 1.0
        row[f"length={_bucket(len(words), (3, 6, 12, 25))}"] = 1.0
        row["asks"] = float("?" in sentence)
        row["digits"] = float(any(c.isdigit() for c in sentence))
        rows.append(row)
    return rows


class SentencePicker(FittedTagger):
    """A sentence scorer per paraphrased field of each category, in a dictionary keyed ``<category>.<field>``."""

    config_type = SentencePickerConfig
    error_type = SentencePickerError
    config: SentencePickerConfig

    @classmethod
    def fit(
        cls,
        examples: Iterable[tuple[ExtractionAgent, str, Mapping[str, Any]]],
        config: SentencePickerConfig | None = None,
        taken: Mapping[str, Collection[str]] | None = None,
    ) -> SentencePicker:
        """Train on ``(agent, e-mail, validated true fields)``, leaving out ``taken`` (category key: its fields)."""
        from rapidfuzz import fuzz, utils

        config = config or SentencePickerConfig()
        taken = taken or {}
        rows: dict[str, list[dict[str, float]]] = defaultdict(list)
        labels: dict[str, list[bool]] = defaultdict(list)
        filled: dict[str, list[bool]] = defaultdict(list)
        for agent, email, fields in examples:
            names = [name for name in free_text_fields(agent) if name not in taken.get(agent.key, ())]
            for name in names:
                filled[field_key(agent, name)].append(bool(fields.get(name)))
            found = sentences(email, config.max_chars) if names else []
            if not found:
                continue
            features = sentence_features(found)
            for name in names:
                truth = fields.get(name)
                scores = [
                    fuzz.token_set_ratio(truth, sentence, processor=utils.default_process) if truth else 0.0
                    for sentence in found
                ]
                best = max(range(len(found)), key=scores.__getitem__)
                key = field_key(agent, name)
                rows[key].extend(features)
                labels[key].extend(i == best and scores[i] >= config.min_overlap for i in range(len(found)))
        began = time.perf_counter()
        models, positives = {}, {}
        for key in sorted(rows):
            positives[key] = sum(labels[key])
            if positives[key] >= config.min_positives and positives[key] < len(labels[key]):
                models[key], _ = fit_word_classifier(rows[key], labels[key], config.regularisation)
        if not models:
            raise SentencePickerError(
                f"no paraphrased field has {config.min_positives} true values close to a sentence of their e-mail"
            )
        metadata = {
            "fields": {key: positives[key] for key in models},
            "filled": {key: round(sum(filled[key]) / len(filled[key]), 3) for key in models},
            "sentences": sum(len(labels[key]) for key in models),
            "seconds": round(time.perf_counter() - began, 2),
            "config": config.model_dump(),
        }
        return cls(models, config, metadata)

    def covers(self, agent: ExtractionAgent) -> list[str]:
        """The agent's fields a scorer was trained for."""
        return [name for name in free_text_fields(agent) if field_key(agent, name) in self.model]

    def values(self, agent: ExtractionAgent, email: str) -> dict[str, str]:
        """Each covered field's likeliest sentence of ``email``, when it is likely enough."""
        names = self.covers(agent)
        found = sentences(email, self.config.max_chars) if names else []
        if not found:
            return {}
        features = sentence_features(found)
        picked = {}
        for name in names:
            model = self.model[field_key(agent, name)]
            column = list(model.classes_).index(True)
            probabilities = model.predict_proba(features)[:, column]
            best = int(probabilities.argmax())
            always = self.metadata.get("filled", {}).get(field_key(agent, name), 0.0) >= self.config.always_present
            if always or probabilities[best] >= self.config.min_probability:
                picked[name] = found[best][: self.config.max_sentence_chars]
        return picked


__all__ = ["SentencePicker", "SentencePickerConfig", "SentencePickerError", "free_text_fields", "sentences"]
