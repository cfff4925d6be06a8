"""What the preparation takes: the export's columns, the parameters (recorded in the dataset card), its error.

:class:`PrepareConfig` is the one home of the preparation defaults: the KFP pipeline's
parameters derive from it (:func:`pipeline_defaults`), and the component turns a run's values
back into a configuration (:meth:`PrepareConfig.from_pipeline`). KFP parameters cannot be
None: an empty strategic list stands for "every taxonomy category".
"""

from __future__ import annotations

from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from mail2ticket.data.threads import DEFAULT_SUPPORT_DOMAINS

#: The columns of a ticket-system export, as the paper's tool names them.
TICKET = "Numéro de ticket"
DESCRIPTION = "Description"
CATEGORY = "Catégorie du ticket"
MESSAGE = "Message"
REQUIRED_COLUMNS: tuple[str, ...] = (TICKET, DESCRIPTION, CATEGORY, MESSAGE)
#: When the ticket was created. Optional: the paper's export does not have it; when present, the
#: preparation also writes the daily ticket counts per category (the forecasting pipeline's input).
CREATED = "Date de création"
#: Columns read when present, ignored by the classification steps (a blank value drops no row).
OPTIONAL_COLUMNS: tuple[str, ...] = (CREATED,)

ShareBasis = Literal["largest", "tickets", "strategic"]


class PrepareError(ValueError):
    """The input as a whole cannot be prepared; the message says why."""


class PrepareConfig(BaseModel):
    """Parameters of the preparation, recorded in the dataset card."""

    model_config = ConfigDict(extra="forbid")

    strategic_categories: list[str] | None = Field(
        default=None,
        description="Categories worth automating (the paper's strategic list); every name must be "
        "in the taxonomy. None means every taxonomy category.",
    )
    min_share: float = Field(default=0.02, ge=0.0, le=1.0, description="Minimum representativity of a kept category.")
    share_basis: ShareBasis = Field(
        default="largest",
        description="What min_share is measured against: 'largest' (the most frequent strategic "
        "category; the only reading under which the paper's Table 1 passes its own 2 % rule), "
        "'tickets' (all tickets) or 'strategic' (tickets of the strategic categories).",
    )
    unknown_share: float = Field(
        default=0.15,
        ge=0.0,
        lt=1.0,
        description="Share of the prepared tickets labelled 'unknown', drawn from the categories not kept "
        "(stratified by their category): production keeps receiving them. 0 is the paper's closed set.",
    )
    test_size: float = Field(default=0.2, gt=0.0, lt=1.0, description="Share of tickets in the test set.")
    validation_size: float = Field(
        default=0.1,
        ge=0.0,
        lt=0.5,
        description="Share of the training split held out (stratified) to calibrate confidences and review "
        "thresholds; 0 writes no validation set.",
    )
    seed: int = Field(default=42, description="Seed of the stratified split.")
    mask_pii: bool = Field(default=False, description="Mask e-mail addresses, phone numbers and IBANs.")
    support_domains: list[str] = Field(
        default_factory=lambda: list(DEFAULT_SUPPORT_DOMAINS),
        description="E-mail domains of the support desk; their messages are not the client's.",
    )
    encoding: str = Field(default="utf-8", description="Text encoding of a CSV export.")

    @classmethod
    def from_pipeline(cls, **parameters: Any) -> PrepareConfig:
        """The configuration of a pipeline run's parameters (an empty strategic list meaning every category)."""
        unknown = sorted(set(parameters) - set(PIPELINE_FIELDS))
        if unknown:
            raise ValueError(f"not preparation parameters of the pipeline: {', '.join(unknown)}")
        values = dict(parameters)
        if "strategic_categories" in values:
            values["strategic_categories"] = list(values["strategic_categories"] or []) or None
        if "support_domains" in values:
            values["support_domains"] = list(values["support_domains"])
        return cls(**values)


#: The fields a pipeline run sets, in the order the pipeline lists them.
PIPELINE_FIELDS: tuple[str, ...] = (
    "strategic_categories",
    "min_share",
    "share_basis",
    "unknown_share",
    "test_size",
    "validation_size",
    "seed",
    "mask_pii",
    "support_domains",
    "encoding",
)


def pipeline_defaults() -> dict[str, Any]:
    """The default of every :data:`PIPELINE_FIELDS` field as a pipeline parameter (None as an empty list)."""
    defaults = PrepareConfig().model_dump()
    return {name: [] if defaults[name] is None else defaults[name] for name in PIPELINE_FIELDS}


__all__ = [
    "CATEGORY",
    "CREATED",
    "DESCRIPTION",
    "MESSAGE",
    "OPTIONAL_COLUMNS",
    "PIPELINE_FIELDS",
    "REQUIRED_COLUMNS",
    "TICKET",
    "PrepareConfig",
    "PrepareError",
    "ShareBasis",
    "pipeline_defaults",
]
