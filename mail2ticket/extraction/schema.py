"""Turn whatever an extractor answered into fields that validate against the category's schema.

Schema-constrained decoding guarantees the JSON shape, not that the values make sense: a date
field can hold ``2025-02-30``, a model without a grammar (or another engine) can answer
``"12/03"``, ``"hier"``, ``"Critical"`` or a comma-separated string where a list is expected.
The ticketing tool needs clean values, and a bad field must not cost the good ones, so each
field is normalised on its own (dates through dateparser with French settings, relative to the
e-mail's reception time) and validated by a pydantic model derived from the schema; a field
that still does not validate is dropped, never the whole answer.

The conventions every finalised answer follows (``taxonomy.yaml`` marks the fields they apply to):

* **copied, never invented**: a field marked ``copied`` (hostnames, paths, job names, accounts,
  error messages) keeps a value only if the e-mail contains it (:func:`copied_from`: whitespace
  runs collapsed, surrounding quotes and punctuation trimmed, case ignored where the field says
  ``ignore_case``); otherwise it is absent. In a list, the elements the e-mail does not contain
  are dropped, and a list left empty is absent, never ``[]``;
* absent values are left out (null), lists are JSON arrays;
* dates are ISO 8601, read relative to the e-mail's reception time; a relative date (``hier``,
  ``lundi dernier``, ``cette nuit``, ``le 12/03`` without a year) with no reception time to
  resolve it against is absent, never resolved against the day the code runs;
* the model writes a date as the e-mail's own words (``avant-hier``, ``du 12/03``), which are
  copied like a hostname (case ignored) and only then read as a date: a date the e-mail does not
  state is absent, and the calendar arithmetic is dateparser's, not the model's. The alert
  parsers write ISO dates read from fixed formats and are not held to this.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Mapping
from datetime import date, datetime
from functools import lru_cache
from typing import Any, Literal
from zoneinfo import ZoneInfo

from pydantic import BaseModel, ConfigDict, Field, ValidationError, create_model

from mail2ticket.extraction.dates import (
    DATE_FORMATS,
    DEFAULT_TIMEZONE,
    PLAUSIBLE_YEARS,
    parse_moment,
    parse_received_at,
)

#: String values that mean "nothing" and must not become a field.
_EMPTY_VALUES = {"", "null", "none", "n/a", "na", "nan", "inconnu", "inconnue", "non précisé", "non renseigné", "…"}
_EMPTY_VALUES.add("...")
_TRUE = {"true", "oui", "vrai", "yes", "o", "y", "1"}
_FALSE = {"false", "non", "faux", "no", "n", "0"}

#: Characters trimmed from both ends of a copied value before it is looked for in the e-mail.
_COPY_EDGES = " \t\"'«»“”‘’`.,;:!?()[]{}<>"
_QUOTE_MARKERS = re.compile(r"(?m)^[ \t]*(?:>[ \t]?)+")


def fold(text: str) -> str:
    """Case-, accent- and spacing-insensitive form of a text, for comparisons only."""
    decomposed = unicodedata.normalize("NFKD", text.casefold())
    return " ".join("".join(c for c in decomposed if not unicodedata.combining(c)).split())


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


def _haystacks(email: str) -> list[str]:
    """The e-mail with whitespace runs collapsed, then also without reply quote markers ('> ')."""
    texts = [" ".join(unicodedata.normalize("NFC", email).split())]
    unquoted = " ".join(_QUOTE_MARKERS.sub("", unicodedata.normalize("NFC", email)).split())
    return texts if unquoted == texts[0] else [*texts, unquoted]


def copied_from(value: str, email: str, ignore_case: bool = False) -> str | None:
    """``value`` if the e-mail contains it, else None: the *copied, never invented* rule.

    Whitespace runs count as one space on both sides, and surrounding quotes and punctuation
    (``"SRV01".``) are trimmed when the value is not found as written. With ``ignore_case``
    (hostnames) case is ignored and the e-mail's own spelling is returned (the value as written
    when the e-mail has it so, else its first occurrence as a whole word, else its first one).
    """
    text = " ".join(unicodedata.normalize("NFC", str(value)).split())
    candidates = [text]
    trimmed = text.strip(_COPY_EDGES)
    if trimmed != text:
        candidates.append(trimmed)
    haystacks = _haystacks(email)
    for candidate in candidates:
        if not candidate:
            continue
        for haystack in haystacks:
            if not ignore_case:
                if candidate in haystack:
                    return candidate
                continue
            found = _find_ignoring_case(candidate, haystack)
            if found is not None:
                return found
    return None


def _is_word_char(char: str) -> bool:
    return char.isalnum() or char == "_"


def _find_ignoring_case(candidate: str, haystack: str) -> str | None:
    """``candidate`` as the e-mail spells it: as written if found so, else preferably a whole word."""
    if candidate in haystack:
        return candidate
    lowered, needle = haystack.lower(), candidate.lower()
    if len(lowered) != len(haystack) or len(needle) != len(candidate):  # rare casings that change length
        return candidate if needle in lowered else None
    starts = [m.start() for m in re.finditer(re.escape(needle), lowered)]
    if not starts:
        return None
    end = len(needle)

    def alone(i: int) -> bool:
        before = i == 0 or not _is_word_char(haystack[i - 1])
        return before and (i + end == len(haystack) or not _is_word_char(haystack[i + end]))

    whole = [i for i in starts if alone(i)]
    start = (whole or starts)[0]
    return haystack[start : start + end]


def keep_copied(value: Any, email: str, ignore_case: bool = False) -> Any:
    """A copied field's value with what the e-mail does not contain removed (None: absent).

    A string is kept (as :func:`copied_from` finds it) or dropped; a list keeps the elements
    the e-mail contains, distinct, and an empty list is absent.
    """
    if value is None:
        return None
    if isinstance(value, list):
        kept: list[str] = []
        for item in value:
            found = copied_from(item, email, ignore_case) if isinstance(item, str) else None
            if found is not None and found not in kept:
                kept.append(found)
        return kept or None
    if isinstance(value, str):
        return copied_from(value, email, ignore_case)
    return None  # a copied field holds text; anything else was not copied


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
        if fmt in DATE_FORMATS:
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
    email: str | None = None,
    copied: Mapping[str, bool] | None = None,
    quoted_dates: bool = False,
) -> dict[str, Any]:
    """Normalised, schema-valid fields of ``raw``; unknown and invalid fields are dropped.

    Dates come out as ``YYYY-MM-DD``; date-times as ISO 8601 with the offset of ``timezone``
    on the wall-clock time the e-mail states (a grammar makes models write *some* offset, which
    the e-mail rarely gives, so the model's offset carries no information); a relative date
    without ``received_at`` is dropped. Lists are arrays of distinct non-empty strings, never
    empty. Field order follows the schema.

    ``copied`` names the fields whose values must be copied from ``email`` (each mapped to
    whether case is ignored, see :meth:`mail2ticket.taxonomy.FieldSpec.copied`): with the e-mail
    given, a value it does not contain is dropped (:func:`keep_copied`). Without the e-mail
    there is nothing to check them against and they are kept as normalised.

    ``quoted_dates`` (the model's answers) says the dates are the e-mail's words: with the
    e-mail given, a date value the e-mail does not contain is dropped before it is read.
    """
    if not isinstance(raw, dict):
        return {}
    properties: dict[str, Any] = schema.get("properties", {})
    base = parse_received_at(received_at)
    checked = dict(copied or {}) if email is not None else {}
    cleaned: dict[str, Any] = {}
    for name, spec in properties.items():
        value = raw.get(name)
        if quoted_dates and email is not None and spec.get("format") in DATE_FORMATS:
            value = copied_from(value, email, ignore_case=True) if isinstance(value, str) else None
        value = normalise_value(spec, value, base, timezone)
        if name in checked and email is not None:
            value = keep_copied(value, email, checked[name])
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
    "copied_from",
    "fold",
    "keep_copied",
    "normalise_value",
    "output_model",
    "parse_moment",
    "parse_received_at",
    "validate_fields",
]
