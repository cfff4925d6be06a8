"""An Engine replica killed under load: every request is answered, nothing answered is unaudited.

Runs against the session's real Serve app (two Engine replicas on the shipped CPU layout),
through its LLM-only application (``/llm``, on the same Engine), so that every request reaches an
Engine replica: the shipped cascade answers an e-mail its classical model is sure of without one.
One replica's process is killed with SIGKILL while a bounded load is in flight: the requests it was
serving fail downstream and must come back as 503 + ``Retry-After`` (never a 500, never a
hang), every 200 must have its audit line, and Serve must start a replacement, which then
answers. The test waits for the replacement, so the suite's later tests find the app whole.
"""

from __future__ import annotations

import signal
import threading
import time
from concurrent.futures import ThreadPoolExecutor

import httpx
import psutil

from tests.serving.conftest import Served, audit_lines

#: Ray names a replica's worker process after the replica (``ray::ServeReplica:<app>:<deployment>``).
ENGINE_PROCESS = "ServeReplica:mail2ticket:Engine"
REQUESTS = 160
CONCURRENCY = 16
EMAILS = [
    "Bonjour, le serveur srv-app01 ne répond plus au ping depuis 3h ce matin.",
    "Le job BCK_SRVSQL01 est en échec depuis cette nuit, merci de relancer.",
    "Pouvez-vous restaurer le dossier \\\\srvfic01\\compta dans son état du 12/03 ?",
    "Merci de créer un accès RDP sur SRVAPP04 via le bastion pour j.martin.",
]


def engine_replicas(served: Served) -> dict[int, psutil.Process]:
    """The Engine replicas' processes among the server's descendants, by PID."""
    server = psutil.Process(served.server.process.pid)  # type: ignore[union-attr]
    found = {}
    for process in server.children(recursive=True):
        try:
            if ENGINE_PROCESS in " ".join(process.cmdline()):
                found[process.pid] = process
        except psutil.Error:
            continue
    return found


def test_a_killed_engine_replica_answers_200_or_503_and_is_replaced(client: httpx.Client, served: Served) -> None:
    before = engine_replicas(served)
    assert len(before) == 2, f"expected the shipped two Engine replicas, found {len(before)}"
    victim = next(iter(before.values()))
    answered: list[tuple[str, int, dict[str, str]]] = []
    killed = threading.Event()
    seen_before_kill: set[str] = set()

    def call(index: int) -> None:
        rid = f"fault-{index:04d}"
        email = EMAILS[index % len(EMAILS)]
        with httpx.Client(base_url=served.url, headers=dict(client.headers), timeout=240) as http:
            response = http.post("/llm/v1/classify", json={"email": email}, headers={"X-Request-ID": rid})
        answered.append((rid, response.status_code, dict(response.headers)))
        if len(answered) == 24 and not killed.is_set():
            killed.set()
            seen_before_kill.update(line.get("engine_replica") for line in audit_lines(served.llm_audit))
            victim.send_signal(signal.SIGKILL)  # mid-load: requests are running and queued on it

    with ThreadPoolExecutor(max_workers=CONCURRENCY) as pool:
        list(pool.map(call, range(REQUESTS)))

    assert killed.is_set() and len(answered) == REQUESTS
    statuses = [status for _, status, _ in answered]
    print(f"{statuses.count(200)} x 200 and {statuses.count(503)} x 503 of {REQUESTS} at concurrency {CONCURRENCY}")
    assert set(statuses) <= {200, 503}, sorted(set(statuses))
    assert all(headers.get("retry-after") for _, status, headers in answered if status == 503)
    ok = {rid for rid, status, _ in answered if status == 200}
    assert len(ok) >= REQUESTS // 2, statuses  # the other replica kept serving
    audited = {line["request_id"] for line in audit_lines(served.llm_audit) if line.get("event") == "decision"}
    assert ok <= audited, sorted(ok - audited)

    # Serve replaces the replica: a new Engine process, and answers from a replica not seen before the kill.
    deadline = time.monotonic() + 300
    while time.monotonic() < deadline:
        now = engine_replicas(served)
        if len(now) == 2 and set(now) - set(before):
            break
        time.sleep(1)
    assert len(now) == 2 and victim.pid not in now, now

    def new_replicas() -> set[str]:
        answering = {line.get("engine_replica") for line in audit_lines(served.llm_audit)}
        return answering - seen_before_kill - {None}

    while time.monotonic() < deadline and not new_replicas():  # it may have answered during the load already
        with ThreadPoolExecutor(max_workers=8) as pool:
            list(pool.map(lambda i: client.post("/llm/v1/classify", json={"email": EMAILS[i % 4]}), range(8)))
    assert new_replicas(), "no answer came from a new Engine replica"
