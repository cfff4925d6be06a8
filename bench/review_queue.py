"""The review queue under load: page latency with a full queue, and what queueing costs the Gateway.

1. **Pages.** ``--items`` review items (10,000 by default, generated e-mails with the model's
   scores and fields) are queued in a SQLite file, then a real ``mail2ticket review serve``
   (uvicorn, one process) answers ``--page-requests`` requests of each kind with a reviewer's
   token: the queue (first page, a category filter, a confidence filter, a page deep in the
   queue) and single items. Prints p50/p95 per kind (target: p95 under 300 ms).
2. **Ingestion cost.** A real ``mail2ticket serve`` (local Ray, the embedded model with a small
   adapter, extraction off) answers ``POST /v1/tickets`` from ``--concurrency`` clients, once
   with the review queue off and once with every ticket sent to review (all thresholds at 1:
   the worst case, each answer writes its outbox file, the thread delivers it to the database).
   The two alternate ``--rounds`` times on fresh servers so a slow spell of the machine falls
   on both; prints e-mails/s of each and the ratio (target: queueing costs under 5 %), and
   checks every ticket reached the database.

    .venv/bin/python bench/review_queue.py
    .venv/bin/python bench/review_queue.py --skip-ingest      # pages only (a minute)
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

REPO = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(REPO))
sys.path.insert(0, str(REPO / "bench"))

from serve_throughput import (  # noqa: E402
    combined,
    corpus_records,
    percentile,
    split,
    start_server,
    summary,
    train_small_adapter,
)

from mail2ticket.review import NewReviewItem, open_store  # noqa: E402
from mail2ticket.taxonomy import load_taxonomy  # noqa: E402
from review_app.local import LocalReviewApp  # noqa: E402

TAXONOMY = load_taxonomy()


def queued_items(count: int, seed: int) -> list[NewReviewItem]:
    """``count`` review items built from generated tickets (their e-mail, category and fields)."""
    import random

    from mail2ticket.data.corpus import CorpusConfig, CorpusGenerator

    rng = random.Random(seed)
    labels = TAXONOMY.labels_with_unknown
    items = []
    for i, ticket in enumerate(CorpusGenerator(CorpusConfig(tickets=count, seed=seed)).tickets()):
        category = ticket.category if ticket.category in labels else "unknown"
        others = rng.sample([label for label in labels if label != category], 4)
        confidence = round(rng.uniform(0.2, 0.8), 4)
        scores = {category: confidence, **{o: round((1 - confidence) / 4, 4) for o in others}}
        items.append(
            NewReviewItem(
                request_id=f"bench-{seed}-{i:06d}", email=ticket.description, first_email=ticket.first_email,
                category=category, confidence=confidence, scores=scores, fields=ticket.fields,
            )
        )  # fmt: skip
        if len(items) == count:
            break
    return items


def page_latencies(out: Path, items: int, requests: int, seed: int) -> dict[str, Any]:
    """p50/p95 of the queue and item pages with ``items`` queued."""
    import httpx

    database = out / "queue.sqlite"
    database.unlink(missing_ok=True)
    url = f"sqlite:///{database}"
    store = open_store(url)
    started = time.perf_counter()
    queued = queued_items(items, seed)
    for chunk in range(0, len(queued), 1000):
        store.add_many(queued[chunk : chunk + 1000])
    fill_s = time.perf_counter() - started
    token = secrets.token_urlsafe(16)
    app = LocalReviewApp(out / "review-app", url, env={"MAIL2TICKET_REVIEWER_TOKENS": f"bench:{token}"})
    base = app.start()
    category = TAXONOMY.labels[0]
    kinds = {
        "queue": "/",
        "queue_category": "/?" + str(httpx.QueryParams({"categorie": category})),
        "queue_confidence": "/?confiance_max=0.5",
        "queue_deep": f"/?page={items // 100}",
        "item": None,
    }
    results: dict[str, Any] = {"items": store.count(), "fill_s": round(fill_s, 1)}
    try:
        with httpx.Client(base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=30) as client:
            for kind, path in kinds.items():
                latencies = []
                for i in range(requests + 3):
                    target = path or f"/items/{queued[(i * 7919) % len(queued)].request_id}"
                    t = time.perf_counter()
                    response = client.get(target)
                    elapsed = time.perf_counter() - t
                    response.raise_for_status()
                    if i >= 3:  # the first requests warm the app's caches
                        latencies.append(elapsed)
                results[kind] = {"p50_ms": round(1000 * percentile(latencies, 0.5), 1),
                                 "p95_ms": round(1000 * percentile(latencies, 0.95), 1)}  # fmt: skip
    finally:
        app.stop()
        store.close()
    return results


def post_tickets(url: str, token: str, emails: list[str], concurrency: int) -> tuple[dict, list[float], list[dict]]:
    """``emails`` posted to /v1/tickets by ``concurrency`` clients after a warm-up batch."""
    import httpx

    with httpx.Client(base_url=url, timeout=600, headers={"Authorization": f"Bearer {token}"}) as client:

        def call(email: str) -> tuple[float, dict]:
            started = time.perf_counter()
            response = client.post("/v1/tickets", json={"email": email})
            response.raise_for_status()
            return time.perf_counter() - started, response.json()

        with ThreadPoolExecutor(max_workers=concurrency) as pool:
            list(pool.map(call, emails[:concurrency]))
            started = time.perf_counter()
            results = list(pool.map(call, emails))
            wall = time.perf_counter() - started
    return summary([r[0] for r in results], wall), [r[0] for r in results], [r[1] for r in results]


def ingest_cost(out: Path, args: argparse.Namespace) -> dict[str, Any]:
    """Served tickets/s with the review queue off and with every ticket queued, alternating."""
    train, validation = corpus_records(out, args.seed)
    adapter = train_small_adapter(out, train, validation, args.train_steps)
    emails = [r["email"] for r in validation] * (1 + args.tickets // len(validation))
    emails = emails[: args.tickets]
    database = out / "ingest.sqlite"
    database.unlink(missing_ok=True)
    os.environ["MAIL2TICKET_REVIEW_DATABASE_URL"] = f"sqlite:///{database}"
    every = {label: 1.0 for label in TAXONOMY.labels_with_unknown}
    on = {"review.enabled": True, "agents.review_thresholds": every, "review.outbox": str(out / "outbox")}
    variants = {"review_off": {"review.enabled": False}, "review_on": on}
    runs: dict[str, list[tuple[dict, list[float]]]] = {name: [] for name in variants}
    queued: list[str] = []
    for share in split(emails, args.rounds):
        for name, extra in variants.items():
            token = secrets.token_urlsafe(16)
            server = start_server(out, adapter, token, **{"agents.extraction": False, **extra})
            try:
                run, latencies, answers = post_tickets(server.url, token, share, args.concurrency)
                if name == "review_on":
                    queued += [a["request_id"] for a in answers]
                    time.sleep(2)  # let the delivery thread finish before the server stops
            finally:
                server.stop()
            runs[name].append((run, latencies))
    store = open_store(os.environ["MAIL2TICKET_REVIEW_DATABASE_URL"])
    delivered = sum(store.get(rid) is not None for rid in queued)
    store.close()
    off, on = combined(runs["review_off"]), combined(runs["review_on"])
    return {
        "review_off": off,
        "review_on": on,
        "throughput_ratio_on_over_off": round(on["emails_per_s"] / off["emails_per_s"], 3),
        "queued": len(queued),
        "delivered": delivered,
        "left_in_outbox": len(list((out / "outbox").glob("*.json"))),
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--items", type=int, default=10_000, help="Items queued before the pages are timed.")
    parser.add_argument("--page-requests", type=int, default=60, help="Timed requests of each page kind.")
    parser.add_argument("--tickets", type=int, default=240, help="Tickets posted per variant, all rounds.")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument("--train-steps", type=int, default=8)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--skip-ingest", action="store_true", help="Only the pages.")
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "output" / "review_queue")
    args = parser.parse_args(argv)
    args.out.mkdir(parents=True, exist_ok=True)
    result: dict[str, Any] = {"load_before": os.getloadavg()}
    result["pages"] = page_latencies(args.out, args.items, args.page_requests, args.seed)
    if not args.skip_ingest:
        result["ingest"] = ingest_cost(args.out, args)
    result["load_after"] = os.getloadavg()
    print(json.dumps(result, indent=2))
    (args.out / "result.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
