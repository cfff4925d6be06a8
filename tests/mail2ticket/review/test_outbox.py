"""The Gateway's durable outbox: items wait on disk while the database is down, then arrive once."""

from __future__ import annotations

import hashlib
import time
from collections.abc import Callable
from pathlib import Path

from mail2ticket.review import Outbox, OutboxDelivery, QueueFilter, ReviewStore, open_store
from mail2ticket.testing import LocalPostgresServer


def wait_until(condition: Callable[[], bool], timeout: float = 30.0) -> bool:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.05)
    return condition()


def test_put_then_deliver(tmp_path: Path, sqlite_store: ReviewStore, make_item) -> None:
    outbox = Outbox(tmp_path / "outbox")
    first = outbox.put(make_item("a"))
    outbox.put(make_item("b"))
    assert outbox.put(make_item("a")) == first  # the same request id is the same file
    assert len(outbox) == 2
    # A request id never chooses a path: the file name is its hash.
    odd = outbox.put(make_item("../../etc/passwd"))
    assert odd.parent == outbox.directory
    assert odd.name == hashlib.sha256(b"../../etc/passwd").hexdigest() + ".json"
    assert not list(outbox.directory.glob("*.tmp"))  # written to a temporary name, then renamed

    assert outbox.deliver(sqlite_store) == 3
    assert len(outbox) == 0
    assert {i.request_id for i in sqlite_store.list_items()} == {"a", "b", "../../etc/passwd"}

    # A second delivery of an item (an acknowledgement lost in a crash) writes nothing twice.
    outbox.put(make_item("a", confidence=0.99))
    assert outbox.deliver(sqlite_store) == 1
    assert sqlite_store.count(QueueFilter(status=None)) == 3
    assert sqlite_store.require("a").confidence < 0.5


def test_a_file_that_is_not_an_item_is_set_aside(tmp_path: Path, sqlite_store: ReviewStore, make_item) -> None:
    outbox = Outbox(tmp_path / "outbox")
    outbox.put(make_item("good"))
    broken = outbox.directory / ("0" * 64 + ".json")
    broken.write_text('{"request_id": "half', encoding="utf-8")
    wrong = outbox.directory / ("1" * 64 + ".json")
    wrong.write_text('{"request_id": "x"}', encoding="utf-8")  # JSON, but not a review item

    assert outbox.deliver(sqlite_store) == 1  # the good one is not blocked by the bad ones
    assert [i.request_id for i in sqlite_store.list_items()] == ["good"]
    assert sorted(p.name for p in outbox.directory.iterdir()) == ["0" * 64 + ".rejected", "1" * 64 + ".rejected"]
    assert len(outbox) == 0


def test_items_wait_while_the_database_is_down_then_arrive_exactly_once(
    tmp_path: Path, postgres_server: LocalPostgresServer, postgres_url: str, make_item
) -> None:
    outbox = Outbox(tmp_path / "outbox")
    store = open_store(postgres_url)
    delivery = OutboxDelivery(outbox, store, interval_s=0.05, max_backoff_s=0.3).start()
    try:
        outbox.put(make_item("before"))
        delivery.wake()
        assert wait_until(lambda: len(outbox) == 0, 10), "delivered while the database is up"

        postgres_server.stop()  # the outage
        waiting = [f"outage-{n}" for n in range(20)]
        for request_id in waiting:
            outbox.put(make_item(request_id))
            delivery.wake()
        assert wait_until(lambda: delivery.failing, 10), "the delivery thread noticed the outage"
        time.sleep(0.5)  # a few failed attempts
        assert len(outbox) == len(waiting)  # nothing lost, nothing half-delivered: the files wait

        postgres_server.start()  # the database comes back, on the same port and data
        assert wait_until(lambda: len(outbox) == 0, 30), f"{len(outbox)} items still waiting"
        assert wait_until(lambda: not delivery.failing, 10)
    finally:
        delivery.stop()

    ids = [i.request_id for i in store.list_items(QueueFilter(status=None), limit=100)]
    assert sorted(ids) == sorted(["before", *waiting])  # every item, each exactly once
    store.close()


def test_a_delivery_started_during_an_outage_opens_the_store_later(
    tmp_path: Path, postgres_server: LocalPostgresServer, postgres_url: str, make_item
) -> None:
    outbox = Outbox(tmp_path / "outbox")
    outbox.put(make_item("early"))
    postgres_server.stop()
    opened: list[ReviewStore] = []

    def open_later() -> ReviewStore:
        opened.append(open_store(postgres_url))  # migrates: fails while the server is down
        return opened[-1]

    delivery = OutboxDelivery(outbox, open_later, interval_s=0.05, max_backoff_s=0.3).start()
    try:
        assert wait_until(lambda: delivery.failing, 10)
        assert len(outbox) == 1 and not opened
        postgres_server.start()
        assert wait_until(lambda: len(outbox) == 0, 30)
    finally:
        delivery.stop()
    assert [i.request_id for i in opened[0].list_items()] == ["early"]
    opened[0].close()
