"""Decided review items as a dataset the next training run can take (``feedback_uri``).

Each row is one decided ticket: the e-mail and the client's first e-mail, the category and
fields a person validated (``unknown`` for out of scope), what the model had answered and with
which models, who decided and when. Beside the file, ``<file>.provenance.json`` records where
the rows came from (the database, without its password), when, how many of each decision, the
taxonomy version and the file's SHA-256, so a training run can name the corrections it used.

Items whose e-mail text was already purged by the retention period cannot teach anything and
are counted, not exported: export before the retention period ends (a recurring run does).
"""

from __future__ import annotations

import json
import tempfile
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

import pandas as pd

from mail2ticket.review.items import utc_now
from mail2ticket.review.models import ReviewItem
from mail2ticket.review.store import ReviewStore
from mail2ticket.storage import is_s3, local_path, sha256_file, upload

#: The file formats an export can have, by extension.
FORMATS = {".jsonl": "jsonl", ".parquet": "parquet"}
#: The columns of an export, in order.
COLUMNS = (
    "request_id", "received_at", "email", "first_email", "subject", "category", "fields", "decision",
    "model_category", "model_confidence", "models", "decided_by", "decided_at", "source",
)  # fmt: skip


@dataclass
class ExportSummary:
    """What an export wrote."""

    uri: str
    rows: int
    decisions: dict[str, int] = field(default_factory=dict)
    purged_skipped: int = 0
    sha256: str = ""


def _iso(value: datetime | None) -> str | None:
    return value.isoformat() if value else None


def export_row(item: ReviewItem) -> dict[str, Any]:
    """One decided item as a training row with its provenance."""
    return {
        "request_id": item.request_id,
        "received_at": _iso(item.received_at),
        "email": item.email,
        "first_email": item.first_email,
        "subject": item.subject,
        "category": item.decided_category,
        "fields": item.decided_fields or {},
        "decision": item.status,
        "model_category": item.category,
        "model_confidence": item.confidence,
        "models": item.models,
        "decided_by": item.decided_by,
        "decided_at": _iso(item.decided_at),
        "source": "review",
    }


def export_decisions(store: ReviewStore, uri: str, since: datetime | None = None) -> ExportSummary:
    """Write every item decided (since ``since``) to ``uri`` (``.jsonl`` or ``.parquet``, local or s3://)."""
    suffix = Path(str(uri)).suffix.lower()
    if suffix not in FORMATS:
        raise ValueError(f"export to .jsonl or .parquet, not {uri!r}")
    rows, skipped = [], 0
    for item in store.decided(since):
        if item.first_email is None:
            skipped += 1
            continue
        rows.append(export_row(item))
    decisions = dict(Counter(r["decision"] for r in rows))
    with tempfile.TemporaryDirectory(prefix="review-export-") as scratch:
        target = Path(scratch) / f"export{suffix}" if is_s3(uri) else local_path(uri)
        target.parent.mkdir(parents=True, exist_ok=True)
        if FORMATS[suffix] == "jsonl":
            with target.open("w", encoding="utf-8") as out:
                out.writelines(json.dumps(r, ensure_ascii=False) + "\n" for r in rows)
        else:
            frame = pd.DataFrame(rows, columns=COLUMNS)
            for column in ("fields", "models"):  # nested objects stay JSON text: Parquet needs one type per column
                frame[column] = frame[column].map(lambda v: json.dumps(v, ensure_ascii=False))
            frame.to_parquet(target, index=False)
        summary = ExportSummary(str(uri), len(rows), decisions, skipped, sha256_file(target))
        provenance = {
            **asdict(summary),
            "exported_at": utc_now().isoformat(),
            "database": store.safe_url,
            "since": _iso(since),
            "taxonomy_version": store.taxonomy.version,
            "taxonomy_digest": store.taxonomy.digest,
        }
        sidecar = target.with_name(target.name + ".provenance.json")
        sidecar.write_text(json.dumps(provenance, ensure_ascii=False, indent=2), encoding="utf-8")
        if is_s3(uri):
            upload(target, uri)
            upload(sidecar, f"{uri}.provenance.json")
    return summary
