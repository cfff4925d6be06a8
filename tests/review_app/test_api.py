"""The review API over HTTP (the real app under uvicorn): roles, list, get, decide, errors, OpenAPI."""

from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import httpx
import pytest

from mail2ticket.testing import free_port

SUPERVISION = "Incidents/Supervision"
RESTAURATION = "Demande de service/Backup #BCS/Restauration qualifiée"


@pytest.fixture(scope="module")
def seeded(review_server):
    from datetime import UTC, datetime

    from mail2ticket.review import NewReviewItem

    now = datetime.now(UTC)

    def item(request_id: str, hours: float, **kw) -> NewReviewItem:
        first = f"Bonjour, le serveur srv-{request_id} ne répond plus."
        values = {"request_id": request_id, "enqueued_at": now - timedelta(hours=hours), "email": first,
                  "first_email": first, "category": SUPERVISION, "confidence": 0.4,
                  "fields": {"hostname": f"srv-{request_id}"}, **kw}  # fmt: skip
        return NewReviewItem(**values)

    review_server.store.add_many([
        item("api-old", 200, confidence=0.2),
        item("api-mid", 30, confidence=0.5),
        item("api-new", 0.5, confidence=0.7, scores={SUPERVISION: 0.7, RESTAURATION: 0.2, "unknown": 0.1}),
        item("api-resto", 2, category=RESTAURATION, confidence=0.55, fields={}),
        item("api-race", 3),
        item("api-bad", 4),
    ])  # fmt: skip
    return review_server


def test_roles_on_every_api_route(seeded, tokens) -> None:
    routes = [("GET", "/api/v1/items", None), ("GET", "/api/v1/items/api-old", None),
              ("POST", "/api/v1/items/api-old/decision", {"action": "confirm", "version": 99})]  # fmt: skip
    for method, path, body in routes:
        with seeded.client() as anonymous:
            answer = anonymous.request(method, path, json=body)
            assert answer.status_code == 401, (path, answer.text)
            assert answer.json()["error"]["code"] == "missing_token"
            assert answer.headers["www-authenticate"].startswith("Bearer")
        with seeded.client("not-a-token") as wrong:
            assert wrong.request(method, path, json=body).json()["error"]["code"] == "invalid_token"
        with seeded.client(tokens["client"]) as client:
            answer = client.request(method, path, json=body)
            assert answer.status_code == 403 and answer.json()["error"]["code"] == "forbidden"
        # The login cookie opens the pages, never the API (bearer tokens only there).
        with seeded.client(cookies={"mail2ticket_review": tokens["alice"]}) as cookie_only:
            assert cookie_only.request(method, path, json=body).status_code == 401
        for role in ("alice", "admin"):
            with seeded.client(tokens[role]) as allowed:
                assert allowed.request(method, path, json=body).status_code in (200, 409), (role, path)


def test_list_filters_pagination_and_counts(seeded, tokens) -> None:
    with seeded.client(tokens["alice"]) as api:
        page = api.get("/api/v1/items", params={"limit": 100}).json()
        ids = [i["request_id"] for i in page["items"]]
        assert ids[:3] == ["api-old", "api-mid", "api-bad"]  # the longest waiting first
        assert page["total"] == len(ids) and page["limit"] == 100 and page["offset"] == 0
        assert set(page["counts"]) == {"status", "pending_by_category"}
        assert page["counts"]["pending_by_category"][RESTAURATION] == 1

        def ids_for(**params) -> list[str]:
            return [i["request_id"] for i in api.get("/api/v1/items", params=params).json()["items"]]

        assert ids_for(category=RESTAURATION) == ["api-resto"]
        assert ids_for(min_confidence=0.5, max_confidence=0.6) == ["api-mid", "api-resto"]
        assert ids_for(min_age_hours=24) == ["api-old", "api-mid"]
        assert ids_for(max_age_hours=1) == ["api-new"]
        assert ids_for(limit=2, offset=1) == ids[1:3]
        assert ids_for(status="confirmed") == []
        assert len(ids_for(status="all", limit=500)) == len(ids)

        item = next(i for i in page["items"] if i["request_id"] == "api-new")
        assert item["top_categories"][0] == {"category": SUPERVISION, "probability": 0.7}
        assert [c["category"] for c in item["top_categories"]] == [SUPERVISION, RESTAURATION, "unknown"]
        assert item["category_key"] == "supervision" and item["decision"] is None and item["version"] == 1

        for bad in ({"status": "lost"}, {"category": "Catégorie inventée"}, {"min_confidence": 2}, {"limit": 0}):
            answer = api.get("/api/v1/items", params=bad)
            assert answer.status_code == 422, bad
            assert answer.json()["error"]["code"] == "validation_error"


def test_decide_then_get_with_audit_then_conflict(seeded, tokens) -> None:
    with seeded.client(tokens["bob"]) as bob, seeded.client(tokens["admin"]) as admin:
        decided = bob.post(
            "/api/v1/items/api-mid/decision",
            json={"action": "correct", "version": 1, "category": RESTAURATION,
                  "fields": {"restore_type": "dossier", "restore_date": "2025-02-28"}},
        )  # fmt: skip
        assert decided.status_code == 200, decided.text
        body = decided.json()
        assert (body["status"], body["version"]) == ("corrected", 2)
        assert body["decision"]["category"] == RESTAURATION and body["decision"]["decided_by"] == "bob"
        assert body["decision"]["fields"] == {"restore_type": "dossier", "restore_date": "2025-02-28"}

        detail = admin.get("/api/v1/items/api-mid").json()
        assert detail["status"] == "corrected" and len(detail["audit"]) == 1
        entry = detail["audit"][0]
        assert (entry["actor"], entry["role"], entry["action"]) == ("bob", "reviewer", "correct")
        assert entry["before"]["status"] == "pending" and entry["after"]["category"] == RESTAURATION

        late = admin.post("/api/v1/items/api-mid/decision", json={"action": "confirm", "version": 1})
        assert late.status_code == 409
        conflict = late.json()
        assert conflict["error"]["code"] == "conflict" and "bob" in conflict["error"]["message"]
        assert conflict["current"]["version"] == 2 and conflict["current"]["decision"]["decided_by"] == "bob"

        # With the version it now has, the admin may decide again; the trail keeps both.
        again = admin.post("/api/v1/items/api-mid/decision", json={"action": "out_of_scope", "version": 2})
        assert again.status_code == 200 and again.json()["decision"]["category"] == "unknown"
        assert [e["actor"] for e in admin.get("/api/v1/items/api-mid").json()["audit"]] == ["bob", "root"]


def test_invalid_decisions_and_unknown_items(seeded, tokens) -> None:
    with seeded.client(tokens["alice"]) as api:
        answer = api.post(
            "/api/v1/items/api-bad/decision",
            json={"action": "confirm", "version": 1, "fields": {"severity": "GRAVE", "colour": "bleu"}},
        )
        assert answer.status_code == 422
        error = answer.json()["error"]
        assert error["code"] == "invalid_decision"
        assert {d["field"] for d in error["details"]} >= {"severity", "fields"}

        answer = api.post("/api/v1/items/api-bad/decision", json={"action": "correct", "version": 1})
        assert answer.status_code == 422 and "category" in answer.json()["error"]["message"]

        for body in ({"action": "approve", "version": 1}, {"action": "confirm"}, {"action": "confirm", "version": 1,
                     "extra": True}):  # fmt: skip
            answer = api.post("/api/v1/items/api-bad/decision", json=body)
            assert answer.status_code == 422 and answer.json()["error"]["code"] == "validation_error", body
        answer = api.post(
            "/api/v1/items/api-bad/decision", content=b"{not json", headers={"content-type": "application/json"}
        )
        assert answer.status_code == 422

        assert api.get("/api/v1/items/api-bad").json()["version"] == 1  # nothing was written
        missing = api.get("/api/v1/items/nope")
        assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
        missing = api.post("/api/v1/items/nope/decision", json={"action": "confirm", "version": 1})
        assert missing.status_code == 404 and missing.json()["error"]["code"] == "not_found"
        assert api.get("/api/v1/nothing-here").json()["error"]["code"] == "not_found"


def test_concurrent_api_decisions_one_wins(seeded, tokens) -> None:
    import threading

    results: list[int] = []
    start = threading.Barrier(4)

    def decide(token: str) -> None:
        with seeded.client(token) as api:
            start.wait()
            results.append(
                api.post("/api/v1/items/api-race/decision", json={"action": "confirm", "version": 1}).status_code
            )

    threads = [threading.Thread(target=decide, args=(tokens[n],)) for n in ("alice", "bob", "admin", "alice")]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(30)
    assert sorted(results) == [200, 409, 409, 409]
    assert len(seeded.store.audit("api-race")) == 1


def test_openapi_probes_and_readiness(seeded, start_server, tmp_path: Path) -> None:
    with seeded.client() as anonymous:
        spec = anonymous.get("/openapi.json").json()
        assert {"/api/v1/items", "/api/v1/items/{request_id}", "/api/v1/items/{request_id}/decision",
                "/healthz", "/readyz"} <= set(spec["paths"])  # fmt: skip
        assert not any(p in spec["paths"] for p in ("/", "/login", "/items/{request_id}"))  # pages are not API
        decision = spec["paths"]["/api/v1/items/{request_id}/decision"]["post"]
        assert {"200", "401", "403", "404", "409", "422"} <= set(decision["responses"])
        assert "HTTPBearer" in spec["components"]["securitySchemes"]
        assert anonymous.get("/docs").status_code == 404  # Swagger UI would load scripts from a CDN
        assert anonymous.get("/healthz").json() == {"status": "ok"}
        assert anonymous.get("/readyz").json() == {"status": "ready"}

    # A database that does not answer: alive, not ready.
    down = f"postgresql+psycopg://review:pw@127.0.0.1:{free_port()}/review"
    server = start_server(tmp_path / "down", "--no-migrate", database_url=down)
    assert httpx.get(f"{server.url}/healthz").status_code == 200
    answer = httpx.get(f"{server.url}/readyz", timeout=30)
    assert answer.status_code == 503 and answer.json()["error"]["code"] == "database_unavailable"
