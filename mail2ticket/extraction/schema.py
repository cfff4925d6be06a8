"""Turn whatever an extractor answered into fields that validate against the category's schema.

Schema-constrained decoding guarantees the JSON shape, not that the values make sense: a date
field can hold ``2025-02-30``, a model without a grammar (or another engine) can answer
``"12/03"``, ``"hier"``, ``"Critical"`` or a comma-separated string where a list is expected.
The ticketing tool needs clean values, and a bad field must not cost the good ones, so each
field is normalised on its own (dates through dateparser with French settings, relative to the
e-mail's reception time) and validated by a pydantic model derived from the schema; a field
that still does not validate is dropped, never the whole answer.
"""

from __future__ import annotations

import re
import unicodedata
from datetime import date, datetime
from functools import lru_cache
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model

#: Time zone of the wall-clock times French e-mails state (they almost never give an offset).
DEFAULT_TIMEZONE = "Europe/Paris"

#: Years outside this window are hallucinations (a restore to 1234), not dates of a ticket.
PLAUSIBLE_YEARS = range(1990, 2101)

#: String values that mean "nothing" and must not become a field.
_EMPTY_VALUES = {"", "null", "none", "n/a", "na", "nan", "inconnu", "inconnue", "non précisé", "non renseigné", "…"}
_EMPTY_VALUES.add("...")
_TRUE = {"true", "oui", "vrai", "yes", "o", "y", "1"}
_FALSE = {"false", "non", "faux", "no", "n", "0"}

# French time-of-day phrasings dateparser does not read: "14h30", "hier soir", "cette nuit".
_HOUR = re.compile(r"\b(\d{1,2})\s?h\s?(\d{2})?\b", re.IGNORECASE)
_PART_OF_DAY = r"(?:soir|matin|midi|après-midi|apres-midi|nuit|soirée|matinée)"
_TODAY_PART = re.compile(rf"\b(?:cette|ce|cet)\s+{_PART_OF_DAY}\b", re.IGNORECASE)
_DAY_PART = re.compile(rf"\b(hier|demain|avant-hier|après-demain)\s+{_PART_OF_DAY}\b", re.IGNORECASE)


def fold(text: str) -> str:
    """Case-, accent- and spacing-insensitive form of a text, for comparisons only."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


def parse_moment(text: str, received_at: datetime | None = None) -> datetime | None:
    """A date or date-time written in an e-mail, ISO or French/English prose, as a naive datetime.

    ISO 8601 is read exactly (dateparser's day-first order must not swap ``2025-03-12``);
    anything else goes through dateparser, day first, relative to ``received_at`` (``hier`` is
    the day before the e-mail arrived, not before the evaluation ran). A bare number is not a
    date, and a year outside :data:`PLAUSIBLE_YEARS` is rejected.
    """
    text = " ".join(text.split())
    if not text or text.isdigit():
        return None
    try:
        moment = datetime.fromisoformat(text)
    except ValueError:
        moment = _dateparser(text, received_at)
    if moment is None or moment.year not in PLAUSIBLE_YEARS:
        return None
    return moment.replace(tzinfo=None, microsecond=0)  # e-mails state seconds at most


def _dateparser(text: str, received_at: datetime | None) -> datetime | None:
    import dateparser
    from dateparser.search import search_dates

    text = _HOUR.sub(lambda m: f"{m.group(1)}:{m.group(2) or '00'}", text)
    text = _TODAY_PART.sub("aujourd'hui", text)
    text = _DAY_PART.sub(lambda m: m.group(1), text)
    settings: dict[str, Any] = {
        "DATE_ORDER": "DMY",
        "RETURN_AS_TIMEZONE_AWARE": False,
        "REQUIRE_PARTS": ["day", "month"],
    }
    if received_at is not None:
        settings["RELATIVE_BASE"] = received_at.replace(tzinfo=None)
    languages = ["fr", "en"]
    moment = dateparser.parse(text, languages=languages, settings=settings)
    if moment is None:  # "jusqu'au 30/06", "restaurer l'état du 12/03": the date inside a phrase
        found = search_dates(text, languages=languages, settings=settings)
        moment = found[0][1] if found else None
    return moment


def parse_received_at(received_at: str | datetime | None) -> datetime | None:
    """The reception time of an e-mail, or None when absent or unreadable (then: now)."""
    if received_at is None or isinstance(received_at, datetime):
        return received_at
    try:
        return datetime.fromisoformat(received_at.strip())
    except ValueError:
        return None


def _as_list(value: Any) -> list[str] | None:
    if isinstance(value, str):
        value = re.split(r"[,;\n]", value)
    if not isinstance(value, list):
        return None
    items: list[str] = []
    for item in value:
        if isinstance(item, bool) or not isinstance(item, str | int | float):
            continue
        text = " ".join(str(item).split())
        if text.casefold() not in _EMPTY_VALUES and text not in items:
            items.append(text)
    return items or None


def normalise_value(spec: dict[str, Any], value: Any, received_at: datetime | None, timezone: str) -> Any:
    """``value`` in the form ``spec`` (a property of a JSON Schema) asks for, or None to drop it."""
    if value is None:
        return None
    kind, fmt = spec.get("type"), spec.get("format")
    if spec.get("enum"):
        folded = fold(str(value))
        return next((option for option in spec["enum"] if fold(str(option)) == folded), None)
    if kind == "array":
        return _as_list(value)
    if kind == "boolean":
        if isinstance(value, bool):
            return value
        word = fold(str(value))
        return True if word in _TRUE else False if word in _FALSE else None
    if kind == "string":
        if isinstance(value, bool) or not isinstance(value, str | int | float):
            return None
        text = " ".join(str(value).split())
        if text.casefold() in _EMPTY_VALUES:
            return None
        if fmt in ("date", "date-time"):
            moment = parse_moment(text, received_at)
            if moment is None:
                return None
            if fmt == "date":
                return moment.date().isoformat()
            return moment.replace(tzinfo=ZoneInfo(timezone)).isoformat()
        return text
    return value  # integers, numbers, anything else: pydantic decides


def _python_type(spec: dict[str, Any]) -> Any:
    """The pydantic type of one property (all optional: a missing field is None)."""
    if spec.get("enum"):
        return Literal[tuple(spec["enum"])]
    kind, fmt = spec.get("type"), spec.get("format")
    if kind == "string":
        return {"date": date, "date-time": datetime}.get(fmt, str)
    if kind == "array":
        return list[_python_type(spec.get("items", {}))] if spec.get("items") else list[Any]
    return {"boolean": bool, "integer": int, "number": float}.get(str(kind), Any)


@lru_cache(maxsize=64)
def _output_model(schema_key: str, schema_json: str) -> type[BaseModel]:
    import json

    schema = json.loads(schema_json)
    definitions: dict[str, Any] = {}
    for index, (name, spec) in enumerate(schema.get("properties", {}).items()):
        # Positional attribute names with the property as alias: a YAML field called "json" or
        # "schema" must not shadow a BaseModel attribute.
        definitions[f"field_{index}"] = (_python_type(spec) | None, Field(default=None, alias=name))
    return create_model(  # type: ignore[call-overload]
        f"{schema_key}_fields",
        __config__=ConfigDict(extra="ignore", populate_by_name=False, strict=False),
        **definitions,
    )


def output_model(schema: dict[str, Any]) -> type[BaseModel]:
    """The pydantic model of a category's extraction output, derived from its JSON Schema."""
    import json

    key = re.sub(r"\W", "_", str(schema.get("title") or "extraction"))
    return _output_model(key, json.dumps(schema, ensure_ascii=False))  # property order matters


def validate_fields(
    schema: dict[str, Any],
    raw: Any,
    received_at: str | datetime | None = None,
    timezone: str = DEFAULT_TIMEZONE,
) -> dict[str, Any]:
    """Normalised, schema-valid fields of ``raw``; unknown and invalid fields are dropped.

    Dates come out as ``YYYY-MM-DD``; date-times as ISO 8601 with the offset of ``timezone``
    on the wall-clock time the e-mail states (a grammar makes models write *some* offset, which
    the e-mail rarely gives, so the model's offset carries no information). Lists are arrays
    of distinct non-empty strings. Field order follows the schema.
    """
    if not isinstance(raw, dict):
        return {}
    properties: dict[str, Any] = schema.get("properties", {})
    base = parse_received_at(received_at)
    cleaned: dict[str, Any] = {}
    for name, spec in properties.items():
        value = normalise_value(spec, raw.get(name), base, timezone)
        if value is not None:
            cleaned[name] = value
    model = output_model(schema)
    while True:
        try:
            validated = model.model_validate(cleaned)
            break
        except ValidationError as exc:
            bad = {str(error["loc"][0]) for error in exc.errors() if error.get("loc")}
            if not bad & cleaned.keys():  # nothing left to drop: give up on the answer, not crash
                return {}
            for name in bad:
                cleaned.pop(name, None)
    return validated.model_dump(mode="json", by_alias=True, exclude_none=True)


__all__ = [
    "DEFAULT_TIMEZONE",
    "PLAUSIBLE_YEARS",
    "fold",
    "normalise_value",
    "output_model",
    "parse_moment",
    "parse_received_at",
    "validate_fields",
]
