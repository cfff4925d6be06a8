"""Values an e-mail states word for word, found by a tagger of its chunks trained beside the adapter.

Paths (``\\\\srvfic01\\compta\\2024``), job names (``BCK_SRVSQL01_DAILY``), accounts
(``j.martin``), error texts and the monitored service of an alert are written in the e-mail as
the ticket needs them. A small model copies them badly: it stops early, skips them or writes
what is not there. Their shapes (backslashes, underscores, extensions) and the words before them
(``dossier``, ``job``, ``compte``) are what a linear model reads well, so a logistic regression
labels each whitespace-separated chunk of the e-mail with the field it belongs to, or none, and
runs of chunks with the same label become the field's values: every value is text of the e-mail.

Which fields it takes is learned, not listed: a text field (not a host, a date or a choice) is
tagged when at least :attr:`SpanTaggerConfig.min_verbatim` of its true values in the training
tickets are written word for word in their e-mails. Paraphrases (a summary, a question) are not.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from mail2ticket.extraction.hostnames import host_fields, word_shape
from mail2ticket.extraction.tagging import FittedTagger, TaggerError, fit_word_classifier, values_of

if TYPE_CHECKING:
    from mail2ticket.extraction.agent import ExtractionAgent

#: The label of a chunk that belongs to no field.
OUTSIDE = "O"
#: What separates two values of a list written one after the other (``SSH, SFTP``, ``RDP / SSH``).
_SEPARATOR = re.compile(r"[,;/+&|]")
#: Characters trimmed from a chunk's ends (a final dot is trimmed too: it ends the sentence).
_EDGES = " \t\"'«»“”‘’`,;:!?()[]{}<>*"


class SpanTaggerError(TaggerError):
    """A span tagger that cannot be trained or loaded."""


class SpanTaggerConfig(BaseModel):
    """How the span tagger is trained and which fields it takes."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    min_verbatim: float = Field(
        default=0.3,
        ge=0.0,
        le=1.0,
        description="Share of a field's true values that training e-mails must hold word for word for the "
        "tagger to fill that field (retention '30 jours' is, a summary is not).",
    )
    min_values: int = Field(default=1, ge=1, description="Fewest verbatim training values a field is tagged from.")
    fallback_probability: float = Field(
        default=0.25,
        gt=0.0,
        le=1.0,
        description="A single-valued field no chunk is labelled with takes its likeliest chunk above this probability.",
    )
    regularisation: float = Field(default=1.0, gt=0.0, description="Inverse regularisation strength C.")
    phrase_words: float = Field(
        default=2.0,
        ge=1.0,
        description="Mean words of a field's training values from which it is a phrase (an error text, a schedule) "
        "whose runs may extend, rather than a single word (a job name, an account).",
    )
    extend_probability: float = Field(
        default=0.02,
        gt=0.0,
        le=1.0,
        description="A chunk labelled with no field joins the run of a phrase field beside it when the field's "
        "probability reaches this: an error text keeps its code or its last words.",
    )
    max_chars: int = Field(default=3_000, ge=100, description="Text past this many characters is not read.")


def text_fields(agent: ExtractionAgent) -> list[str]:
    """The agent's text fields a span may fill: strings and lists of strings that are no host, date or choice."""
    hosts = set(host_fields(agent))
    names = []
    for name, spec in agent.category.fields.items():
        schema = spec.json_schema()
        if name in hosts or schema.get("enum") or schema.get("format") or schema.get("type") not in ("string", "array"):
            continue
        names.append(name)
    return names


def chunks(email: str, max_chars: int = 3_000) -> tuple[str, list[tuple[int, int]]]:
    """The e-mail with whitespace collapsed, and where each chunk (edge punctuation trimmed) lies in it."""
    text = " ".join(email.split())[:max_chars]
    found = []
    for match in re.finditer(r"\S+", text):
        chunk = match.group(0)
        left = len(chunk) - len(chunk.lstrip(_EDGES))
        right = len(chunk) - len(chunk.rstrip(_EDGES + "."))
        if left + right < len(chunk):
            found.append((match.start() + left, match.end() - right))
    return text, found


def chunk_features(text: str, spans: list[tuple[int, int]], category_key: str) -> list[dict[str, Any]]:
    """What the tagger reads of each chunk: its shape and characters, its neighbours, the category.

    The chunks' words and shapes are computed once, then each chunk reads its neighbours' (an
    e-mail of 3,000 characters has a few hundred chunks, read on every served request).
    """
    words = [text[a:b].lower() for a, b in spans]
    shapes = [word_shape(text[a:b])[:12] for a, b in spans]
    rows = []
    for i, (start, end) in enumerate(spans):
        chunk = text[start:end]
        before = words[i - 1] if i else "<s>"
        shape = shapes[i]
        rows.append(
            {
                f"shape={shape}": 1,
                f"length={min(len(chunk), 20) // 2}": 1,
                f"prefix={chunk[:3].lower()}": 1,
                f"suffix={chunk[-3:].lower()}": 1,
                f"word={words[i]}": 1,
                "backslash": "\\" in chunk,
                "slash": "/" in chunk,
                "underscore": "_" in chunk,
                "digit": any(c.isdigit() for c in chunk),
                "at": "@" in chunk,
                "extension": bool(re.search(r"\.\w{2,4}$", chunk)),
                "upper": chunk.isupper(),
                "lower": chunk.islower(),
                "title": chunk.istitle(),
                f"word-1={before}": 1,
                f"word-2={words[i - 2] if i > 1 else '<s>'}": 1,
                f"word+1={words[i + 1] if i + 1 < len(words) else '</s>'}": 1,
                f"word+2={words[i + 2] if i + 2 < len(words) else '</s>'}": 1,
                f"shape-1={shapes[i - 1] if i else '<s>'}": 1,
                f"shape+1={shapes[i + 1] if i + 1 < len(shapes) else '</s>'}": 1,
                f"char_before={text[start - 1 : start]}": 1,
                f"char_after={text[end : end + 1]}": 1,
                f"category={category_key}": 1,
                f"category={category_key}|word-1={before}": 1,
                f"category={category_key}|shape={shape}": 1,
            }
        )
    return rows


def chunk_labels(text: str, spans: list[tuple[int, int]], fields: Mapping[str, Any], names: list[str]) -> list[str]:
    """Each chunk's field: the one whose true value (word for word in ``text``) covers it, else :data:`OUTSIDE`."""
    labels = [OUTSIDE] * len(spans)
    for name in names:
        for value in values_of(fields.get(name)):
            for match in re.finditer(re.escape(str(value)), text):
                for j, (start, end) in enumerate(spans):
                    if match.start() <= start and end <= match.end():
                        labels[j] = name
    return labels


class SpanTagger(FittedTagger):
    """Which chunks of an e-mail are the values of which text fields: a DictVectorizer and a logistic regression."""

    config_type = SpanTaggerConfig
    error_type = SpanTaggerError
    config: SpanTaggerConfig

    @classmethod
    def fit(
        cls,
        examples: Iterable[tuple[ExtractionAgent, str, Mapping[str, Any]]],
        config: SpanTaggerConfig | None = None,
    ) -> SpanTagger:
        """Train on ``(agent, e-mail, validated true fields)``; the fields it takes are those written word for word."""
        config = config or SpanTaggerConfig()
        examples = list(examples)
        counts: dict[tuple[str, str], list[int]] = defaultdict(lambda: [0, 0])
        words: dict[tuple[str, str], list[int]] = defaultdict(list)
        for agent, email, fields in examples:
            text = " ".join(email.split())
            for name in text_fields(agent):
                for value in values_of(fields.get(name)):
                    counts[agent.key, name][0] += str(value) in text
                    counts[agent.key, name][1] += 1
                    words[agent.key, name].append(len(str(value).split()))
        taken: dict[str, list[str]] = defaultdict(list)
        for (key, name), (verbatim, total) in sorted(counts.items()):
            if verbatim >= config.min_values and verbatim >= config.min_verbatim * total:
                taken[key].append(name)
        phrases: dict[str, list[str]] = defaultdict(list)
        for (key, name), lengths in sorted(words.items()):
            if name in taken.get(key, []) and sum(lengths) >= config.phrase_words * len(lengths):
                phrases[key].append(name)
        rows: list[dict[str, Any]] = []
        labels: list[str] = []
        for agent, email, fields in examples:
            if agent.key not in taken:
                continue
            text, spans = chunks(email, config.max_chars)
            labels += chunk_labels(text, spans, fields, taken[agent.key])
            rows += chunk_features(text, spans, agent.key)
        if len(set(labels)) < 2:
            raise SpanTaggerError(f"{len(labels)} chunks and no text field written word for word: nothing to learn")
        pipeline, seconds = fit_word_classifier(rows, labels, config.regularisation)
        metadata = {
            "fields": dict(taken),
            "phrases": dict(phrases),
            "chunks": len(labels),
            "values": {label: labels.count(label) for label in sorted(set(labels)) if label != OUTSIDE},
            "seconds": seconds,
            "config": config.model_dump(),
        }
        return cls(pipeline, config, metadata)

    def covers(self, agent: ExtractionAgent) -> list[str]:
        """The agent's fields this tagger fills, in the schema's order."""
        taken = set(self.metadata["fields"].get(agent.key, []))
        return [name for name in agent.fields if name in taken]

    def _runs(
        self,
        text: str,
        spans: list[tuple[int, int]],
        probabilities: Any,
        best: list[int],
        classes: list[str],
        label: str,
        phrase: bool,
        listed: bool = False,
    ) -> list[tuple[str, float]]:
        """Each run of chunks labelled ``label`` (punctuation between them kept), with its mean probability.

        The run of a phrase field also takes in the unlabelled chunks beside it whose probability of
        the field reaches :attr:`SpanTaggerConfig.extend_probability` (hysteresis): an error text's
        code or last words, less typical than its first ones, stay with it instead of cutting it short.
        The values of a ``listed`` field end where a separator stands between two chunks
        (``SSH, SFTP`` is two protocols; ``Jean Dupont`` one account).
        """
        column, outside = classes.index(label), classes.index(OUTSIDE) if OUTSIDE in classes else None
        strong = [b == column for b in best]
        member = [
            strong[k] or (phrase and best[k] == outside and probabilities[k][column] >= self.config.extend_probability)
            for k in range(len(spans))
        ]
        found: list[tuple[str, float]] = []
        i = 0
        while i < len(spans):
            j = i
            while member[i] and j + 1 < len(spans) and member[j + 1]:
                if listed and _SEPARATOR.search(text[spans[j][1] : spans[j + 1][0]]):
                    break
                j += 1
            labelled = [k for k in range(i, j + 1) if strong[k]]
            if labelled:
                confidence = sum(probabilities[k][column] for k in labelled) / len(labelled)
                found.append((text[spans[i][0] : spans[j][1]], float(confidence)))
            i = j + 1
        return found

    def values(self, agent: ExtractionAgent, email: str) -> dict[str, Any]:
        """The covered fields the e-mail states: a list holds every run of chunks, a single field the likeliest."""
        names = self.covers(agent)
        text, spans = chunks(email, self.config.max_chars)
        if not names or not spans:
            return {}
        classes = list(self.model.classes_)
        allowed = [classes.index(label) for label in [*names, OUTSIDE] if label in classes]
        probabilities = self.model.predict_proba(chunk_features(text, spans, agent.key))
        best = [max(allowed, key=lambda c: row[c]) for row in probabilities]
        runs: dict[str, list[tuple[str, float]]] = defaultdict(list)
        phrases = set(self.metadata.get("phrases", {}).get(agent.key, []))
        for label in names:
            if label in classes:
                listed = agent.category.fields[label].json_schema().get("type") == "array"
                runs[label] = self._runs(text, spans, probabilities, best, classes, label, label in phrases, listed)
        for name in names:  # a single value no chunk was labelled with: its likeliest chunk, if likely enough
            column = classes.index(name) if name in classes else None
            if runs.get(name) or column is None or agent.category.fields[name].json_schema().get("type") == "array":
                continue
            k = max(range(len(spans)), key=lambda k: probabilities[k][column])
            if probabilities[k][column] >= self.config.fallback_probability:
                runs[name].append((text[spans[k][0] : spans[k][1]], float(probabilities[k][column])))
        found: dict[str, Any] = {}
        for name in names:
            if not runs.get(name):
                continue
            if agent.category.fields[name].json_schema().get("type") == "array":
                found[name] = list(dict.fromkeys(value for value, _ in runs[name]))
            else:
                found[name] = max(runs[name], key=lambda run: run[1])[0]
        return found


__all__ = [
    "OUTSIDE",
    "SpanTagger",
    "SpanTaggerConfig",
    "SpanTaggerError",
    "chunk_features",
    "chunk_labels",
    "chunks",
    "text_fields",
]
