"""Load: 2,000 requests at concurrency 16 on loopback against the shipped config, bounded in time.

A real ``mail2ticket serve`` (local Ray, CPU, the embedded model with a pinned adapter, the
deployment limits of ``serving/config.yaml``) receives ``--requests`` ``POST /v1/classify``
from ``--concurrency`` clients. A 2-core CPU cannot classify 2,000 e-mails quickly: what is
measured is that it stays correct when overloaded. Every answer must be 200 or 503 with
``Retry-After`` (backpressure from ``max_ongoing_requests``/``max_queued_requests``), with no
connection error, no 5xx other than those 503s, no timeout; the server must answer afterwards;
and the audit log must hold exactly one line per 200.

Clients behave like a ticketing tool's connector: after a 503 a client waits ``Retry-After``
seconds before its next request (``--no-retry-after`` to hammer instead). The run stops
sending after ``--deadline-s``; requests not sent by then are reported, never hidden.

    .venv/bin/python bench/serve_load.py [--requests 2000] [--concurrency 16] [--adapter DIR]
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import secrets
import sys
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

from serve_throughput import REPO, corpus_records, percentile, start_server, train_small_adapter


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument(
        "--deadline-s", type=float, default=2700.0, help="Stop sending after this many seconds (2 cores: ~35 min)."
    )
    parser.add_argument("--client-timeout-s", type=float, default=300.0)
    parser.add_argument("--no-retry-after", action="store_true", help="Do not wait Retry-After after a 503.")
    parser.add_argument("--adapter", type=Path, help="Adapter folder (default: train one, as serve_throughput).")
    parser.add_argument("--train-steps", type=int, default=8)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument("--out", type=Path, default=REPO / "bench" / "output" / "serve_load")
    args = parser.parse_args(argv)

    import httpx

    args.out.mkdir(parents=True, exist_ok=True)
    train, test = corpus_records(args.out, args.seed)
    adapter = args.adapter or train_small_adapter(args.out, train, args.train_steps)
    emails = [r["email"] for r in test]
    token = secrets.token_urlsafe(16)
    audit_path = args.out / "audit.jsonl"
    audit_path.unlink(missing_ok=True)
    server = start_server(args.out, adapter, token)
    counts: collections.Counter[str] = collections.Counter()
    ok_ids: list[str] = []
    latencies: dict[str, list[float]] = collections.defaultdict(list)
    lock = threading.Lock()
    next_index = iter(range(args.requests))
    started = time.monotonic()

    def worker(client_id: int) -> None:
        headers = {"Authorization": f"Bearer {token}"}
        with httpx.Client(base_url=server.url, timeout=args.client_timeout_s, headers=headers) as client:
            while time.monotonic() - started < args.deadline_s:
                with lock:
                    index = next(next_index, None)
                if index is None:
                    return
                sent = time.perf_counter()
                try:
                    response = client.post("/v1/classify", json={"email": emails[index % len(emails)]})
                except httpx.TimeoutException:
                    kind, wait = "client timeout", 0.0
                except httpx.TransportError as exc:
                    kind, wait = f"connection error ({type(exc).__name__})", 0.0
                else:
                    retry_after = response.headers.get("retry-after")
                    if response.status_code == 200:
                        kind, wait = "200", 0.0
                        with lock:
                            ok_ids.append(response.json()["request_id"])
                    elif response.status_code == 503 and retry_after is not None:
                        kind, wait = "503 + Retry-After", 0.0 if args.no_retry_after else float(retry_after)
                    else:
                        kind, wait = f"other ({response.status_code})", 0.0
                with lock:
                    counts[kind] += 1
                    latencies[kind].append(time.perf_counter() - sent)
                if wait:
                    time.sleep(wait)

    try:
        with ThreadPoolExecutor(max_workers=args.concurrency) as pool:
            list(pool.map(worker, range(args.concurrency)))
        wall = time.monotonic() - started
        sent = sum(counts.values())
        with httpx.Client(base_url=server.url, timeout=300, headers={"Authorization": f"Bearer {token}"}) as client:
            alive = client.get("/healthz").status_code == 200 and (
                client.post("/v1/classify", json={"email": emails[0]}).status_code == 200
            )
    finally:
        server.stop()
    audit = [json.loads(line) for line in audit_path.read_text(encoding="utf-8").splitlines() if line.strip()]
    audited = collections.Counter(line["request_id"] for line in audit if line.get("event") == "decision")
    one_line_each = all(audited[rid] == 1 for rid in ok_ids) and len(audited) == len(ok_ids) + (1 if alive else 0)
    result = {
        "requests_planned": args.requests,
        "requests_sent": sent,
        "not_sent_before_deadline": args.requests - sent,
        "concurrency": args.concurrency,
        "wall_s": round(wall, 1),
        "counts": dict(counts),
        "latency_ms": {
            k: {"p50": round(1000 * percentile(v, 0.5)), "p95": round(1000 * percentile(v, 0.95))}
            for k, v in latencies.items()
        },
        "server_alive_after": alive,
        "audit_decision_lines": sum(audited.values()),
        "one_audit_line_per_200": one_line_each,
        "honours_retry_after": not args.no_retry_after,
        "load_average_after": [round(x, 2) for x in os.getloadavg()],
    }
    (args.out / "results.json").write_text(json.dumps(result, indent=2), encoding="utf-8")
    print(json.dumps(result, indent=2))
    clean = set(counts) <= {"200", "503 + Retry-After"} and sent == args.requests
    print(("PASS" if clean and alive and one_line_each else "FAIL") + ": every request answered 200 or 503 with "
          "Retry-After, server alive, one audit line per 200")  # fmt: skip
    return 0 if clean and alive and one_line_each else 1


if __name__ == "__main__":
    raise SystemExit(main())
