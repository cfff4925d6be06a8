"""Tickets answered with needs_review reach the review queue, and none is lost while its database is down."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable

import httpx

from mail2ticket.review import open_store
from tests.serving.conftest import Served
from tests.serving.test_api import EMAILS, post


def wait_until(condition: Callable[[], bool], timeout: float = 60.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return condition()


def test_only_tickets_that_need_review_are_queued_with_what_a_reviewer_needs(
    client: httpx.Client, served: Served
) -> None:
    answers = [post(client, "/v1/tickets", {"email": e, "subject": "Demande"}).json() for e in EMAILS[:4]]
    answers += [post(client, "/llm/v1/tickets", {"email": e, "sender": "client@example.fr"}).json() for e in EMAILS[:2]]
    assert all(a["needs_review"] for a in answers[4:])  # the llm app's thresholds are all 1
    main, llm = open_store(served.review_sqlite), open_store(served.review_postgres)
    try:
        expected = [(main, a["request_id"]) for a in answers[:4] if a["needs_review"]]
        expected += [(llm, a["request_id"]) for a in answers[4:]]
        assert wait_until(lambda: all(store.get(rid) is not None for store, rid in expected))
        for answer in answers[:4]:
            assert (main.get(answer["request_id"]) is not None) == answer["needs_review"]
        for answer, email in zip(answers[4:], EMAILS[:2], strict=True):
            item = llm.require(answer["request_id"])
            assert item.status == "pending" and item.version == 1
            assert item.email == email and item.first_email == answer["first_email"]
            assert item.sender == "client@example.fr"
            assert (item.category, item.confidence) == (answer["category"], answer["confidence"])
            assert item.category in item.scores and len(item.scores) <= 5
            assert item.models["classifier"] == answer["models"]["classifier"]
    finally:
        main.close()
        llm.close()


def test_the_gateway_answers_while_the_review_database_is_down_and_delivers_everything_once_it_is_back(
    client: httpx.Client, served: Served
) -> None:
    store = open_store(served.review_postgres)
    before = store.count()
    repeated = f"repeat-{uuid.uuid4().hex[:8]}"
    served.postgres.stop()
    try:
        answers = [post(client, "/llm/v1/tickets", {"email": EMAILS[i % len(EMAILS)]}) for i in range(4)]
        again = post(client, "/llm/v1/tickets", {"email": EMAILS[0]}, headers={"X-Request-ID": repeated})
        twice = post(client, "/llm/v1/tickets", {"email": EMAILS[0]}, headers={"X-Request-ID": repeated})
        assert [r.status_code for r in [*answers, again, twice]] == [200] * 6
        assert not served.postgres.running
    finally:
        served.postgres.start()
    rids = {r.json()["request_id"] for r in answers} | {repeated}
    try:
        # The delivery thread retries with a growing pause (at most 30 s between attempts).
        assert wait_until(lambda: all(store.get(rid) is not None for rid in rids), timeout=90)
        assert store.count() - before == len(rids) == 5  # every item once, the repeated request id once
    finally:
        store.close()
