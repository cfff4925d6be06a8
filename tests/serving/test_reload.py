"""POST /admin/reload: a new champion is served without dropping a request (runs after test_api)."""

from __future__ import annotations

import threading
import time

import httpx

from tests.serving.conftest import Served, audit_lines, register

EMAILS = [
    "Bonjour, le serveur srv-app01 ne répond plus au ping depuis 3h ce matin.",
    "Merci de supprimer la sauvegarde du serveur srv-old02, décommissionné le 30/06.",
    "Pouvez-vous ajouter le dossier E:\\Projets à la sauvegarde quotidienne de srvfic03 ?",
]


def test_reload_switches_to_the_new_champion_while_requests_are_in_flight(
    client: httpx.Client, admin_client: httpx.Client, served: Served
) -> None:
    old = served.registered.first_version
    assert client.get("/readyz").json()["models"]["classifier"]["version"] == old
    new = register(served.mlflow_uri, served.registered.adapter_dir, macro_f1=0.9)  # beats the champion
    assert new != old
    # Until the reload, the registry has moved but the served model has not.
    assert client.get("/readyz").json()["models"]["classifier"]["version"] == old

    results: list[tuple[float, float, int, str | None]] = []
    stop = threading.Event()

    def caller(index: int) -> None:
        with httpx.Client(base_url=served.url, timeout=120, headers=dict(client.headers)) as http:
            while not stop.is_set():
                sent = time.monotonic()
                response = http.post("/v1/classify", json={"email": EMAILS[index % len(EMAILS)]})
                version = response.json()["models"]["classifier"]["version"] if response.status_code == 200 else None
                results.append((sent, time.monotonic(), response.status_code, version))

    def wait_for(condition, timeout: float = 300.0) -> None:
        deadline = time.monotonic() + timeout
        while not condition() and time.monotonic() < deadline:
            time.sleep(0.1)

    threads = [threading.Thread(target=caller, args=(i,)) for i in range(4)]
    for thread in threads:
        thread.start()
    try:
        wait_for(lambda: len(results) >= 2)  # requests answered by the old champion
        time.sleep(0.5)  # and others in flight
        reload_sent = time.monotonic()
        reload = admin_client.post("/admin/reload")
        reload_done = time.monotonic()
        wait_for(lambda: sum(1 for sent, *_ in list(results) if sent > reload_done) >= 2)
    finally:
        stop.set()
        for thread in threads:
            thread.join()

    assert reload.status_code == 200, reload.text
    body = reload.json()
    assert body["changed"] and body["previous"]["version"] == old and body["current"]["version"] == new
    statuses = [status for _, _, status, _ in results]
    assert statuses and set(statuses) == {200}, statuses  # not one request lost
    before = {version for sent, done, _, version in results if done < reload_sent}
    after = {version for sent, _, _, version in results if sent > reload_done}
    assert before == {old} and after == {new}, (before, after)
    in_flight = [r for r in results if r[0] < reload_done and r[1] > reload_sent]
    assert in_flight, "some requests were running while the reload happened"

    assert client.get("/readyz").json()["models"]["classifier"]["version"] == new
    again = admin_client.post("/admin/reload")
    assert again.status_code == 200 and again.json()["changed"] is False
    events = [line for line in audit_lines(served.main_audit) if line.get("event") == "reload"]
    assert any(e["changed"] and e["current"]["version"] == new for e in events)


def test_reload_switches_the_extraction_adapter_too(
    client: httpx.Client, admin_client: httpx.Client, served: Served
) -> None:
    classifier = client.get("/readyz").json()["models"]["classifier"]["version"]
    old = client.get("/readyz").json()["models"]["extractor"]["version"]
    new = register(served.mlflow_uri, served.extractor.adapter_dir, macro_f1=0.9, name=served.extractor.name)
    assert new != old and client.get("/readyz").json()["models"]["extractor"]["version"] == old
    reload = admin_client.post("/admin/reload")
    assert reload.status_code == 200, reload.text
    body = reload.json()
    assert body["changed"] and body["previous"]["version"] == body["current"]["version"] == classifier
    assert body["extractor"]["previous"]["version"] == old and body["extractor"]["current"]["version"] == new
    ticket = client.post("/v1/tickets", json={"email": EMAILS[0]})
    assert ticket.status_code == 200 and ticket.json()["models"]["extractor"]["version"] == new


def test_reload_on_a_registry_without_champion_keeps_the_base_model(
    client: httpx.Client, admin_client: httpx.Client
) -> None:
    response = admin_client.post("/tight/admin/reload")
    assert response.status_code == 409 and response.json()["error"]["code"] == "no_champion"
    assert "still serving the base model" in response.json()["error"]["message"]
    assert client.get("/tight/readyz").json()["serving"] == "base"
