"""Request and response bodies of the HTTP API, for validation and OpenAPI.

Requests are validated strictly: a number where the e-mail text should be is an error, not a
string "123"; unknown keys are refused (a client writing ``mail`` for ``email`` learns it at
once instead of getting a ticket for an empty e-mail).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, field_validator


def _is_valid_unicode(value: str) -> bool:
    """False for lone surrogates (``"\\ud800"`` in JSON): they are not text and break tokenizers."""
    try:
        value.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", strict=True)

    @field_validator("*", mode="after")
    @classmethod
    def _unicode(cls, value: Any) -> Any:
        if isinstance(value, str) and not _is_valid_unicode(value):
            raise ValueError("contains invalid Unicode (a lone surrogate)")
        return value


class ClassifyRequest(_Strict):
    """An e-mail to classify."""

    email: str = Field(description="The e-mail text, or the whole thread: the client's first e-mail is isolated.")

    @field_validator("email")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("the e-mail is empty")
        return value


class TicketRequest(ClassifyRequest):
    """An e-mail to turn into a ticket."""

    subject: str | None = Field(None, max_length=2000, description="Subject line; helps the extractor.")
    sender: str | None = Field(None, max_length=320, description="Sender address (audited hashed, not used).")
    received_at: datetime | None = Field(
        None, description="ISO 8601 reception time: relative dates in the e-mail ('hier') are resolved from it."
    )


class ErrorBody(BaseModel):
    code: str = Field(description="Stable machine-readable code, e.g. empty_email, invalid_json, overloaded.")
    message: str = Field(description="What is wrong and what to do about it.")
    details: list[dict[str, Any]] | None = Field(None, description="Per-field problems of a validation error.")


class ErrorResponse(BaseModel):
    request_id: str
    error: ErrorBody


class ClassifyResponse(BaseModel):
    request_id: str
    category: str = Field(description="One of the taxonomy's labels, or 'unknown'.")
    confidence: float = Field(description="Probability of the category (0..1).")
    needs_review: bool = Field(description="Under the category's review threshold, or 'unknown': a human decides.")
    scores: dict[str, float] = Field(description="Probability of every label, highest first.")
    first_email: str = Field(description="The client's first e-mail, as isolated from the thread.")
    models: dict[str, Any] = Field(
        description="Engine, base model, classifier adapter version, and which classifier answered (llm or classical)."
    )
    timings_ms: dict[str, float]


class TicketResponse(BaseModel):
    request_id: str
    category: str = Field(description="One of the taxonomy's labels, or 'unknown'.")
    confidence: float
    needs_review: bool
    fields: dict[str, Any] = Field(description="The category's extraction fields (its JSON Schema; all optional).")
    first_email: str
    models: dict[str, Any] = Field(
        description="Engine, base model, classifier adapter version, which classifier answered, extractor agent."
    )
    timings_ms: dict[str, float]


def request_body_schema(model: type[BaseModel]) -> dict[str, Any]:
    """OpenAPI ``requestBody`` for routes that read and validate the body themselves."""
    return {
        "requestBody": {
            "required": True,
            "content": {"application/json": {"schema": model.model_json_schema(mode="validation")}},
        }
    }
