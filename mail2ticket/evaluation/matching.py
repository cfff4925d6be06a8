"""Map a model's free-text answer to a taxonomy label (the paper's section 7.3).

The paper-faithful ``generate`` mode lets the model write what it wants, so its answers come
back with asterisks, JSON fragments, quotes, trailing spaces, missing accents or truncations.
A prediction is *matched* when it maps to exactly one label under the paper's rules:

* exact after normalisation (lower case, accents and special characters removed, whitespace
  collapsed);
* otherwise Levenshtein distance ≤ 3 **and** similarity ratio ≥ 0.85 **and** word-match ratio
  ≥ 0.80, the lowest distance winning (ties broken by similarity);
* ``unknown`` is an explicit answer, returned as such.

Anything else is *unmatched* (``None``) and counts as wrong in the accuracy.
"""

from __future__ import annotations

import json
import re
import unicodedata
from collections.abc import Sequence
from dataclasses import dataclass

from rapidfuzz import fuzz
from rapidfuzz.distance import Levenshtein

from mail2ticket.taxonomy import UNKNOWN

MAX_DISTANCE = 3
MIN_SIMILARITY = 0.85
MIN_WORD_MATCH = 0.80

_ANSWER_KEY = re.compile(r"""["']?categori[sz]ation["']?\s*[:=]\s*["']([^"'\n]*)["']?""", re.IGNORECASE)
_SPECIAL = re.compile(r"[^\w\s/-]")
_SPACES = re.compile(r"\s+")
_PREFIX = re.compile(r"^(?:cat[ée]gorie|category|r[ée]ponse|answer|output|sortie)\s*:\s*", re.IGNORECASE)


def normalise(text: str) -> str:
    """Lower case, no accents, no special characters (``/`` and ``-`` kept), single spaces."""
    decomposed = unicodedata.normalize("NFKD", text)
    no_accents = "".join(ch for ch in decomposed if not unicodedata.combining(ch))
    cleaned = _SPECIAL.sub(" ", no_accents.lower()).replace("_", " ")
    cleaned = re.sub(r"\s*/\s*", "/", cleaned)
    return _SPACES.sub(" ", cleaned).strip(" -/")


def _words(text: str) -> list[str]:
    return [w for w in re.split(r"[\s/-]+", text) if w]


def word_match_ratio(prediction: str, label: str) -> float:
    """Share of the label's words found in the prediction (both normalised)."""
    label_words = _words(label)
    if not label_words:
        return 0.0
    predicted = set(_words(prediction))
    return sum(1 for w in label_words if w in predicted) / len(label_words)


def candidates(raw: str) -> list[str]:
    """Pieces of a raw answer that may hold the label: a JSON value, the text, its first line."""
    found: list[str] = []
    text = raw.strip()
    try:
        parsed = json.loads(text)
        if isinstance(parsed, dict):
            found += [str(v) for k, v in parsed.items() if "categori" in str(k).lower()]
    except (json.JSONDecodeError, ValueError):
        pass
    found += [m.group(1) for m in _ANSWER_KEY.finditer(text)]
    found.append(text)
    lines = [line for line in text.splitlines() if line.strip()]
    if lines:
        found.append(lines[0])
    return [_PREFIX.sub("", piece.strip().strip("*`'\" ")) for piece in found if piece.strip()]


@dataclass(frozen=True)
class MatchScore:
    label: str
    distance: int
    similarity: float
    word_match: float

    @property
    def accepted(self) -> bool:
        return self.distance <= MAX_DISTANCE and self.similarity >= MIN_SIMILARITY and self.word_match >= MIN_WORD_MATCH


def score(prediction: str, label: str) -> MatchScore:
    """The paper's three measures between normalised texts."""
    p, l = normalise(prediction), normalise(label)  # noqa: E741
    return MatchScore(
        label=label,
        distance=Levenshtein.distance(p, l),
        similarity=fuzz.ratio(p, l) / 100.0,
        word_match=word_match_ratio(p, l),
    )


def match_label(prediction: str, labels: Sequence[str]) -> str | None:
    """The label ``prediction`` designates, ``unknown`` when it says so, else ``None``."""
    if not prediction or not prediction.strip():
        return None
    normalised_labels = {normalise(label): label for label in labels}
    for piece in candidates(prediction):
        key = normalise(piece)
        if not key:
            continue
        if key == UNKNOWN:
            return UNKNOWN
        if key in normalised_labels:
            return normalised_labels[key]
        scores = [s for s in (score(piece, label) for label in labels) if s.accepted]
        if scores:
            return min(scores, key=lambda s: (s.distance, -s.similarity)).label
    return None


__all__ = [
    "MAX_DISTANCE",
    "MIN_SIMILARITY",
    "MIN_WORD_MATCH",
    "MatchScore",
    "candidates",
    "match_label",
    "normalise",
    "score",
    "word_match_ratio",
]
