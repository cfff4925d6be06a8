"""Reviewed corrections (``mail2ticket review export``) joined to a preparation.

The review queue exports one row per decided item (JSONL or Parquet, local or s3://): the
client's first e-mail the model classified, the category a person decided (a taxonomy label, or
``unknown`` when the reviewer judged it out of scope), the decided fields, and when and how it
was decided. Those decisions are the labels the model got least sure of, so they are worth more
than their number: most of them join the training split, and a seeded slice is held out as the
``reviewed`` evaluation set, which measures the model on the mail that production actually sends
to people rather than on the generator's test split.

What joins is what this preparation can learn from without leaking or contradicting itself:

* a category that is not in the taxonomy is a contract error (the export and the training run
  disagree on the taxonomy), raised with the row that holds it;
* a category this preparation does not keep (a taxonomy label under ``min_share``, or
  ``unknown`` when no unknown class is built) is dropped and counted, as the export's tickets are;
* one item decided twice keeps its last decision (by ``decided_at``): a reviewer's correction
  of their own decision wins;
* an item whose ticket id or first e-mail is already in the prepared data is dropped, so a test
  e-mail never reaches training through the review queue, and two items with the same first
  e-mail keep the last decision, so the held-out slice and training never share a text.

The training and validation splits of the export, and its test split, are the same with or
without feedback: a run with feedback stays comparable to one without on the test set.
"""

from __future__ import annotations

import difflib
import json
import math
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from mail2ticket.data.prepare.config import CATEGORY, TICKET, PrepareError
from mail2ticket.data.prepare.steps import mask_pii
from mail2ticket.data.threads import DEFAULT_SUPPORT_DOMAINS, first_client_email
from mail2ticket.storage import StorageError, read_bytes
from mail2ticket.taxonomy import UNKNOWN, Taxonomy

#: Share of the usable feedback held out as the ``reviewed`` evaluation set.
FEEDBACK_HOLDOUT = 0.3
#: What a reviewer can decide about an item, as the export names it.
DECISIONS: tuple[str, ...] = ("confirmed", "corrected", "out_of_scope")

SUPERSEDED = "superseded by a later decision on the same request"
ALREADY_PREPARED = "already in the prepared data (ticket id or first e-mail)"
SAME_EMAIL = "same first e-mail as a later decision"
NOT_KEPT = "category not kept by this preparation"
NO_TEXT = "no client text"
#: The drop reasons that are duplicates (the rest are categories not kept and empty e-mails).
DUPLICATE_REASONS = (SUPERSEDED, ALREADY_PREPARED, SAME_EMAIL)

_COLUMNS = [TICKET, CATEGORY, "email", "fields", "received_at", "decision", "decided_at", "row"]


@dataclass
class Feedback:
    """The feedback after selection: rows that open the training split, rows held out, and the card's counts."""

    train: pd.DataFrame
    reviewed: pd.DataFrame
    card: dict[str, Any]


def read_feedback(
    uri: str | Path, taxonomy: Taxonomy, support_domains: Sequence[str] = DEFAULT_SUPPORT_DOMAINS
) -> pd.DataFrame:
    """Read and validate an export of decided review items; one row per item, in file order.

    The columns are the prepared data's (``Numéro de ticket`` holding the request id,
    ``Catégorie du ticket``, ``email`` holding the first client e-mail) plus ``fields``,
    ``received_at``, ``decision``, ``decided_at`` (UTC) and ``row`` (where the item is in the file).
    A row that breaks the export's contract is a :class:`PrepareError` naming that row.
    """
    source = str(uri)
    try:
        data = read_bytes(source)
    except StorageError as exc:
        raise PrepareError(str(exc)) from None
    parquet = data[:4] == b"PAR1" or source.lower().endswith(".parquet")
    raw = _parquet_rows(data, source) if parquet else _jsonl_rows(data, source)
    known = set(taxonomy.labels_with_unknown)
    rows = [_validate(where, row, source, taxonomy, known, tuple(support_domains)) for where, row in raw]
    return pd.DataFrame(rows, columns=_COLUMNS)


def _jsonl_rows(data: bytes, source: str) -> Iterable[tuple[str, dict[str, Any]]]:
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        raise PrepareError(f"{source}: the feedback file is not UTF-8 JSON lines") from None
    for number, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        try:
            row = json.loads(line)
        except json.JSONDecodeError:
            raise PrepareError(f"{source}: line {number} is not JSON") from None
        if not isinstance(row, dict):
            raise PrepareError(f"{source}: line {number} is not a JSON object")
        yield f"line {number}", row


def _parquet_rows(data: bytes, source: str) -> Iterable[tuple[str, dict[str, Any]]]:
    import pyarrow as pa
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(pa.BufferReader(data))
    except (pa.ArrowInvalid, OSError) as exc:
        raise PrepareError(f"{source}: not a readable Parquet file: {exc}") from None
    for number, row in enumerate(table.to_pylist(), start=1):
        yield f"row {number}", row


def _validate(
    where: str, row: dict[str, Any], source: str, taxonomy: Taxonomy, known: set[str], domains: tuple[str, ...]
) -> list[Any]:
    request_id = row.get("request_id")
    name = f"{source}: {where}" + (f" (request_id {request_id!r})" if request_id not in (None, "") else "")
    if request_id is None or not str(request_id).strip():
        raise PrepareError(f"{name}: no request_id")
    category = row.get("category")
    if not isinstance(category, str) or category not in known:
        close = difflib.get_close_matches(str(category), sorted(known), n=1, cutoff=0.6)
        raise PrepareError(
            f"{name}: category {category!r} is not in taxonomy {taxonomy.version}"
            + (f" (did you mean {close[0]!r}?)" if close else "")
            + f"; expected one of its labels or {UNKNOWN!r}"
        )
    decision = row.get("decision")
    if decision not in DECISIONS:
        raise PrepareError(f"{name}: decision {decision!r} is not one of {', '.join(DECISIONS)}")
    if decision == "out_of_scope" and category != UNKNOWN:
        raise PrepareError(f"{name}: decision 'out_of_scope' with category {category!r} (expected {UNKNOWN!r})")
    decided_at = _timestamp(row.get("decided_at"))
    if decided_at is None:
        raise PrepareError(f"{name}: decided_at {row.get('decided_at')!r} is not an ISO date-time")
    # first_email is what the model classified; the queue may hold none for an item (the column
    # is nullable), and the whole thread it keeps gives the same text through the same extraction.
    email = row.get("first_email")
    if not isinstance(email, str) or not email.strip():
        thread = row.get("email")
        email = first_client_email(thread, domains) if isinstance(thread, str) else ""
    received = row.get("received_at")
    if received is not None and not isinstance(received, str):
        received = pd.Timestamp(received).isoformat()
    return [str(request_id).strip(), category, email, _fields(row.get("fields"), name), received or None,
            decision, decided_at, where]  # fmt: skip


def _timestamp(value: Any) -> pd.Timestamp | None:
    if not isinstance(value, str | datetime) or (isinstance(value, str) and not value.strip()):
        return None
    try:
        stamp = pd.Timestamp(value)
    except (ValueError, TypeError):
        return None
    if stamp is pd.NaT:
        return None
    return stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp.tz_convert("UTC")


def _fields(value: Any, name: str) -> dict[str, Any]:
    """The decided fields as a dict without null values.

    A Parquet export stores the fields as a struct column, which gives every row every key of
    every category (null where the category has no such field); null and absent mean the same.
    A JSON string (a column written as text) and a map column (key/value pairs) are accepted too.
    """
    if value is None:
        return {}
    if isinstance(value, str):
        try:
            value = json.loads(value) if value.strip() else {}
        except json.JSONDecodeError:
            raise PrepareError(f"{name}: fields is not a JSON object") from None
    if isinstance(value, list) and all(isinstance(p, tuple | list) and len(p) == 2 for p in value):
        value = dict(value)
    if not isinstance(value, dict):
        raise PrepareError(f"{name}: fields is not an object")
    # Parquet gives dates and times as datetime objects; the JSONL rows hold them as ISO text.
    return {str(k): v.isoformat() if isinstance(v, date) else v for k, v in value.items() if v is not None}


def check_holdout(holdout: float) -> float:
    """A hold-out share is between 0 (everything trains) and 1 (everything evaluates)."""
    if not 0.0 <= holdout <= 1.0:
        raise PrepareError(f"feedback_holdout must be between 0 and 1, got {holdout:g}")
    return holdout


def _normalised(text: str) -> str:
    return " ".join(str(text).split())


def select_feedback(
    rows: pd.DataFrame,
    prepared: pd.DataFrame,
    kept: Iterable[str],
    holdout: float = FEEDBACK_HOLDOUT,
    seed: int = 42,
    uri: str | Path = "",
) -> Feedback:
    """Keep the usable decisions (see the module) and hold out a seeded, stratified ``holdout`` share.

    ``prepared``: every prepared ticket (train, validation and test), with the export's ticket
    ids and first client e-mails; ``kept``: the classes this preparation trains on.
    """
    check_holdout(holdout)
    dropped: dict[str, int] = {}

    def drop(frame: pd.DataFrame, keep: Any, reason: str) -> pd.DataFrame:
        count = int((~keep).sum())
        if count:
            dropped[reason] = dropped.get(reason, 0) + count
        return frame[keep]

    frame = rows.sort_values("decided_at", kind="stable")  # a tie keeps file order: the later row wins
    frame = drop(frame, ~frame.duplicated(TICKET, keep="last"), SUPERSEDED)
    kept = set(kept)
    not_kept = frame.loc[~frame[CATEGORY].isin(kept), CATEGORY].value_counts()
    frame = drop(frame, frame[CATEGORY].isin(kept), NOT_KEPT)
    frame = drop(frame, frame["email"].str.strip() != "", NO_TEXT)
    texts = frame["email"].map(_normalised)
    seen = frame[TICKET].isin(set(prepared[TICKET].astype(str))) | texts.isin(set(prepared["email"].map(_normalised)))
    frame, texts = drop(frame, ~seen, ALREADY_PREPARED), texts[~seen]
    frame = drop(frame, ~texts.duplicated(keep="last"), SAME_EMAIL)
    frame = frame.sort_index()  # back to file order
    held = _held_out(frame, holdout, seed)
    train, reviewed = frame[~held].reset_index(drop=True), frame[held].reset_index(drop=True)
    return Feedback(train, reviewed, _card(uri, holdout, seed, rows, train, reviewed, dropped, not_kept))


def _held_out(frame: pd.DataFrame, holdout: float, seed: int) -> pd.Series:
    """Which rows are held out: ``holdout`` of them, each category in proportion (largest remainder), seeded.

    Stratified where the counts allow it: a category of one or two rows cannot be split in
    proportion, and its rows go where the remainders put them.
    """
    held = pd.Series(False, index=frame.index)
    wanted = math.floor(len(frame) * holdout + 0.5)
    if wanted == 0:
        return held
    counts = frame[CATEGORY].value_counts().sort_index()
    quotas = counts * wanted / len(frame)
    take = quotas.apply(math.floor)
    for name in (quotas - take).sort_values(ascending=False, kind="stable").index[: wanted - int(take.sum())]:
        take[name] += 1
    rng = np.random.default_rng(seed)
    for name, n in take.items():
        if n:
            members = frame.index[frame[CATEGORY] == name].to_numpy()
            held.loc[rng.permutation(members)[: int(n)]] = True
    return held


def _card(
    uri: str | Path,
    holdout: float,
    seed: int,
    rows: pd.DataFrame,
    train: pd.DataFrame,
    reviewed: pd.DataFrame,
    dropped: dict[str, int],
    not_kept: pd.Series,
) -> dict[str, Any]:
    """The dataset card's ``feedback`` section: what was read, dropped, joined and held out."""
    kinds = {}
    for kind in DECISIONS:
        kinds[kind] = {
            "read": int((rows["decision"] == kind).sum()),
            "train": int((train["decision"] == kind).sum()),
            "reviewed": int((reviewed["decision"] == kind).sum()),
        }
    train_counts, reviewed_counts = train[CATEGORY].value_counts(), reviewed[CATEGORY].value_counts()
    return {
        "input": str(uri),
        "holdout": holdout,
        "seed": seed,
        "rows_read": len(rows),
        "duplicates_dropped": sum(dropped.get(reason, 0) for reason in DUPLICATE_REASONS),
        "not_kept_dropped": dropped.get(NOT_KEPT, 0),
        "not_kept_categories": {str(k): int(v) for k, v in not_kept.items()},
        "dropped": dropped,
        "train_rows": len(train),
        "reviewed_rows": len(reviewed),
        "decisions": kinds,
        "classes": [
            {
                "category": str(name),
                "train": int(train_counts.get(name, 0)),
                "reviewed": int(reviewed_counts.get(name, 0)),
            }
            for name in sorted(set(train_counts.index) | set(reviewed_counts.index))
        ],
    }


def to_feedback_records(frame: pd.DataFrame, mask: bool = False) -> list[dict[str, Any]]:
    """Rows of train.jsonl / reviewed.jsonl, in the format :func:`~mail2ticket.data.prepare.io.to_records` writes."""
    records = []
    columns = (frame[TICKET], frame[CATEGORY], frame["email"], frame["fields"], frame["received_at"])
    for ticket, category, email, fields, received_at in zip(*columns, strict=True):
        record: dict[str, Any] = {
            "email": mask_pii(email) if mask else email,
            "category": category,
            "ticket_id": ticket,
            "fields": dict(fields),
        }
        if isinstance(received_at, str) and received_at:  # pandas' string columns hold a missing value as NaN
            record["received_at"] = received_at
        records.append(record)
    return records


__all__ = [
    "DECISIONS",
    "FEEDBACK_HOLDOUT",
    "Feedback",
    "check_holdout",
    "read_feedback",
    "select_feedback",
    "to_feedback_records",
]
