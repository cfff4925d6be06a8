"""The classical taggers an extraction adapter ships, and how they complete the model's answer.

A 135M model fine-tuned on a few hundred tickets writes JSON well but copies values badly: it
skips paths, invents dates, picks the wrong word for a server. Most fields, though, are either
words of the e-mail with a recognisable shape or one of a few values, which linear models trained
in seconds on the same tickets read far better. The trained extractor is therefore the adapter
*and* these taggers, fitted by the training step, saved in the adapter's folder (one sub-folder
each, skops files that run no code on load) and applied wherever the model answers:

- :class:`~mail2ticket.extraction.hostnames.HostnameTagger`: the host fields (``hostnames/``);
- :class:`~mail2ticket.extraction.spans.SpanTagger`: text written word for word: paths, job
  names, accounts, error texts, services (``spans/``);
- :class:`~mail2ticket.extraction.date_picker.DatePicker`: which stated date fills which date
  field (``dates/``);
- :class:`~mail2ticket.extraction.choices.ChoiceClassifier`: the ``enum`` and boolean fields
  (``choices/``);
- :class:`~mail2ticket.extraction.sentences.SentencePicker`: the paraphrased fields (a summary, a
  question, a requested change), answered with the client's own sentence (``sentences/``).

The model is asked only for the fields no tagger covers, so a category the taggers cover
entirely costs no model call at all.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path
from typing import TYPE_CHECKING, Any

from mail2ticket.extraction.choices import ChoiceClassifier
from mail2ticket.extraction.date_picker import DatePicker
from mail2ticket.extraction.hostnames import HostnameTagger, host_fields
from mail2ticket.extraction.sentences import SentencePicker
from mail2ticket.extraction.spans import SpanTagger
from mail2ticket.extraction.tagging import TAGGER_FILE, TaggerError

if TYPE_CHECKING:
    from mail2ticket.extraction.agent import ExtractionAgent

#: Each tagger's folder inside an extraction adapter's folder.
TAGGER_FOLDERS = {
    "hosts": "hostnames",
    "spans": "spans",
    "dates": "dates",
    "choices": "choices",
    "sentences": "sentences",
}
#: The class that reads each tagger's folder.
TAGGER_KINDS = {
    "hosts": HostnameTagger,
    "spans": SpanTagger,
    "dates": DatePicker,
    "choices": ChoiceClassifier,
    "sentences": SentencePicker,
}

#: A training example of the taggers: the agent, the e-mail, its reception time, its validated true fields.
TaggerExample = tuple["ExtractionAgent", str, "str | None", Mapping[str, Any]]


@dataclass
class FieldTaggers:
    """The taggers of one extraction adapter; one that had nothing to learn from is None."""

    hosts: HostnameTagger | None = None
    spans: SpanTagger | None = None
    dates: DatePicker | None = None
    choices: ChoiceClassifier | None = None
    sentences: SentencePicker | None = None
    #: Why a tagger was not trained, by tagger.
    skipped: dict[str, str] = field(default_factory=dict)

    @classmethod
    def fit(cls, examples: Iterable[TaggerExample]) -> FieldTaggers:
        """Train every tagger on the same tickets; one whose fields the tickets never fill is left out.

        The sentence picker is trained last, on the free-text fields the span tagger did not take.
        """
        examples = list(examples)
        without_time = [(agent, email, fields) for agent, email, _, fields in examples]
        agents = list({agent.key: agent for agent, *_ in examples}.values())
        taggers = cls()
        trainers = {
            "hosts": lambda: HostnameTagger.fit(
                (agent, email, fields) for agent, email, fields in without_time if host_fields(agent)
            ),
            "spans": lambda: SpanTagger.fit(without_time),
            "dates": lambda: DatePicker.fit(examples),
            "choices": lambda: ChoiceClassifier.fit(without_time),
            "sentences": lambda: SentencePicker.fit(without_time, taken=taggers.span_fields(agents)),
        }
        for name, train in trainers.items():
            try:
                setattr(taggers, name, train())
            except TaggerError as exc:
                taggers.skipped[name] = str(exc)
        return taggers

    def span_fields(self, agents: Iterable[ExtractionAgent]) -> dict[str, list[str]]:
        """The fields the span tagger fills, by category key (none without it)."""
        return {agent.key: self.spans.covers(agent) for agent in agents} if self.spans is not None else {}

    @property
    def parts(self) -> dict[str, Any]:
        """The trained taggers by name."""
        return {name: getattr(self, name) for name in TAGGER_FOLDERS if getattr(self, name) is not None}

    @property
    def metadata(self) -> dict[str, Any]:
        """Each trained tagger's figures, and why the others were not trained."""
        return {**{name: tagger.metadata for name, tagger in self.parts.items()}, "skipped": self.skipped}

    def covered(self, agent: ExtractionAgent) -> list[str]:
        """The agent's fields the taggers fill, in the schema's order (the model is not asked for them)."""
        names = set(host_fields(agent)) if self.hosts is not None else set()
        for tagger in (self.spans, self.dates, self.choices, self.sentences):
            if tagger is not None:
                names |= set(tagger.covers(agent))
        return [name for name in agent.fields if name in names]

    def fill(self, agent: ExtractionAgent, email: str, received_at: str | None, fields: Mapping[str, Any]) -> dict:
        """``fields`` (the model's answer) with every covered field replaced by its tagger's value, or absent.

        The result goes through :meth:`ExtractionAgent.finalize` with the e-mail, like the parsers'
        and the model's values: copied values are checked against it, dates are ISO 8601.
        """
        covered = set(self.covered(agent))
        filled = {name: value for name, value in fields.items() if name not in covered}
        if self.hosts is not None:
            filled |= {k: v for k, v in self.hosts.fill(agent, email, {}).items() if k in covered}
        if self.spans is not None:
            filled |= self.spans.values(agent, email)
        if self.dates is not None:
            filled |= self.dates.values(agent, email, received_at)
        if self.choices is not None:
            filled |= self.choices.values(agent, email)
        if self.sentences is not None:
            filled |= self.sentences.values(agent, email)
        return agent.finalize({name: filled[name] for name in agent.fields if name in filled}, received_at, email)

    def save(self, adapter_dir: str | Path) -> Path:
        """Write each trained tagger into its folder of ``adapter_dir``."""
        for name, tagger in self.parts.items():
            tagger.save(Path(adapter_dir) / TAGGER_FOLDERS[name])
        return Path(adapter_dir)

    @classmethod
    def load(cls, adapter_dir: str | Path) -> FieldTaggers | None:
        """The taggers saved in ``adapter_dir``, or None when it has none (the bare model, an older adapter)."""
        folders = {name: Path(adapter_dir) / sub for name, sub in TAGGER_FOLDERS.items()}
        present = {name: folder for name, folder in folders.items() if (folder / TAGGER_FILE).is_file()}
        if not present:
            return None
        return cls(**{name: TAGGER_KINDS[name].load(folder) for name, folder in present.items()})


@lru_cache(maxsize=8)
def adapter_taggers(adapter_dir: str | None) -> FieldTaggers | None:
    """The taggers an extraction adapter's folder ships, read once per folder (None: none shipped)."""
    if not adapter_dir or not Path(adapter_dir).is_dir():
        return None
    return FieldTaggers.load(adapter_dir)


def model_schema(taggers: FieldTaggers | None, agent: ExtractionAgent) -> dict[str, Any]:
    """The schema the model decodes under: the agent's, less the fields ``taggers`` cover (no property: no call)."""
    return agent.decoding_schema_without(taggers.covered(agent) if taggers is not None else [])


def fill_fields(
    taggers: FieldTaggers | None,
    agent: ExtractionAgent,
    emails: Sequence[str],
    received_at: Sequence[str | None],
    answers: Sequence[Mapping[str, Any]],
) -> list[dict[str, Any]]:
    """Each answer completed by ``taggers`` (unchanged without them)."""
    if taggers is None:
        return [dict(answer) for answer in answers]
    return [
        taggers.fill(agent, email, when, answer)
        for email, when, answer in zip(emails, received_at, answers, strict=True)
    ]


__all__ = [
    "TAGGER_FOLDERS",
    "TAGGER_KINDS",
    "FieldTaggers",
    "TaggerExample",
    "adapter_taggers",
    "fill_fields",
    "model_schema",
]
