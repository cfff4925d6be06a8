"""The decision form: inputs generated from a category's JSON Schema, and the values read back.

The form is derived from the same JSON Schema the extractor decodes under and the store checks a
decision against (:meth:`mail2ticket.taxonomy.Category.json_schema`), so a field added to the
taxonomy appears on the page with no template change. Each JSON type gets the input a person
can fill without knowing JSON: a select for an enum, a checkbox for a boolean, a date picker for
a ``date``, a text area (one value per line, or comma-separated) for a list of strings.

Inputs are named ``f.<category key>.<field>``: every category's fieldset is in the page (the
category select switches between them without a round trip), and only the chosen category's
values are read back.

Also here: :func:`highlight`, which shows where the client's first e-mail sits in the thread.
E-mails are untrusted HTML: every character of them is escaped, the only markup is our ``<mark>``.
"""

from __future__ import annotations

import html
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from mail2ticket.taxonomy import Category

#: Time zone of a date-time typed without an offset (the reviewers and their clients are in France).
LOCAL_ZONE = "Europe/Paris"
#: The hidden marker of a boolean that had a value: unchecking it then means false, not "not said".
BOOLEAN_SET_SUFFIX = ".set"


@dataclass
class FieldInput:
    """One input of the form, ready for the template."""

    name: str
    input_name: str
    kind: str  # text, select, checkbox, date, datetime, integer, list
    label: str = ""
    description: str = ""
    options: list[str] = field(default_factory=list)
    value: str = ""
    checked: bool = False
    was_set: bool = False
    error: str | None = None


def input_name(category: Category, name: str) -> str:
    return f"f.{category.key}.{name}"


def _kind(schema: Mapping[str, Any]) -> str:
    kind = schema.get("type")
    if kind == "array":
        return "list"
    if kind == "boolean":
        return "checkbox"
    if kind == "integer":
        return "integer"
    if "enum" in schema:
        return "select"
    return {"date": "date", "date-time": "datetime"}.get(schema.get("format", ""), "text")


def _display(kind: str, value: Any) -> str:
    if value is None:
        return ""
    if kind == "list":
        return "\n".join(str(v) for v in value) if isinstance(value, list) else str(value)
    return str(value)


def field_inputs(
    category: Category, values: Mapping[str, Any], errors: Mapping[str, str] | None = None
) -> list[FieldInput]:
    """The inputs of ``category``'s fields, filled with ``values`` (a ticket's fields)."""
    errors = errors or {}
    inputs = []
    for name, schema in category.json_schema()["properties"].items():
        kind = _kind(schema)
        value = values.get(name)
        inputs.append(
            FieldInput(
                name=name,
                input_name=input_name(category, name),
                kind=kind,
                label=category.fields[name].label or name,
                description=schema.get("description", ""),
                options=list(schema.get("enum", [])),
                value="" if kind == "checkbox" else _display(kind, value),
                checked=value is True,
                was_set=value is not None,
                error=errors.get(name),
            )
        )
    return inputs


def split_list(text: str) -> list[str]:
    """A list typed in a text area: one value per line, or comma-separated on a single line."""
    parts = text.splitlines() if "\n" in text.strip() else text.split(",")
    return [p.strip() for p in parts if p.strip()]


def _local_zone() -> Any:
    try:
        return ZoneInfo(LOCAL_ZONE)
    except ZoneInfoNotFoundError:  # no tz database in the image: the offset must be typed
        return None


def parse_fields(category: Category, form: Mapping[str, Sequence[str]]) -> tuple[dict[str, Any], dict[str, str]]:
    """The fields of ``category`` as submitted, typed for its JSON Schema, and the errors per field (French).

    Blank inputs are left out (a field the e-mail does not give is absent, never empty).
    """
    fields: dict[str, Any] = {}
    errors: dict[str, str] = {}
    for name, schema in category.json_schema()["properties"].items():
        key = input_name(category, name)
        raw = (form.get(key) or [""])[-1].strip()
        kind = _kind(schema)
        if kind == "checkbox":
            if raw:
                fields[name] = True
            elif form.get(key + BOOLEAN_SET_SUFFIX):
                fields[name] = False
            continue
        if not raw:
            continue
        if kind == "list":
            fields[name] = split_list(raw)
        elif kind == "integer":
            try:
                fields[name] = int(raw)
            except ValueError:
                errors[name] = "Un nombre entier est attendu."
        elif kind == "date":
            try:
                fields[name] = date.fromisoformat(raw).isoformat()
            except ValueError:
                errors[name] = "Une date est attendue (AAAA-MM-JJ)."
        elif kind == "datetime":
            try:
                moment = datetime.fromisoformat(raw.replace(" ", "T", 1))
            except ValueError:
                errors[name] = "Une date et une heure sont attendues (AAAA-MM-JJTHH:MM, fuseau facultatif)."
                continue
            if moment.tzinfo is None:
                zone = _local_zone()
                if zone is None:
                    errors[name] = "Précisez le fuseau horaire (par exemple +01:00)."
                    continue
                moment = moment.replace(tzinfo=zone)
            fields[name] = moment.isoformat()
        elif kind == "select" and raw not in schema["enum"]:
            errors[name] = "Choisissez une des valeurs proposées."
        else:
            fields[name] = raw
    return fields, errors


def errors_by_field(category: Category, messages: Sequence[str]) -> dict[str, str]:
    """The store's schema errors (``field: message``) per field; the rest under ``""`` (the whole form)."""
    found: dict[str, str] = {}
    for message in messages:
        name, sep, text = message.partition(": ")
        if sep and name in category.fields:
            found[name] = f"Valeur refusée : {text}"
        else:
            found[""] = (found.get("", "") + " " + message).strip()
    return found


def _pattern(text: str) -> re.Pattern[str] | None:
    """``text`` as a pattern that tolerates another layout: line breaks, repeated spaces, and the
    ``>`` markers a reply puts before each quoted line."""
    words = text.split()
    if not words:
        return None
    return re.compile(r"\s+(?:>+\s*)*".join(re.escape(w) for w in words))


def find_first_email(email: str, first_email: str) -> tuple[int, int] | None:
    """Where the client's first e-mail is in the thread (exact, else ignoring the layout), or None."""
    if not first_email.strip():
        return None
    exact = email.find(first_email)
    if exact >= 0:
        return exact, exact + len(first_email)
    pattern = _pattern(first_email)
    found = pattern.search(email) if pattern is not None else None
    return (found.start(), found.end()) if found else None


def highlight(email: str | None, first_email: str | None) -> tuple[str, bool]:
    """The thread as HTML (everything escaped) with the first e-mail in ``<mark>``, and whether it was found.

    The result is the only HTML of the page built outside a template: it is made safe here, by
    escaping every character of the e-mail, and rendered as is.
    """
    if not email:
        return "", False
    span = find_first_email(email, first_email or "")
    if span is None:
        return html.escape(email), False
    start, end = span
    marked = '<mark id="premier-email">' + html.escape(email[start:end]) + "</mark>"
    return html.escape(email[:start]) + marked + html.escape(email[end:]), True


__all__ = [
    "FieldInput",
    "errors_by_field",
    "field_inputs",
    "find_first_email",
    "highlight",
    "parse_fields",
    "split_list",
]
