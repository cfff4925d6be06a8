"""The ticket taxonomy: categories, review thresholds and extraction fields.

The taxonomy is data (``taxonomy.yaml``), not code: adding a category is a YAML change plus a
retraining. This module validates that file with pydantic so a broken taxonomy fails at load
time with a message that names the file, the category and the field, instead of surfacing
later as a confusing prompt or schema error.

Besides its type, a field states how its values are obtained and compared (:class:`FieldSpec`):

* ``copied: true``: the value is text the e-mail contains (hostnames, paths, job names,
  accounts, error messages), copied, never invented: a finalised answer keeps it only if the
  e-mail contains it (whitespace runs collapsed, surrounding quotes and punctuation trimmed),
  list elements the e-mail does not contain are dropped and an empty list is absent;
  ``ignore_case: true`` (hostnames) compares without case;
* ``match``: how evaluation compares a prediction with the truth, ``exact`` (after
  normalisation) or ``fuzzy`` (free text); by default ``fuzzy`` for a plain string field (not
  copied, no enum) and ``exact`` for everything else.

These two conventions change no prompt and no schema the model decodes against, so they are
not part of :attr:`Taxonomy.digest`: adapters trained before them still match.
"""

from __future__ import annotations

import hashlib
from functools import cached_property, lru_cache
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

DEFAULT_TAXONOMY_PATH = Path(__file__).with_name("taxonomy.yaml")
UNKNOWN = "unknown"

FieldType = Literal["string", "date", "datetime", "boolean", "integer", "string_list"]

#: How evaluation compares a field's predicted and true values (see :attr:`FieldSpec.comparison`).
FieldMatch = Literal["exact", "fuzzy"]

#: Field attributes that change neither the prompt nor the decoding schema (left out of the digest):
#: post-processing and evaluation rules, and the reviewers' label.
_POST_PROCESSING_ATTRIBUTES = {"copied", "ignore_case", "match", "label"}

#: JSON Schema fragment for each field type. Dates stay strings with a format so that
#: schema-constrained decoding produces ISO 8601 text the ticketing tool can ingest.
_JSON_TYPES: dict[str, dict[str, Any]] = {
    "string": {"type": "string"},
    "date": {"type": "string", "format": "date"},
    "datetime": {"type": "string", "format": "date-time"},
    "boolean": {"type": "boolean"},
    "integer": {"type": "integer"},
    "string_list": {"type": "array", "items": {"type": "string"}},
}


class TaxonomyError(ValueError):
    """A taxonomy file that cannot be used; the message names file, category and field."""


class FieldSpec(BaseModel):
    """One extraction field of a category."""

    model_config = ConfigDict(extra="forbid")

    type: FieldType
    label: str = Field(
        "",
        description="The field's name as the reviewers read it, in French (the review page); never shown to the model.",
    )
    description: str = ""
    enum: list[str] | None = Field(default=None, description="Allowed values (string fields only).")
    copied: bool = Field(
        default=False,
        description=(
            "The value is text the e-mail contains, copied, never invented (string and string_list "
            "fields): a value, or list element, the e-mail does not contain is dropped."
        ),
    )
    ignore_case: bool = Field(
        default=False, description="Look for a copied value without case (hostnames); only with 'copied'."
    )
    match: FieldMatch | None = Field(
        default=None,
        description="How evaluation compares values: 'exact' or 'fuzzy' (default: see 'comparison').",
    )

    @model_validator(mode="after")
    def _enum_only_on_strings(self) -> FieldSpec:
        if self.enum is not None and self.type != "string":
            raise ValueError("'enum' is only allowed on fields of type 'string'")
        if self.enum is not None and not self.enum:
            raise ValueError("'enum' must list at least one value")
        return self

    @model_validator(mode="after")
    def _copied_only_on_text(self) -> FieldSpec:
        if self.copied and self.type not in ("string", "string_list"):
            raise ValueError("'copied' is only allowed on fields of type 'string' or 'string_list'")
        if self.copied and self.enum is not None:
            raise ValueError("'copied' and 'enum' exclude each other (an enum value is chosen, not copied)")
        if self.ignore_case and not self.copied:
            raise ValueError("'ignore_case' is only allowed with 'copied: true'")
        if self.match == "fuzzy" and (self.type != "string" or self.enum is not None):
            raise ValueError("'match: fuzzy' is only allowed on free-text fields (type 'string', no 'enum')")
        return self

    @property
    def comparison(self) -> FieldMatch:
        """``match`` when given, else ``fuzzy`` for free text (a string, not copied, no enum), else ``exact``."""
        if self.match is not None:
            return self.match
        return "fuzzy" if self.type == "string" and self.enum is None and not self.copied else "exact"

    def json_schema(self) -> dict[str, Any]:
        schema = dict(_JSON_TYPES[self.type])
        if self.enum:
            schema["enum"] = list(self.enum)
        if self.description:
            schema["description"] = self.description
        return schema


class Category(BaseModel):
    """A ticket category: what the classifier may answer and what its extractor fills."""

    model_config = ConfigDict(extra="forbid")

    name: str = Field(description="Exact label, as the ticketing tool spells it.")
    key: str = Field(pattern=r"^[a-z][a-z0-9_]*$", description="Short identifier for files and agents.")
    description: str = Field(min_length=1, description="What belongs here; shown to the model.")
    review_threshold: float = Field(
        ge=0.0, le=1.0, description="Below this confidence a ticket is routed to human review."
    )
    examples: list[str] = Field(default_factory=list)
    fields: dict[str, FieldSpec] = Field(default_factory=dict)

    @field_validator("fields")
    @classmethod
    def _field_names_are_identifiers(cls, fields: dict[str, FieldSpec]) -> dict[str, FieldSpec]:
        for name in fields:
            if not name.isidentifier():
                raise ValueError(f"field name {name!r} is not a valid identifier")
        return fields

    @property
    def copied_fields(self) -> dict[str, bool]:
        """The fields marked ``copied``, each mapped to whether case is ignored when looking for it."""
        return {name: spec.ignore_case for name, spec in self.fields.items() if spec.copied}

    def json_schema(self) -> dict[str, Any]:
        """JSON Schema of this category's extraction output (every field optional)."""
        return {
            "title": self.key,
            "description": self.name,
            "type": "object",
            "properties": {name: spec.json_schema() for name, spec in self.fields.items()},
            "additionalProperties": False,
        }


class Taxonomy(BaseModel):
    """The whole taxonomy file."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    version: str = Field(min_length=1)
    categories: list[Category]

    @model_validator(mode="after")
    def _consistent(self) -> Taxonomy:
        names = [c.name for c in self.categories]
        keys = [c.key for c in self.categories]
        for label, values in (("name", names), ("key", keys)):
            duplicates = sorted({v for v in values if values.count(v) > 1})
            if duplicates:
                raise ValueError(f"duplicate category {label}(s): {', '.join(duplicates)}")
        if UNKNOWN not in names:
            raise ValueError(f"the taxonomy must define the {UNKNOWN!r} category")
        return self

    @cached_property
    def labels(self) -> list[str]:
        """Labels the classifier may answer, ``unknown`` excluded."""
        return [c.name for c in self.categories if c.name != UNKNOWN]

    @property
    def labels_with_unknown(self) -> list[str]:
        """Every label the classifier may answer, ``unknown`` last."""
        return [*self.labels, UNKNOWN]

    def category(self, name: str) -> Category:
        """The category labelled ``name``."""
        for category in self.categories:
            if category.name == name:
                return category
        raise KeyError(f"unknown category {name!r}; known: {', '.join(self.labels_with_unknown)}")

    def by_key(self, key: str) -> Category:
        """The category whose short identifier is ``key`` (what code names a category by)."""
        for category in self.categories:
            if category.key == key:
                return category
        raise KeyError(f"no category with key {key!r}; keys: {', '.join(c.key for c in self.categories)}")

    def key_of(self, name: str) -> str | None:
        """The key of the category labelled ``name``; None for a name outside the taxonomy."""
        return self._keys.get(name)

    @cached_property
    def _keys(self) -> dict[str, str]:
        return {c.name: c.key for c in self.categories}

    def label(self, key: str) -> str:
        """The exact label of the category whose key is ``key``."""
        return self.by_key(key).name

    def json_schema(self, name: str) -> dict[str, Any]:
        """The JSON Schema of the extraction fields of the category labelled ``name``."""
        return self.category(name).json_schema()

    @cached_property
    def digest(self) -> str:
        """Content hash, recorded with adapters so a mismatched taxonomy is detected."""
        canonical = self.model_dump_json(
            exclude={"categories": {"__all__": {"fields": {"__all__": _POST_PROCESSING_ATTRIBUTES}}}}
        )
        return hashlib.sha256(canonical.encode("utf-8")).hexdigest()[:16]


def _describe(path: Path, raw: Any, error: dict[str, Any]) -> str:
    """Turn one pydantic error location into 'category X, field Y' wording."""
    loc = list(error.get("loc", ()))
    where: list[str] = []
    if len(loc) >= 2 and loc[0] == "categories" and isinstance(loc[1], int):
        index = loc[1]
        name = None
        if isinstance(raw, dict) and isinstance(raw.get("categories"), list) and index < len(raw["categories"]):
            entry = raw["categories"][index]
            name = entry.get("name") if isinstance(entry, dict) else None
        where.append(f"category {name!r}" if name else f"category #{index + 1}")
        rest = loc[2:]
        if len(rest) >= 2 and rest[0] == "fields":
            where.append(f"field {rest[1]!r}")
            rest = rest[2:]
        if rest:
            where.append("key " + ".".join(str(p) for p in rest))
    elif loc:
        where.append("key " + ".".join(str(p) for p in loc))
    location = ", ".join(where) if where else "top level"
    return f"{path}: {location}: {error.get('msg', 'invalid value')}"


def load_taxonomy(path: str | Path | None = None) -> Taxonomy:
    """Load and validate a taxonomy file (the packaged one by default)."""
    resolved = Path(path) if path is not None else DEFAULT_TAXONOMY_PATH
    return _load_cached(resolved.resolve())


@lru_cache(maxsize=8)
def _load_cached(path: Path) -> Taxonomy:
    try:
        raw = yaml.safe_load(path.read_text(encoding="utf-8"))
    except FileNotFoundError as exc:
        raise TaxonomyError(f"{path}: taxonomy file not found") from exc
    except yaml.YAMLError as exc:
        raise TaxonomyError(f"{path}: not valid YAML: {exc}") from exc
    if not isinstance(raw, dict):
        raise TaxonomyError(f"{path}: top level must be a mapping with 'version' and 'categories'")
    try:
        return Taxonomy.model_validate(raw)
    except ValidationError as exc:
        messages = [_describe(path, raw, err) for err in exc.errors()]
        raise TaxonomyError("invalid taxonomy\n  " + "\n  ".join(messages)) from None


__all__ = [
    "DEFAULT_TAXONOMY_PATH",
    "UNKNOWN",
    "Category",
    "FieldMatch",
    "FieldSpec",
    "FieldType",
    "Taxonomy",
    "TaxonomyError",
    "load_taxonomy",
]
