"""The Gateway's side of human review: tickets answered with ``needs_review`` go to the queue.

The answer never waits for the review database: the item is written to the replica's durable
outbox (a local fsynced file, about a millisecond) and a background thread delivers it. While
the database is down, items wait in the outbox and the tickets are still answered; when it
comes back, they are delivered, each once (the store is idempotent on the request id). The
database URL comes from the environment (a Secret on the cluster), never from the config.
"""

from __future__ import annotations

import logging
import os
from typing import Any

from mail2ticket.review import DEFAULT_DATABASE_URL, NewReviewItem, Outbox, OutboxDelivery, open_store
from serving.schemas import TicketRequest
from serving.settings import ReviewSettings

logger = logging.getLogger("ray.serve")

#: How many of the model's top categories a reviewer sees with their probabilities.
TOP_SCORES = 5
#: How often the outbox is delivered: an item reaches the reviewers within about this long.
DELIVERY_INTERVAL_S = 1.0


class ReviewQueue:
    """The outbox of one Gateway replica and the thread that delivers it."""

    def __init__(self, settings: ReviewSettings) -> None:
        self.url = os.environ.get(settings.database_url_env) or DEFAULT_DATABASE_URL
        self.outbox = Outbox(settings.outbox_path())
        # Opened on the first delivery: the database may be down when the replica starts.
        self.delivery = OutboxDelivery(self.outbox, lambda: open_store(self.url), interval_s=DELIVERY_INTERVAL_S)
        self.delivery.start()

    def submit(self, ticket: dict[str, Any], payload: TicketRequest, scores: dict[str, float]) -> None:
        """Write a ticket answered with ``needs_review`` to the outbox (durably).

        The delivery thread is not woken: it delivers what waits once per interval, in one
        transaction, which costs the busy Gateway far less than one transaction per ticket.
        """
        top = dict(sorted(scores.items(), key=lambda kv: -kv[1])[:TOP_SCORES])
        self.outbox.put(
            NewReviewItem(
                request_id=ticket["request_id"],
                received_at=payload.received_at,
                subject=payload.subject,
                sender=payload.sender,
                email=payload.email,
                first_email=ticket["first_email"],
                category=ticket["category"],
                confidence=ticket["confidence"],
                scores=top,
                fields=ticket["fields"],
                models=ticket["models"],
            )
        )

    def close(self) -> None:
        self.delivery.stop()
