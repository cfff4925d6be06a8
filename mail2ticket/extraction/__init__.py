"""The extractor agents: one per taxonomy category, each a prompt, a JSON Schema and a validator.

- :mod:`.agent`: :class:`ExtractionAgent`, built from the taxonomy alone (:func:`agents_for`),
  and :func:`extract_fields`, the one path from e-mails to fields that evaluation and serving run;
- :mod:`.schema`: whatever an extractor answered, normalised and validated against the schema.
"""

from mail2ticket.extraction.agent import ExtractionAgent, agents_for, extract_fields
from mail2ticket.extraction.schema import DEFAULT_TIMEZONE, validate_fields

__all__ = ["DEFAULT_TIMEZONE", "ExtractionAgent", "agents_for", "extract_fields", "validate_fields"]
