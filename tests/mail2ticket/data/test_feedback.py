"""Reviewed corrections joined to a preparation: validation, deduplication, hold-out, card, local and s3.

``feedback/review_export.jsonl`` is a hand-made export of the review queue (15 decided items):
r-001 and r-010 share a first e-mail (r-010 decided later), r-007 is decided twice (the later
decision written first), r-008 is a taxonomy category this export does not keep, r-009 has the
text of the export's ticket B0001 and ``S0003`` its ticket id, r-004 and r-011 are out of scope,
r-013 has no ``first_email`` (it is extracted from its thread), r-003 has a null field.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path

import boto3
import pandas as pd
import pytest

from mail2ticket.data.prepare import (
    CATEGORY,
    REQUIRED_COLUMNS,
    TICKET,
    PrepareConfig,
    PrepareError,
    prepare_dataset,
    render_card,
)
from mail2ticket.data.prepare.feedback import read_feedback, select_feedback
from mail2ticket.storage import sha256_file
from mail2ticket.taxonomy import UNKNOWN, load_taxonomy

FIXTURE = Path(__file__).parent / "feedback" / "review_export.jsonl"
SUP = "Incidents/Supervision"
REST = "Demande de service/Backup #BCS/Restauration qualifiée"
SAUV = "Incidents/Backup #BCS/Sauvegarde"
AUTRE = "Demande de service/Backup #BCS/Autre"
OTHER = "Demande de service/Messagerie/Boîte partagée"

#: An open set (an unknown class is built from OTHER), no validation split.
OPEN_SET = PrepareConfig(unknown_share=0.2, validation_size=0.0)
#: The paper's closed set: no unknown class, so out-of-scope decisions cannot join.
CLOSED_SET = PrepareConfig(unknown_share=0.0, validation_size=0.0)
#: What the fixture leaves once duplicates and the category not kept are dropped, with an unknown class.
USABLE = ["r-002", "r-003", "r-004", "r-005", "r-006", "r-007", "r-010", "r-011", "r-012", "r-013"]


def ticket_rows(prefix: str, category: str, n: int) -> list[list[str]]:
    return [[f"{prefix}{i:04d}", f"Bonjour,\nalerte {category} numéro {i} sur srv-{prefix.lower()}{i:02d}.\nMerci",
             category, "Ticket créé"] for i in range(n)]  # fmt: skip


@pytest.fixture
def export(tmp_path: Path) -> Path:
    rows = ticket_rows("S", SUP, 40) + ticket_rows("R", REST, 20) + ticket_rows("B", SAUV, 10)
    rows += ticket_rows("O", OTHER, 30)
    path = tmp_path / "export.csv"
    with open(path, "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle, delimiter=";", lineterminator="\n")
        writer.writerow(REQUIRED_COLUMNS)
        writer.writerows(rows)
    return path


def fixture_rows() -> list[dict]:
    return [json.loads(line) for line in FIXTURE.read_text(encoding="utf-8").splitlines()]


def write_rows(path: Path, rows: list[dict]) -> Path:
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    return path


def lines(path: Path | None) -> list[dict]:
    return [json.loads(line) for line in path.read_text(encoding="utf-8").splitlines()] if path else []


def test_feedback_joins_train_and_a_seeded_slice_is_held_out_as_reviewed(export: Path, tmp_path: Path) -> None:
    plain = prepare_dataset(export, tmp_path / "plain", OPEN_SET)
    joined = prepare_dataset(export, tmp_path / "joined", OPEN_SET, feedback_uri=FIXTURE)
    card = joined.card["feedback"]
    assert card["rows_read"] == 15
    assert card["dropped"] == {
        "superseded by a later decision on the same request": 1,
        "category not kept by this preparation": 1,
        "already in the prepared data (ticket id or first e-mail)": 2,
        "same first e-mail as a later decision": 1,
    }
    assert card["duplicates_dropped"] == 4 and card["not_kept_dropped"] == 1
    assert card["not_kept_categories"] == {AUTRE: 1}
    assert (card["train_rows"], card["reviewed_rows"]) == (7, 3)  # 10 usable, 30 % held out
    assert {kind: counts["read"] for kind, counts in card["decisions"].items()} == {
        "confirmed": 7, "corrected": 6, "out_of_scope": 2,
    }  # fmt: skip
    assert sum(k["train"] for k in card["decisions"].values()) == 7
    assert sum(k["reviewed"] for k in card["decisions"].values()) == 3

    # The export's splits are untouched: the test set (and so its metrics) stays comparable.
    assert sha256_file(joined.test_path) == sha256_file(plain.test_path)
    base, train, reviewed = lines(plain.train_path), lines(joined.train_path), lines(joined.reviewed_path)
    # The corrections come first (a budgeted run, which takes the first rows, learns from them).
    corrections, rest = train[: len(train) - len(base)], train[len(train) - len(base) :]
    assert rest == base
    assert len(corrections) == 7 and joined.card["train_rows"] == plain.card["train_rows"] + 7
    assert sorted(r["ticket_id"] for r in corrections + reviewed) == USABLE
    assert joined.card["reviewed_rows"] == 3 and joined.card["outputs"]["reviewed.jsonl"]["sha256"] == sha256_file(
        joined.reviewed_path
    )
    classes = {c["category"]: c for c in joined.card["classes"]}
    before = {c["category"]: c for c in plain.card["classes"]}
    for row in card["classes"]:
        assert classes[row["category"]]["train"] == before[row["category"]]["train"] + row["train"]

    # The same row format as the prepared rows, and the decided labels and fields.
    allowed = {"email", "category", "ticket_id", "fields", "received_at", "source_category"}
    for record in corrections + reviewed:
        assert {"email", "category", "ticket_id", "fields"} <= set(record) <= allowed
    by_id = {r["ticket_id"]: r for r in corrections + reviewed}
    assert by_id["r-007"]["category"] == SAUV and by_id["r-007"]["fields"] == {"job_name": "VM-PROD-02"}
    assert by_id["r-003"]["fields"] == {"job_name": "BKP-SQL-01"}  # null means absent
    assert by_id["r-004"]["category"] == UNKNOWN and "source_category" not in by_id["r-004"]
    assert by_id["r-013"]["email"] == "Bonjour, la sonde CPU de srv-web07 est en CRITICAL depuis 8h.\nPaul"
    assert by_id["r-002"]["received_at"] == "2025-03-04T08:55:00+01:00" and "received_at" not in by_id["r-011"]

    again = prepare_dataset(export, tmp_path / "again", OPEN_SET, feedback_uri=FIXTURE)
    assert lines(again.reviewed_path) == reviewed  # seeded
    other = prepare_dataset(export, tmp_path / "other", OPEN_SET.model_copy(update={"seed": 7}), feedback_uri=FIXTURE)
    assert other.card["feedback"]["reviewed_rows"] == 3


def test_out_of_scope_decisions_join_only_when_an_unknown_class_is_built(export: Path, tmp_path: Path) -> None:
    result = prepare_dataset(export, tmp_path / "out", CLOSED_SET, feedback_uri=FIXTURE, feedback_holdout=0.0)
    card = result.card["feedback"]
    assert card["not_kept_categories"] == {UNKNOWN: 2, AUTRE: 1} and card["not_kept_dropped"] == 3
    assert (card["train_rows"], card["reviewed_rows"]) == (8, 0)
    assert result.reviewed_path is None and "reviewed.jsonl" not in result.card["outputs"]
    assert UNKNOWN not in {r["category"] for r in lines(result.train_path)}


def test_without_feedback_the_card_says_so(export: Path, tmp_path: Path) -> None:
    result = prepare_dataset(export, tmp_path / "out", OPEN_SET)
    assert result.card["feedback"] is None and result.card["reviewed_rows"] == 0
    assert result.reviewed_path is None and "Reviewed corrections" not in render_card(result.card)


def test_card_markdown_counts_the_feedback(export: Path, tmp_path: Path) -> None:
    markdown = render_card(prepare_dataset(export, tmp_path / "out", OPEN_SET, feedback_uri=FIXTURE).card)
    section = markdown.split("## Reviewed corrections", 1)[1]
    assert "15 decided items read" in section and "7 joined to train" in section and "3 held out" in section
    assert "| corrected | 6 |" in section and "category not kept by this preparation: 1" in section


@pytest.mark.parametrize("nested", ["json text", "struct"])
def test_parquet_export_on_s3_gives_the_same_rows(s3_bucket: str, export: Path, tmp_path: Path, nested: str) -> None:
    """Parquet needs one type per column: the export writes fields as JSON text; a struct works too.

    A struct column gives every row every key, null where the reviewer decided nothing.
    """
    frame = pd.DataFrame(fixture_rows())
    if nested == "json text":
        for column in ("fields", "models"):
            frame[column] = frame[column].map(lambda v: json.dumps(v, ensure_ascii=False))
    parquet = tmp_path / "review_export.parquet"
    frame.to_parquet(parquet, index=False)
    boto3.client("s3").upload_file(str(parquet), s3_bucket, "review/export.parquet")
    from_s3 = prepare_dataset(export, tmp_path / "s3", OPEN_SET, feedback_uri=f"s3://{s3_bucket}/review/export.parquet")
    local = prepare_dataset(export, tmp_path / "local", OPEN_SET, feedback_uri=FIXTURE)
    assert lines(from_s3.train_path) == lines(local.train_path)
    assert lines(from_s3.reviewed_path) == lines(local.reviewed_path)
    assert from_s3.card["feedback"]["input"] == f"s3://{s3_bucket}/review/export.parquet"
    with pytest.raises(PrepareError, match="no such object"):
        prepare_dataset(export, tmp_path / "x", OPEN_SET, feedback_uri=f"s3://{s3_bucket}/review/absent.jsonl")


def test_a_category_outside_the_taxonomy_names_the_row(export: Path, tmp_path: Path) -> None:
    rows = fixture_rows()
    rows[2] = {**rows[2], "request_id": "r-bad", "category": "Incidents/Supervison"}
    bad = write_rows(tmp_path / "bad.jsonl", rows)
    with pytest.raises(PrepareError) as error:
        prepare_dataset(export, tmp_path / "out", OPEN_SET, feedback_uri=bad)
    message = str(error.value)
    assert "line 3 (request_id 'r-bad')" in message and "'Incidents/Supervison' is not in taxonomy" in message
    assert "did you mean 'Incidents/Supervision'" in message
    assert not (tmp_path / "out" / "train.jsonl").exists()  # refused before anything is written


@pytest.mark.parametrize(
    ("change", "expected"),
    [
        ({"decision": "approved"}, "decision 'approved' is not one of confirmed, corrected, out_of_scope"),
        ({"decision": "out_of_scope"}, "decision 'out_of_scope' with category 'Incidents/Supervision'"),
        ({"decided_at": "hier"}, "decided_at 'hier' is not an ISO date-time"),
        ({"request_id": ""}, "line 1: no request_id"),
        ({"fields": "{oops"}, "fields is not a JSON object"),
    ],
)
def test_a_row_that_breaks_the_export_contract_is_named(tmp_path: Path, change: dict, expected: str) -> None:
    rows = fixture_rows()
    path = write_rows(tmp_path / "bad.jsonl", [{**rows[0], **change}, *rows[1:]])
    with pytest.raises(PrepareError, match="line 1") as error:
        read_feedback(path, load_taxonomy())
    assert expected in str(error.value)


def test_a_line_that_is_not_json_and_a_bad_holdout_are_refused(export: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.jsonl"
    broken.write_text(FIXTURE.read_text(encoding="utf-8") + "{not json\n", encoding="utf-8")
    with pytest.raises(PrepareError, match="line 16 is not JSON"):
        read_feedback(broken, load_taxonomy())
    with pytest.raises(PrepareError, match="feedback_holdout must be between 0 and 1"):
        prepare_dataset(export, tmp_path / "out", OPEN_SET, feedback_uri=FIXTURE, feedback_holdout=1.5)


def test_holdout_is_stratified_seeded_and_bounded(tmp_path: Path) -> None:
    rows = [{"request_id": f"q{i:02d}", "category": SUP if i < 20 else REST, "decision": "confirmed",
             "first_email": f"Bonjour, demande {i}.", "decided_at": f"2025-03-05T10:{i:02d}:00Z"}
            for i in range(30)]  # fmt: skip
    path = write_rows(tmp_path / "rows.jsonl", rows)
    frame = read_feedback(path, load_taxonomy())
    prepared = pd.DataFrame({TICKET: ["T1"], "email": ["autre chose"]})
    split = select_feedback(frame, prepared, {SUP, REST}, 0.3, seed=1)
    assert split.reviewed[CATEGORY].value_counts().to_dict() == {SUP: 6, REST: 3}
    assert len(split.train) == 21 and set(split.train[TICKET]).isdisjoint(split.reviewed[TICKET])
    same = select_feedback(frame, prepared, {SUP, REST}, 0.3, seed=1)
    assert list(same.reviewed[TICKET]) == list(split.reviewed[TICKET])
    other = select_feedback(frame, prepared, {SUP, REST}, 0.3, seed=2)
    assert list(other.reviewed[TICKET]) != list(split.reviewed[TICKET])
    assert len(select_feedback(frame, prepared, {SUP, REST}, 0.0).reviewed) == 0
    assert len(select_feedback(frame, prepared, {SUP, REST}, 1.0).train) == 0
    single = select_feedback(frame.head(1), prepared, {SUP, REST}, 0.3)
    assert (len(single.train), len(single.reviewed)) == (1, 0)


@pytest.mark.parametrize("suffix", [".jsonl", ".parquet"])
def test_what_the_review_queue_exports_is_what_preparation_reads(tmp_path: Path, suffix: str) -> None:
    """The real round trip: items decided in a ReviewStore, exported, read back as feedback rows."""
    from mail2ticket.review import Decision, NewReviewItem, Reviewer, export_decisions, open_store

    store = open_store(f"sqlite:///{tmp_path / 'queue.sqlite'}")
    reviewer = Reviewer("alice", "reviewer")
    emails = {"q-1": "Bonjour, restaurez D:\\Compta sur srv-fic02 svp.", "q-2": "Le job BCK_SQL01 a échoué.",
              "q-3": "Merci, vous pouvez clôturer.", "q-4": "Pas encore décidé."}  # fmt: skip
    for rid, email in emails.items():
        store.add(NewReviewItem(request_id=rid, email=f"> {email}", first_email=email, category=SUP, confidence=0.4))
    store.decide(
        "q-1", Decision(action="correct", version=1, category=REST, fields={"hostname": "srv-fic02"}), reviewer
    )
    store.decide("q-2", Decision(action="correct", version=1, category=SAUV, fields={}), reviewer)
    store.decide("q-3", Decision(action="out_of_scope", version=1), reviewer)
    summary = export_decisions(store, str(tmp_path / f"export{suffix}"))
    store.close()
    assert summary.rows == 3 and summary.decisions == {"corrected": 2, "out_of_scope": 1}

    rows = read_feedback(tmp_path / f"export{suffix}", load_taxonomy()).set_index(TICKET)
    assert sorted(rows.index) == ["q-1", "q-2", "q-3"]  # the pending item is not exported
    assert rows.loc["q-1", CATEGORY] == REST and rows.loc["q-1", "fields"] == {"hostname": "srv-fic02"}
    assert rows.loc["q-1", "email"] == emails["q-1"] and rows.loc["q-1", "decision"] == "corrected"
    assert rows.loc["q-3", CATEGORY] == UNKNOWN and rows.loc["q-3", "decision"] == "out_of_scope"
