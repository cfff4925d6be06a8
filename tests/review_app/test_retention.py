"""The running app erases the e-mail text of items decided longer ago than the retention period."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

from sqlalchemy import update

from mail2ticket.review import Decision, NewReviewItem, Reviewer, open_store
from mail2ticket.review.models import ReviewItem


def test_the_app_purges_expired_text_when_it_starts(start_server, tmp_path: Path, tokens) -> None:
    folder = tmp_path / "app"
    folder.mkdir()
    store = open_store(f"sqlite:///{folder / 'queue.sqlite'}")
    for request_id in ("old", "recent", "pending"):
        store.add(NewReviewItem(request_id=request_id, email="Bonjour", first_email="Bonjour",
                                category="Incidents/Supervision", confidence=0.3))  # fmt: skip
    for request_id in ("old", "recent"):
        store.decide(request_id, Decision(action="confirm", version=1), Reviewer("alice", "reviewer"))
    with store.engine.begin() as connection:  # decided 40 days ago
        connection.execute(
            update(ReviewItem).where(ReviewItem.request_id == "old")
            .values(decided_at=datetime.now(UTC) - timedelta(days=40))
        )  # fmt: skip
    store.close()

    server = start_server(folder, env={"MAIL2TICKET_REVIEW_RETENTION_DAYS": "30"})
    deadline = time.monotonic() + 10
    while server.store.require("old").email is not None and time.monotonic() < deadline:
        time.sleep(0.05)
    assert server.store.require("old").purged_at is not None
    assert server.store.require("recent").email == "Bonjour" and server.store.require("pending").email == "Bonjour"
    with server.client(tokens["alice"]) as browser:
        page = browser.get("/items/old")
        assert page.status_code == 200 and "a été effacé" in page.text  # the decision stays, the text is gone
        assert browser.get("/api/v1/items/old").json()["email"] is None
