"""Which of the dates an e-mail states fills which date field, chosen by a classifier trained beside the adapter.

The e-mail's date mentions are found and read without any model (:func:`date_mentions`:
"avant-hier", "mardi 11 avril", "le 12/03 à 14h", relative ones against the reception time). What
is left is a choice: the restore asks for "l'état du 12/03", not the "hier" the user noticed the
loss; the access ends "jusqu'au 30/06", it does not start then. A logistic regression reads each
mention's neighbouring words, its shape and whether it lies before or after the reception, and
scores it for the field; the best mention above :attr:`DatePickerConfig.threshold` fills it.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import TYPE_CHECKING, Any

from pydantic import BaseModel, ConfigDict, Field

from mail2ticket.extraction.dates import DateMention, date_mentions, iso_value, parse_moment, parse_received_at
from mail2ticket.extraction.hostnames import word_shape
from mail2ticket.extraction.tagging import FittedTagger, TaggerError, fit_word_classifier

if TYPE_CHECKING:
    from mail2ticket.extraction.agent import ExtractionAgent

_WORDS = re.compile(r"[\w'’-]+")


class DatePickerError(TaggerError):
    """A date picker that cannot be trained or loaded."""


class DatePickerConfig(BaseModel):
    """How the date picker is trained and when a mention fills a field."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    threshold: float = Field(
        default=0.5, gt=0.0, lt=1.0, description="Score above which the best mention fills the field."
    )
    regularisation: float = Field(default=1.0, gt=0.0, description="Inverse regularisation strength C.")
    max_chars: int = Field(default=3_000, ge=100, description="Text past this many characters is not read.")


def _is_timed(agent: ExtractionAgent, name: str) -> bool:
    return agent.schema["properties"][name]["format"] == "date-time"


def mention_features(
    text: str, mentions: list[DateMention], i: int, base: datetime | None, category_key: str, field: str
) -> dict[str, Any]:
    """What the picker reads of mention ``i`` for ``field``: neighbouring words, its words, when it falls."""
    mention = mentions[i]
    before = _WORDS.findall(text[max(0, mention.start - 40) : mention.start].lower())[-3:]
    after = _WORDS.findall(text[mention.end : mention.end + 30].lower())[:2]
    last = before[-1] if before else "<s>"
    features: dict[str, Any] = {
        f"field={category_key}.{field}": 1,
        f"before={last}": 1,
        f"before2={' '.join(before[-2:])}": 1,
        f"after={after[0] if after else '</s>'}": 1,
        f"field={field}|before={last}": 1,
        f"shape={word_shape(mention.text)[:10]}": 1,
        f"words={min(len(mention.text.split()), 4)}": 1,
        "first": i == 0,
        "last": i == len(mentions) - 1,
        "time": bool(mention.moment.hour or mention.moment.minute),
    }
    for word in before:
        features[f"near={word}"] = 1
    for word in _WORDS.findall(mention.text.lower()):
        features[f"word={word}"] = 1
    if base is not None:
        days = (mention.moment.date() - base.date()).days
        when = "past" if days < 0 else "today" if days == 0 else "future"
        features[f"when={when}"] = 1
        features[f"field={field}|when={when}"] = 1
        features[f"distance={min(abs(days), 40) // 4}"] = 1
    return features


class DatePicker(FittedTagger):
    """Scores each date mention of an e-mail for each date field: a DictVectorizer and a logistic regression."""

    config_type = DatePickerConfig
    error_type = DatePickerError
    config: DatePickerConfig

    @classmethod
    def fit(
        cls,
        examples: Iterable[tuple[ExtractionAgent, str, str | None, Mapping[str, Any]]],
        config: DatePickerConfig | None = None,
    ) -> DatePicker:
        """Train on ``(agent, e-mail, received_at, validated true fields)``: a mention of the true date is right."""
        config = config or DatePickerConfig()
        rows: list[dict[str, Any]] = []
        labels: list[bool] = []
        keys: set[str] = set()
        dates = found = 0
        for agent, email, received_at, fields in examples:
            if not agent.date_fields:
                continue
            base = parse_received_at(received_at)
            mentions = date_mentions(email, base, config.max_chars)
            text = " ".join(email.split())
            for name in agent.date_fields:
                keys.add(agent.key)
                truth = parse_moment(str(fields[name])) if fields.get(name) is not None else None
                timed = _is_timed(agent, name)
                right = [truth is not None and iso_value(m.moment, timed) == iso_value(truth, timed) for m in mentions]
                dates, found = dates + (truth is not None), found + any(right)
                rows += [mention_features(text, mentions, i, base, agent.key, name) for i in range(len(mentions))]
                labels += right
        if len(set(labels)) < 2:
            raise DatePickerError(f"{len(labels)} date mentions, {sum(labels)} of them true dates: nothing to learn")
        pipeline, seconds = fit_word_classifier(rows, labels, config.regularisation)
        metadata = {
            "categories": sorted(keys),
            "mentions": len(labels),
            "true_dates": dates,
            "true_dates_mentioned": found,
            "seconds": seconds,
            "config": config.model_dump(),
        }
        return cls(pipeline, config, metadata)

    def covers(self, agent: ExtractionAgent) -> list[str]:
        """The agent's date fields, when its category had dates to learn from."""
        return agent.date_fields if agent.key in self.metadata["categories"] else []

    def values(self, agent: ExtractionAgent, email: str, received_at: str | None) -> dict[str, Any]:
        """Each covered field's best-scored mention, as an ISO value, when it scores above the threshold."""
        names = self.covers(agent)
        base = parse_received_at(received_at)
        mentions = date_mentions(email, base, self.config.max_chars) if names else []
        if not mentions:
            return {}
        text = " ".join(email.split())
        found = {}
        for name in names:
            rows = [mention_features(text, mentions, i, base, agent.key, name) for i in range(len(mentions))]
            scores = self.model.predict_proba(rows)[:, list(self.model.classes_).index(True)]
            best = max(range(len(mentions)), key=lambda i: scores[i])
            if scores[best] >= self.config.threshold:
                found[name] = iso_value(mentions[best].moment, _is_timed(agent, name))
        return found


__all__ = ["DatePicker", "DatePickerConfig", "DatePickerError", "mention_features"]
