"""The reviewers' pages over HTTP (the real app under uvicorn): login, roles, queue, item, decisions."""

from __future__ import annotations

import contextlib
import re
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path

import httpx
import pytest

SUPERVISION = "Incidents/Supervision"
SAUVEGARDE = "Incidents/Backup #BCS/Sauvegarde"
RESTAURATION = "Demande de service/Backup #BCS/Restauration qualifiée"


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf" value="([0-9a-f]{64})"', html)
    assert found, "the decision form carries an anti-CSRF token"
    return found.group(1)


@contextlib.contextmanager
def logged_in(server, token: str) -> Iterator[httpx.Client]:
    """A browser-like client that logged in through the form (the token lives in its cookie)."""
    with server.client() as client:
        answer = client.post("/login", data={"token": token, "suite": "/"})
        assert answer.status_code == 303, answer.text
        yield client


@pytest.fixture(scope="module")
def seeded(review_server):
    from datetime import UTC, datetime

    from mail2ticket.review import NewReviewItem

    now = datetime.now(UTC)

    def item(request_id: str, hours: float, **kw) -> NewReviewItem:
        first = kw.pop("first_email", f"Bonjour, le serveur srv-{request_id} ne répond plus.\nMerci")
        values = {"request_id": request_id, "enqueued_at": now - timedelta(hours=hours), "first_email": first,
                  "email": f"Réponse du support\n\n-----Message d'origine-----\n{first}", "category": SUPERVISION,
                  "confidence": 0.4, "fields": {"hostname": f"srv-{request_id}", "severity": "DOWN"},
                  "scores": {SUPERVISION: 0.4, SAUVEGARDE: 0.35, "unknown": 0.25}, **kw}  # fmt: skip
        return NewReviewItem(**values)

    review_server.store.add_many([
        item("page-1", 300, first_email="Bonjour <script>alert('x')</script>, le serveur srv-01 est DOWN.",
             subject="<img src=x onerror=alert(1)>"),
        item("page-2", 150),
        item("page-3", 100, category=RESTAURATION, fields={"restore_type": "dossier"}, confidence=0.62),
        *(item(f"bulk-{n:02d}", 1 + n / 100, category=SAUVEGARDE, confidence=0.3, fields={}) for n in range(55)),
    ])  # fmt: skip
    return review_server


def test_login_cookie_and_redirects(seeded, tokens) -> None:
    with seeded.client() as browser:
        answer = browser.get("/items/page-2?category=x")
        assert answer.status_code in (303, 307)
        assert answer.headers["location"] == "/login?suite=%2Fitems%2Fpage-2%3Fcategory%3Dx"
        page = browser.get("/login")
        assert page.status_code == 200 and 'lang="fr"' in page.text and 'name="token"' in page.text

        wrong = browser.post("/login", data={"token": "nope", "suite": "/"})
        assert wrong.status_code == 401 and "pas reconnu" in wrong.text and "set-cookie" not in wrong.headers
        client = browser.post("/login", data={"token": tokens["client"], "suite": "/"})
        assert client.status_code == 403 and "relecteur" in client.text and "set-cookie" not in client.headers

        ok = browser.post("/login", data={"token": tokens["alice"], "suite": "/items/page-2"})
        assert ok.status_code == 303 and ok.headers["location"] == "/items/page-2"
        cookie = ok.headers["set-cookie"].lower()
        assert "httponly" in cookie and "samesite=strict" in cookie and "path=/" in cookie
        assert "secure" not in cookie  # plain HTTP here: a Secure cookie would never come back
        assert browser.get("/items/page-2").status_code == 200

        behind_tls = browser.post("/login", data={"token": tokens["alice"], "suite": "//evil.example/x"},
                                  headers={"X-Forwarded-Proto": "https"})  # fmt: skip
        assert "secure" in behind_tls.headers["set-cookie"].lower()
        assert behind_tls.headers["location"] == "/"  # never a redirect to another site

        out = browser.post("/logout")
        assert out.status_code == 303 and 'mail2ticket_review=""' in out.headers["set-cookie"]
        browser.cookies.clear()
        assert browser.get("/").status_code in (303, 307)


def test_roles_on_pages(seeded, tokens) -> None:
    with seeded.client(tokens["client"]) as client:
        for path in ("/", "/items/page-1"):
            answer = client.get(path)
            assert answer.status_code == 403 and "Accès refusé" in answer.text
        assert client.post("/items/page-1/decision", data={"action": "confirm", "version": "1"}).status_code == 403
    with seeded.client(cookies={"mail2ticket_review": tokens["client"]}) as client_cookie:
        assert client_cookie.get("/").status_code == 403
    with seeded.client("not-a-token") as wrong:
        answer = wrong.get("/")
        assert answer.status_code == 401 and "Authentification requise" in answer.text
    for role in ("alice", "admin"):
        with seeded.client(tokens[role]) as allowed:
            assert allowed.get("/").status_code == 200


def test_queue_counts_filters_and_pages(seeded, tokens) -> None:
    with logged_in(seeded, tokens["alice"]) as browser:
        page = browser.get("/")
        assert page.status_code == 200 and "File de revue" in page.text
        assert re.search(r'data-etat="pending">\s*58\s*<', page.text)
        assert "page 1 sur 2" in page.text and 'rel="next"' in page.text
        rows = re.findall(r'<tr data-request-id="([^"]+)"', page.text)
        assert rows[:3] == ["page-1", "page-2", "page-3"] and len(rows) == 50
        assert page.headers["cache-control"] == "no-store"
        assert "script-src 'self'" in page.headers["content-security-policy"]
        assert "<script>alert" not in page.text  # the start of the e-mail is escaped in the table too

        second = browser.get("/", params={"page": "2"})
        assert len(re.findall(r'<tr data-request-id="', second.text)) == 8

        def rows_for(**params: str) -> list[str]:
            answer = browser.get("/", params=params)
            assert answer.status_code == 200, answer.text
            return re.findall(r'<tr data-request-id="([^"]+)"', answer.text)

        assert rows_for(categorie=RESTAURATION) == ["page-3"]
        assert rows_for(confiance_min="0.5", confiance_max="0,7") == ["page-3"]  # a French decimal comma too
        assert rows_for(anciennete="gt7j") == ["page-1"]
        assert rows_for(anciennete="lt24h", categorie=SUPERVISION) == []
        assert rows_for(etat="confirmed") == []

        bad = browser.get("/", params={"confiance_min": "beaucoup", "anciennete": "hier"})
        assert bad.status_code == 400 and "confiance min" in bad.text and "Ancienneté inconnue" in bad.text


def test_item_page(seeded, tokens) -> None:
    with logged_in(seeded, tokens["alice"]) as browser:
        page = browser.get("/items/page-1")
        assert page.status_code == 200
        html = page.text
        # The first e-mail is marked inside the thread; the untrusted text is escaped everywhere.
        assert re.search(r'<mark id="premier-email">Bonjour &lt;script&gt;alert\(&#x27;x&#x27;\)&lt;/script&gt;', html)
        assert "<script>alert" not in html and "<img src=x" not in html and "&lt;img src=x" in html
        assert re.search(r"<th scope=\"row\">Incidents/Supervision</th>\s*<td><meter", html)
        assert "40,0\u00a0%" in html and "35,0\u00a0%" in html
        # Every label is offered; the model's category is selected and its fields are filled in.
        options = re.findall(
            r'<option value="([^"]*)"( selected)?>', html.split('id="category"')[1].split("</select>")[0]
        )
        assert len(options) == 10 and (SUPERVISION, " selected") in options and ("unknown", "") in options
        assert 'name="f.supervision.hostname" id="f.supervision.hostname" value="srv-page-1"' in html
        assert re.search(r'<option value="DOWN" selected>DOWN</option>', html)
        assert '<fieldset data-category="Incidents/Supervision" id="champs-supervision">' in html
        assert re.search(r'id="champs-restauration" hidden disabled', html)
        assert 'type="date" name="f.restauration.restore_date"' in html
        assert re.search(r'<textarea name="f\.[a-z_]+\.hostnames"', html)
        assert 'type="checkbox" name="f.strategie_suppression.delete_existing_backups"' in html
        assert 'name="version" value="1"' in html and csrf_of(html)
        for shortcut in ('id="confirmer"', 'id="corriger"', 'id="hors-perimetre"', "review.js"):
            assert shortcut in html

        chosen = browser.get("/items/page-1", params={"category": RESTAURATION})
        assert (
            '<fieldset data-category="Demande de service/Backup #BCS/Restauration qualifiée" id="champs-restauration">'
            in chosen.text
        )

        missing = browser.get("/items/nope")
        assert missing.status_code == 404 and "Élément introuvable" in missing.text


def test_decisions_csrf_errors_conflict_and_next_item(seeded, tokens) -> None:
    with logged_in(seeded, tokens["alice"]) as alice, logged_in(seeded, tokens["bob"]) as bob:
        csrf = csrf_of(alice.get("/items/page-2").text)
        form = {"csrf": csrf, "version": "1", "action": "correct", "category": RESTAURATION, "fs.restauration": "1",
                "f.restauration.restore_date": "28/02/2025", "f.restauration.restore_type": "dossier"}  # fmt: skip

        forged = alice.post("/items/page-2/decision", data={**form, "csrf": "0" * 64})
        assert forged.status_code == 403 and "Formulaire expiré" in forged.text
        assert (
            alice.post("/items/page-2/decision", data={k: v for k, v in form.items() if k != "csrf"}).status_code == 403
        )
        # Bob's page carries Bob's token: it cannot be replayed with Alice's cookie.
        assert (
            alice.post(
                "/items/page-2/decision", data={**form, "csrf": csrf_of(bob.get("/items/page-2").text)}
            ).status_code
            == 403
        )

        invalid = alice.post("/items/page-2/decision", data=form)
        assert invalid.status_code == 422
        assert 'id="erreur-f.restauration.restore_date"' in invalid.text and "AAAA-MM-JJ" in invalid.text
        assert 'value="28/02/2025"' in invalid.text  # what was typed is kept
        assert (
            '<fieldset data-category="Demande de service/Backup #BCS/Restauration qualifiée" id="champs-restauration">'
            in invalid.text
        )
        assert seeded.store.require("page-2").version == 1

        done = alice.post("/items/page-2/decision", data={**form, "f.restauration.restore_date": "2025-02-28"})
        assert done.status_code == 303
        assert done.headers["location"] == "/items/page-1?enregistre=page-2"  # the longest waiting pending item
        decided = seeded.store.require("page-2")
        assert (decided.status, decided.decided_by, decided.decided_category) == ("corrected", "alice", RESTAURATION)
        assert decided.decided_fields == {"restore_date": "2025-02-28", "restore_type": "dossier"}
        landed = alice.get(done.headers["location"])
        assert "Décision enregistrée" in landed.text and "page-2" in landed.text

        # Bob had the same item open on version 1: 409, in French, saying who decided.
        late = bob.post("/items/page-2/decision", data={"csrf": csrf_of(bob.get("/items/page-1").text), "version": "1",
                                                        "action": "confirm"})  # fmt: skip
        assert late.status_code == 409
        assert "Quelqu'un a décidé avant vous" in late.text and "alice" in late.text and "Corrigé" in late.text

        # Confirming keeps the model's fields when the model's fieldset was not sent.
        confirm = bob.post("/items/page-1/decision", data={"csrf": csrf_of(bob.get("/items/page-1").text),
                                                          "version": "1", "action": "confirm"})  # fmt: skip
        assert confirm.status_code == 303 and confirm.headers["location"].startswith("/items/page-3?")
        assert seeded.store.require("page-1").decided_fields == {"hostname": "srv-page-1", "severity": "DOWN"}
        trail = seeded.store.audit("page-1")
        assert [(e.actor, e.action) for e in trail] == [("bob", "confirm")]
        history = bob.get("/items/page-1").text
        assert 'id="audit"' in history and "bob" in history and "Confirmé" in history


def test_root_path_and_proxy_user_header(start_server, tmp_path: Path, tokens) -> None:
    from mail2ticket.review import NewReviewItem

    proxy = {"MAIL2TICKET_REVIEW_USER_HEADER": "X-Forwarded-User", "MAIL2TICKET_REVIEW_ROLE_HEADER": "X-Forwarded-Role"}
    server = start_server(tmp_path / "proxy", root_path="/review", env=proxy)
    server.store.add(NewReviewItem(request_id="only", email="Bonjour", first_email="Bonjour",
                                   category=SUPERVISION, confidence=0.3))  # fmt: skip
    claire = {"X-Forwarded-User": "claire.dupont@example.fr"}
    with server.client(headers=claire) as browser:
        queue = browser.get("/")
        assert queue.status_code == 200 and "claire.dupont@example.fr" in queue.text
        assert 'href="/review/items/only"' in queue.text and 'href="/review/static/review.css"' in queue.text
        assert browser.get("/static/review.js").status_code == 200
        bare = httpx.get(server.url + "/review", headers=claire)
        assert bare.status_code == 307 and bare.headers["location"] == "/review/"
        with httpx.Client(base_url=server.url, headers=claire) as stripped:  # an Ingress that strips the prefix
            assert stripped.get("/items/only").status_code == 200
        csrf = csrf_of(browser.get("/items/only").text)
        forged = browser.post("/items/only/decision", data={"csrf": csrf, "version": "1", "action": "confirm"},
                              headers={"X-Forwarded-User": "mallory"})  # fmt: skip
        assert forged.status_code == 403  # the token is bound to the proxy user
        done = browser.post("/items/only/decision", data={"csrf": csrf, "version": "1", "action": "out_of_scope"},
                            headers={"X-Forwarded-Role": "reviewer"})  # fmt: skip
        assert done.status_code == 303 and done.headers["location"] == "/review/?vide=1"  # the queue is empty
        assert "la file est vide" in browser.get(server.url + done.headers["location"]).text
    entry = server.store.audit("only")[0]
    assert (entry.actor, entry.role, entry.after["status"]) == ("claire.dupont@example.fr", "reviewer", "out_of_scope")

    with server.client(headers={**claire, "X-Forwarded-Role": "admin"}) as admin:
        assert "administrateur" in admin.get("/").text
    with server.client(headers={**claire, "X-Forwarded-Role": "client"}) as client:
        assert client.get("/").status_code == 403
    with server.client() as nobody:
        answer = nobody.get("/")
        assert answer.status_code in (303, 307) and answer.headers["location"] == "/review/login?suite=%2F"
    with server.client(tokens["alice"]) as api:  # the API stays bearer-only, under the prefix too
        assert api.get("/api/v1/items", params={"status": "all"}).json()["total"] == 1
    with server.client(headers=claire) as header_only:
        assert header_only.get("/api/v1/items").status_code == 401
