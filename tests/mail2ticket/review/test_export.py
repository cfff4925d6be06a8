"""Decided items exported as a training dataset (JSONL, Parquet; local, s3://) with provenance."""

from __future__ import annotations

import hashlib
import io
import json
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pandas as pd
import pytest

from mail2ticket.review import Decision, Reviewer, ReviewStore, export_decisions
from mail2ticket.storage import read_bytes
from mail2ticket.taxonomy import load_taxonomy

SUPERVISION = "Incidents/Supervision"
RESTAURATION = "Demande de service/Backup #BCS/Restauration qualifiée"
ALICE = Reviewer("alice", "reviewer")


@pytest.fixture
def all_purged_store(sqlite_store: ReviewStore, make_item) -> ReviewStore:
    """Four decisions whose e-mail text the retention period already erased, and one pending item."""
    sqlite_store.add_many([make_item(n) for n in ("confirmed", "corrected", "oos", "pending", "purged")])
    sqlite_store.decide("confirmed", Decision(action="confirm", version=1), ALICE)
    sqlite_store.decide(
        "corrected",
        Decision(action="correct", version=1, category=RESTAURATION, fields={"restore_type": "fichier"}),
        Reviewer("bob", "admin"),
    )
    sqlite_store.decide("oos", Decision(action="out_of_scope", version=1), ALICE)
    sqlite_store.decide("purged", Decision(action="confirm", version=1), ALICE)
    sqlite_store.purge(timedelta(days=1), now=datetime.now(UTC) + timedelta(days=2))  # erases the four decided
    return sqlite_store


@pytest.fixture
def store_with_text(sqlite_store: ReviewStore, make_item) -> ReviewStore:
    """Three decisions with their text, one pending item, one decided item already purged."""
    sqlite_store.add_many([make_item(n) for n in ("confirmed", "corrected", "oos", "pending", "purged")])
    sqlite_store.decide("purged", Decision(action="confirm", version=1), ALICE)
    sqlite_store.purge(timedelta(days=1), now=datetime.now(UTC) + timedelta(days=2))  # only "purged" is decided
    sqlite_store.decide("confirmed", Decision(action="confirm", version=1), ALICE)
    sqlite_store.decide(
        "corrected",
        Decision(action="correct", version=1, category=RESTAURATION, fields={"restore_type": "fichier"}),
        Reviewer("bob", "admin"),
    )
    sqlite_store.decide("oos", Decision(action="out_of_scope", version=1), ALICE)
    return sqlite_store


def check_rows(rows: list[dict]) -> None:
    by_id = {r["request_id"]: r for r in rows}
    assert sorted(by_id) == ["confirmed", "corrected", "oos"]  # pending and purged ones are not rows
    assert by_id["confirmed"]["category"] == SUPERVISION and by_id["confirmed"]["decision"] == "confirmed"
    assert by_id["confirmed"]["fields"] == {"hostname": "srv-confirmed", "severity": "DOWN"}
    corrected = by_id["corrected"]
    assert (corrected["category"], corrected["decision"], corrected["decided_by"]) == (RESTAURATION, "corrected", "bob")
    assert corrected["fields"] == {"restore_type": "fichier"}
    assert (corrected["model_category"], corrected["model_confidence"]) == (SUPERVISION, pytest.approx(0.42))
    assert corrected["first_email"].startswith("Bonjour, le serveur srv-corrected")
    assert corrected["models"] == {"engine": "transformers", "adapter": "test"}
    assert (by_id["oos"]["category"], by_id["oos"]["decision"]) == ("unknown", "out_of_scope")
    assert all(r["source"] == "review" and r["decided_at"] for r in rows)


def check_provenance(provenance: dict, data: bytes, uri: str, store: ReviewStore) -> None:
    assert provenance["uri"] == uri and provenance["rows"] == 3
    assert provenance["decisions"] == {"confirmed": 1, "corrected": 1, "out_of_scope": 1}
    assert provenance["purged_skipped"] == 1
    assert provenance["sha256"] == hashlib.sha256(data).hexdigest()
    assert provenance["database"] == store.safe_url
    assert provenance["taxonomy_version"] == load_taxonomy().version
    assert provenance["taxonomy_digest"] == load_taxonomy().digest
    assert provenance["exported_at"]


def test_everything_purged_exports_nothing_but_says_so(all_purged_store: ReviewStore, tmp_path: Path) -> None:
    summary = export_decisions(all_purged_store, str(tmp_path / "out.jsonl"))
    assert (summary.rows, summary.purged_skipped) == (0, 4)
    assert (tmp_path / "out.jsonl").read_text(encoding="utf-8") == ""


def test_jsonl_local(store_with_text: ReviewStore, tmp_path: Path) -> None:
    out = tmp_path / "feedback" / "review.jsonl"
    summary = export_decisions(store_with_text, str(out))
    assert (summary.rows, summary.purged_skipped) == (3, 1)
    rows = [json.loads(line) for line in out.read_text(encoding="utf-8").splitlines()]
    check_rows(rows)
    provenance = json.loads((out.parent / "review.jsonl.provenance.json").read_text(encoding="utf-8"))
    check_provenance(provenance, out.read_bytes(), str(out), store_with_text)


def test_parquet_local_and_since(store_with_text: ReviewStore, tmp_path: Path) -> None:
    out = tmp_path / "review.parquet"
    summary = export_decisions(store_with_text, str(out))
    frame = pd.read_parquet(out)
    rows = frame.to_dict("records")
    for row in rows:  # nested objects are JSON text in Parquet (one type per column)
        row["fields"], row["models"] = json.loads(row["fields"]), json.loads(row["models"])
    check_rows(rows)
    assert summary.sha256 == hashlib.sha256(out.read_bytes()).hexdigest()

    later = export_decisions(store_with_text, str(tmp_path / "none.parquet"), since=datetime.now(UTC))
    assert later.rows == 0 and pd.read_parquet(tmp_path / "none.parquet").empty
    with pytest.raises(ValueError, match=r"\.jsonl or \.parquet"):
        export_decisions(store_with_text, str(tmp_path / "review.csv"))


@pytest.mark.parametrize("suffix", ["jsonl", "parquet"])
def test_to_s3(store_with_text: ReviewStore, s3_bucket: str, suffix: str) -> None:
    uri = f"s3://{s3_bucket}/feedback/review.{suffix}"
    summary = export_decisions(store_with_text, uri)
    assert summary.uri == uri and summary.rows == 3
    data = read_bytes(uri)
    if suffix == "jsonl":
        rows = [json.loads(line) for line in data.decode("utf-8").splitlines()]
    else:
        rows = pd.read_parquet(io.BytesIO(data)).to_dict("records")
        for row in rows:
            row["fields"], row["models"] = json.loads(row["fields"]), json.loads(row["models"])
    check_rows(rows)
    provenance = json.loads(read_bytes(f"{uri}.provenance.json"))
    check_provenance(provenance, data, uri, store_with_text)


def test_provenance_never_shows_the_database_password() -> None:
    store = ReviewStore("postgresql+psycopg://review:s3cr3t@db.internal:5432/review")  # no connection is made
    try:
        assert "s3cr3t" not in store.safe_url and "db.internal" in store.safe_url
    finally:
        store.close()
