"""The review store on SQLite and PostgreSQL: idempotent delivery, filters, decisions, audit, purge."""

from __future__ import annotations

import threading
from datetime import UTC, datetime, timedelta

import pytest

from mail2ticket.review import (
    CONFIRMED,
    CORRECTED,
    OUT_OF_SCOPE,
    PENDING,
    Decision,
    InvalidDecision,
    ItemNotFound,
    QueueFilter,
    ReviewConflict,
    Reviewer,
    ReviewStore,
    open_store,
)
from mail2ticket.review.items import utc_now

SUPERVISION = "Incidents/Supervision"
RESTAURATION = "Demande de service/Backup #BCS/Restauration qualifiée"
ALICE = Reviewer("alice", "reviewer")
BOB = Reviewer("bob", "admin")


def test_migrations_and_add_are_idempotent(any_store: ReviewStore, make_item) -> None:
    any_store.migrate()  # a second run of the migrations changes nothing
    assert any_store.ping()
    assert any_store.add(make_item("a")) is True
    assert any_store.add(make_item("a", confidence=0.99)) is False  # an outbox retry: not written twice
    assert any_store.add_many([make_item("a"), make_item("b"), make_item("b"), make_item("c")]) == 2
    assert any_store.count(QueueFilter(status=None)) == 3
    assert any_store.require("a").confidence == pytest.approx(0.42)  # the first delivery is kept
    again = open_store(any_store.url)  # migrating an up-to-date schema again keeps the rows
    try:
        assert again.count() == 3
    finally:
        again.close()


def test_filters_counts_order_and_next_pending(sqlite_store: ReviewStore, make_item) -> None:
    now = utc_now()
    sqlite_store.add_many([
        make_item("old-low", enqueued_at=now - timedelta(days=8), confidence=0.10),
        make_item("day-mid", enqueued_at=now - timedelta(hours=30), confidence=0.50),
        make_item("new-high", enqueued_at=now - timedelta(minutes=10), confidence=0.90),
        make_item("resto", enqueued_at=now - timedelta(hours=2), category=RESTAURATION, confidence=0.55, fields={}),
    ])  # fmt: skip
    ids = lambda where, **kw: [i.request_id for i in sqlite_store.list_items(where, **kw)]  # noqa: E731
    assert ids(QueueFilter()) == ["old-low", "day-mid", "resto", "new-high"]  # the longest waiting first
    assert ids(QueueFilter(category=RESTAURATION)) == ["resto"]
    assert ids(QueueFilter(min_confidence=0.5, max_confidence=0.6)) == ["day-mid", "resto"]
    assert ids(QueueFilter(min_age_hours=24)) == ["old-low", "day-mid"]
    assert ids(QueueFilter(max_age_hours=1)) == ["new-high"]
    assert ids(QueueFilter(), limit=2, offset=1) == ["day-mid", "resto"]
    assert sqlite_store.count(QueueFilter(category=SUPERVISION)) == 3

    first = sqlite_store.next_pending()
    assert first is not None and first.request_id == "old-low"
    second = sqlite_store.next_pending(after=first)
    assert second is not None and second.request_id == "day-mid"
    assert sqlite_store.next_pending(where=QueueFilter(category=RESTAURATION)).request_id == "resto"

    sqlite_store.decide("old-low", Decision(action="confirm", version=1), ALICE)
    counts = sqlite_store.counts()
    assert counts["status"] == {PENDING: 3, CONFIRMED: 1, CORRECTED: 0, OUT_OF_SCOPE: 0}
    assert counts["pending_by_category"] == {SUPERVISION: 2, RESTAURATION: 1}
    assert ids(QueueFilter(status=CONFIRMED)) == ["old-low"]
    assert ids(QueueFilter(status=None), limit=10) == ["old-low", "day-mid", "resto", "new-high"]


def test_decisions_are_recorded_with_their_audit_trail(sqlite_store: ReviewStore, make_item) -> None:
    sqlite_store.add_many([make_item(n) for n in ("confirm", "edit", "correct", "oos", "same")])

    confirmed = sqlite_store.decide("confirm", Decision(action="confirm", version=1), ALICE)
    assert (confirmed.status, confirmed.version, confirmed.decided_by) == (CONFIRMED, 2, "alice")
    assert confirmed.decided_category == SUPERVISION
    assert confirmed.decided_fields == {"hostname": "srv-confirm", "severity": "DOWN"}  # omitted: the model's

    blanks = {"hostname": "srv-x", "severity": "", "service": None}
    edited = sqlite_store.decide("edit", Decision(action="confirm", version=1, fields=blanks), BOB)
    assert edited.status == CONFIRMED and edited.decided_fields == {"hostname": "srv-x"}  # blanks dropped

    corrected = sqlite_store.decide(
        "correct",
        Decision(action="correct", version=1, category=RESTAURATION,
                 fields={"restore_date": "2025-02-28", "restore_type": "dossier"}),
        ALICE,
    )  # fmt: skip
    assert corrected.status == CORRECTED and corrected.decided_category == RESTAURATION
    assert corrected.category == SUPERVISION  # the model's answer is kept beside the decision

    out = sqlite_store.decide("oos", Decision(action="out_of_scope", version=1), ALICE)
    assert (out.status, out.decided_category, out.decided_fields) == (OUT_OF_SCOPE, "unknown", {})

    same = sqlite_store.decide("same", Decision(action="correct", version=1, category=SUPERVISION), ALICE)
    assert same.status == CONFIRMED  # "corrected" to the model's own category is a confirmation

    trail = sqlite_store.audit("correct")
    assert len(trail) == 1
    entry = trail[0]
    assert (entry.actor, entry.role, entry.action) == ("alice", "reviewer", "correct")
    assert entry.before == {"status": PENDING, "version": 1, "category": None, "fields": None,
                            "decided_by": None, "decided_at": None}  # fmt: skip
    assert entry.after["status"] == CORRECTED and entry.after["version"] == 2
    assert entry.after["category"] == RESTAURATION and entry.after["decided_by"] == "alice"
    assert entry.after["fields"] == {"restore_date": "2025-02-28", "restore_type": "dossier"}
    assert [e.request_id for e in sqlite_store.audit()] == ["confirm", "edit", "correct", "oos", "same"]

    # A decided item can be decided again (a second look), on its new version; the trail keeps both.
    redone = sqlite_store.decide("correct", Decision(action="out_of_scope", version=2), BOB)
    assert redone.version == 3 and redone.decided_by == "bob"
    second = sqlite_store.audit("correct")[1]
    assert second.before["status"] == CORRECTED and second.before["decided_by"] == "alice"
    assert second.after["status"] == OUT_OF_SCOPE and second.role == "admin"


@pytest.mark.parametrize(
    ("decision", "named"),
    [
        (Decision(action="correct", version=1), "names the right category"),
        (Decision(action="correct", version=1, category="Catégorie inventée"), "not a category"),
        (Decision(action="confirm", version=1, fields={"severity": "GRAVE"}), "severity"),
        (Decision(action="confirm", version=1, fields={"hostname": 42}), "hostname"),
        (Decision(action="confirm", version=1, fields={"colour": "bleu"}), "colour"),
        (Decision(action="correct", version=1, category=RESTAURATION, fields={"restore_date": "hier"}), "restore_date"),
    ],
)
def test_invalid_decisions_change_nothing(sqlite_store: ReviewStore, make_item, decision: Decision, named: str) -> None:
    sqlite_store.add(make_item("x"))
    with pytest.raises(InvalidDecision) as caught:
        sqlite_store.decide("x", decision, ALICE)
    assert named in str(caught.value)
    if decision.fields:
        assert caught.value.errors and all(":" in e for e in caught.value.errors)
    item = sqlite_store.require("x")
    assert (item.status, item.version) == (PENDING, 1)
    assert sqlite_store.audit("x") == []


def test_a_stale_version_is_a_conflict_and_unknown_items_are_not_found(sqlite_store: ReviewStore, make_item) -> None:
    sqlite_store.add(make_item("x"))
    sqlite_store.decide("x", Decision(action="confirm", version=1), ALICE)
    with pytest.raises(ReviewConflict) as caught:
        sqlite_store.decide("x", Decision(action="out_of_scope", version=1), BOB)
    assert caught.value.current.decided_by == "alice" and caught.value.current.version == 2
    assert "alice" in str(caught.value)
    assert sqlite_store.require("x").status == CONFIRMED
    with pytest.raises(ItemNotFound):
        sqlite_store.decide("nope", Decision(action="confirm", version=1), ALICE)
    with pytest.raises(ItemNotFound):
        sqlite_store.require("nope")
    assert sqlite_store.get("nope") is None


def test_concurrent_decisions_exactly_one_wins(any_store: ReviewStore, make_item) -> None:
    reviewers = [Reviewer(f"reviewer-{n}", "reviewer") for n in range(6)]
    items = [f"race-{n}" for n in range(4)]
    any_store.add_many([make_item(i) for i in items])
    for request_id in items:
        start = threading.Barrier(len(reviewers))
        outcomes: dict[str, str] = {}

        def decide(
            reviewer: Reviewer,
            request_id: str = request_id,
            start: threading.Barrier = start,
            outcomes: dict[str, str] = outcomes,
        ) -> None:
            start.wait()
            try:
                any_store.decide(request_id, Decision(action="confirm", version=1), reviewer)
                outcomes[reviewer.name] = "won"
            except ReviewConflict:
                outcomes[reviewer.name] = "conflict"
            except Exception as exc:  # anything else is a bug (a lock error, a lost update)
                outcomes[reviewer.name] = repr(exc)

        threads = [threading.Thread(target=decide, args=(r,)) for r in reviewers]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join(60)
        winners = [name for name, outcome in outcomes.items() if outcome == "won"]
        assert len(winners) == 1, outcomes
        assert sorted(outcomes.values()) == ["conflict"] * (len(reviewers) - 1) + ["won"], outcomes
        item = any_store.require(request_id)
        assert (item.version, item.decided_by) == (2, winners[0])
        trail = any_store.audit(request_id)
        assert [e.actor for e in trail] == winners  # one audit row, the winner's


def test_purge_erases_old_decided_text_only(sqlite_store: ReviewStore, make_item) -> None:
    sqlite_store.add_many([make_item(n) for n in ("decided", "pending")])
    sqlite_store.decide("decided", Decision(action="confirm", version=1), ALICE)
    assert sqlite_store.purge(timedelta(days=90)) == 0  # decided just now: kept
    later = datetime.now(UTC) + timedelta(days=91)
    assert sqlite_store.purge(timedelta(days=90), now=later) == 1
    purged = sqlite_store.require("decided")
    assert (purged.email, purged.first_email, purged.subject, purged.sender) == (None, None, None, None)
    assert purged.purged_at is not None
    assert purged.decided_category == SUPERVISION and purged.decided_by == "alice"  # the decision stays
    assert sqlite_store.require("pending").email is not None  # a pending item is never purged
    assert sqlite_store.purge(timedelta(days=90), now=later) == 0  # nothing left to erase
