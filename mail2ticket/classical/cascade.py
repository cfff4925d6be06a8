"""Which model answers an e-mail: the LLM, the classical model, or a cascade of the two.

The classical model answers in a millisecond and is very often right; the LLM costs a forward
pass of a language model per e-mail. In the cascade the classical model answers when its
calibrated probability clears a threshold tuned on the validation split, and hands the e-mails
it is unsure of to the LLM. Evaluation and serving both decide through :class:`Routing`, so the
served figures are the evaluated ones.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from mail2ticket.calibration import ALWAYS_REVIEW, Calibration

ClassifierKind = Literal["llm", "classical", "cascade"]
CLASSIFIER_KINDS: tuple[str, ...] = ("llm", "classical", "cascade")
#: The adapter metadata's section written by the training step.
METADATA_KEY = "calibration"


@dataclass(frozen=True)
class Routing:
    """The answering rule and the calibration of each model, as an adapter's metadata records them.

    Attributes:
        kind: ``llm``, ``classical`` or ``cascade``.
        cascade_threshold: Calibrated classical confidence at or above which the classical model answers.
        llm: Calibration of the LLM's probabilities (None: raw probabilities, taxonomy thresholds).
        classical: Calibration of the classical model's probabilities.
    """

    kind: ClassifierKind = "llm"
    cascade_threshold: float = ALWAYS_REVIEW
    llm: Calibration | None = None
    classical: Calibration | None = None

    def classical_answers(self, classical_confidence: float | None) -> bool:
        """Whether the classical model's answer stands (no LLM call)."""
        if self.kind == "classical":
            return True
        if self.kind == "llm" or classical_confidence is None:
            return False
        return classical_confidence >= self.cascade_threshold

    def calibration_of(self, model: str) -> Calibration | None:
        return self.classical if model == "classical" else self.llm

    def metadata(self) -> dict[str, Any]:
        """What the adapter's metadata stores (the kind is the serving configuration's choice)."""
        return {
            "cascade_threshold": self.cascade_threshold,
            "llm": self.llm.to_dict() if self.llm else None,
            "classical": self.classical.to_dict() if self.classical else None,
        }

    @classmethod
    def from_metadata(cls, metadata: dict[str, Any] | None, kind: ClassifierKind = "llm") -> Routing:
        """The routing of an adapter's metadata (its ``calibration`` section), answering as ``kind``."""
        if kind not in CLASSIFIER_KINDS:
            raise ValueError(f"unknown classifier {kind!r}; expected one of {', '.join(CLASSIFIER_KINDS)}")
        section = (metadata or {}).get(METADATA_KEY) or {}
        llm, classical = section.get("llm"), section.get("classical")
        return cls(
            kind=kind,
            cascade_threshold=float(section.get("cascade_threshold", ALWAYS_REVIEW)),
            llm=Calibration.from_dict(llm) if llm else None,
            classical=Calibration.from_dict(classical) if classical else None,
        )


__all__ = ["CLASSIFIER_KINDS", "METADATA_KEY", "ClassifierKind", "Routing"]
