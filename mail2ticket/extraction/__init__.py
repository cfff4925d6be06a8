"""The extractor agents: one per taxonomy category, each a prompt, a JSON Schema and a validator.

- :mod:`.agent`: :class:`ExtractionAgent`, built from the taxonomy alone (:func:`agents_for`),
  and :func:`extract`, the one path from e-mails to fields that evaluation and serving run: the
  alert parsers first, the model (:func:`extract_fields`) for what they do not recognise;
- :mod:`.alerts`: parsers of the monitoring and backup tools' notifications (:func:`parse_alert`);
- :mod:`.dates`: dates as e-mails write them, read (:func:`parse_moment`) and found (:func:`date_span`,
  :func:`date_mentions`);
- :mod:`.taggers`: :class:`FieldTaggers`, the classical models a trained extraction adapter ships
  and that fill the fields they cover wherever the model answers: host names (:mod:`.hostnames`),
  values written word for word (:mod:`.spans`), which stated date fills which field
  (:mod:`.date_picker`), enum and boolean fields (:mod:`.choices`), the client's sentence for a
  paraphrased field (:mod:`.sentences`), all on :mod:`.tagging`;
- :mod:`.schema`: whatever an extractor answered, normalised and validated against the schema.
"""

from mail2ticket.extraction.agent import (
    EXTRACTOR_MODES,
    Extraction,
    ExtractionAgent,
    ExtractorMode,
    agents_for,
    extract,
    extract_fields,
    parsed_fields,
)
from mail2ticket.extraction.alerts import ParsedAlert, parse_alert
from mail2ticket.extraction.dates import DEFAULT_TIMEZONE
from mail2ticket.extraction.schema import validate_fields
from mail2ticket.extraction.taggers import FieldTaggers, adapter_taggers

__all__ = [
    "DEFAULT_TIMEZONE",
    "EXTRACTOR_MODES",
    "Extraction",
    "ExtractionAgent",
    "ExtractorMode",
    "FieldTaggers",
    "ParsedAlert",
    "adapter_taggers",
    "agents_for",
    "extract",
    "extract_fields",
    "parse_alert",
    "parsed_fields",
    "validate_fields",
]
