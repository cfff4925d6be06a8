"""The reviewers' page in a real browser (Debian's headless Chromium driven by Playwright).

A reviewer logs in with their token, opens the queue, opens the oldest item, corrects it with the
keyboard alone (category, a field, Ctrl+Enter), lands on the next item, confirms it with ``c``,
and both decisions are in the database with the reviewer's name in the audit trail.
"""

from __future__ import annotations

import os
import re
import shutil
from datetime import UTC, datetime, timedelta
from pathlib import Path

from playwright.sync_api import expect, sync_playwright

from mail2ticket.review import NewReviewItem

SUPERVISION = "Incidents/Supervision"
RESTAURATION = "Demande de service/Backup #BCS/Restauration qualifiée"
SOURCE_PATH = r"\\srvfic01\compta\2024 (dossier chiffré)"


def seed(store) -> None:
    now = datetime.now(UTC)
    alert = "Alerte PRTG: srv-web-02 DOWN"
    first = "Bonjour,\nle serveur SRVFIC01 ne répond plus depuis 8h ce matin, <b>urgent</b>.\nCordialement"
    store.add_many([
        NewReviewItem(request_id="browser-1", enqueued_at=now - timedelta(hours=5), subject="Serveur de fichiers",
                      sender="compta@client.fr", email=f"Bonjour, nous regardons.\n\n> De : compta\n> {first}",
                      first_email=first, category=SUPERVISION, confidence=0.38,
                      scores={SUPERVISION: 0.38, RESTAURATION: 0.33, "unknown": 0.29},
                      fields={"hostname": "SRVFIC01", "severity": "DOWN"}),
        NewReviewItem(request_id="browser-2", enqueued_at=now - timedelta(hours=1), email=alert, first_email=alert,
                      category=SUPERVISION, confidence=0.55,
                      fields={"hostname": "srv-web-02", "severity": "DOWN"}),
    ])  # fmt: skip


def test_review_with_the_keyboard(start_server, chromium_path: str, tmp_path: Path, tokens) -> None:
    server = start_server(tmp_path / "app")
    seed(server.store)
    args = ["--no-sandbox"] if os.geteuid() == 0 else []  # root in a container has no user namespaces
    problems: list[str] = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, headless=True, args=args)
        try:
            context = browser.new_context(locale="fr-FR", viewport={"width": 1400, "height": 1000})
            page = context.new_page()
            page.set_default_timeout(10_000)
            page.on("console", lambda m: problems.append(m.text) if m.type == "error" else None)
            page.on("pageerror", lambda e: problems.append(str(e)))
            page.on("response", lambda r: problems.append(f"{r.status} {r.url}") if r.status >= 400 else None)

            # Log in: the queue sends the browser to the form, which sends it back.
            page.goto(server.url + "/")
            expect(page).to_have_url(re.compile(r"/login\?suite=%2F$"))
            page.keyboard.type(tokens["alice"])  # the token field has the focus
            page.keyboard.press("Enter")
            expect(page).to_have_url(server.url + "/")
            expect(page.locator("#qui")).to_contain_text("alice")
            expect(page.locator('#compteurs-etats td[data-etat="pending"]')).to_have_text("2")
            expect(page.locator("#file tbody tr")).to_have_count(2)

            # Open the longest-waiting item with its shortcut.
            page.keyboard.press("o")
            expect(page).to_have_url(server.url + "/items/browser-1")
            expect(page.locator("mark#premier-email")).to_contain_text("SRVFIC01 ne répond plus")
            expect(page.locator("mark#premier-email")).to_contain_text("<b>urgent</b>")  # shown as text, not markup
            expect(page.locator("#scores tr")).to_have_count(3)
            screenshot = tmp_path / "review-item.png"
            page.screenshot(path=str(screenshot), full_page=True)

            # Correct it with the keyboard: e (category), ↓ (the next label), then a field, then Ctrl+Enter.
            supervision_fields = page.locator("#champs-supervision")
            restauration_fields = page.locator("#champs-restauration")
            expect(supervision_fields).to_be_visible()
            expect(restauration_fields).to_be_hidden()
            page.keyboard.press("e")
            expect(page.locator("#category")).to_be_focused()
            page.keyboard.press("ArrowDown")
            expect(page.locator("#category")).to_have_value(RESTAURATION)
            expect(restauration_fields).to_be_visible()  # switched by the page's script, no round trip
            expect(supervision_fields).to_be_hidden()
            page.locator("#f\\.restauration\\.source_path").focus()
            page.keyboard.type(SOURCE_PATH)  # its c, s and h are text here, not shortcuts
            expect(page.locator("#f\\.restauration\\.source_path")).to_have_value(SOURCE_PATH)
            page.keyboard.press("Control+Enter")

            # The next pending item opens; confirm it with c.
            expect(page).to_have_url(server.url + "/items/browser-2?enregistre=browser-1")
            expect(page.locator("#enregistre")).to_contain_text("browser-1")
            page.keyboard.press("c")
            expect(page).to_have_url(server.url + "/?vide=1")
            expect(page.locator("#file-vide")).to_be_visible()
            context.close()
        finally:
            browser.close()

    print(f"screenshot of the item page: {screenshot}")
    copy_to = os.environ.get("MAIL2TICKET_SCREENSHOT_DIR")
    if copy_to:
        Path(copy_to).mkdir(parents=True, exist_ok=True)
        print(f"screenshot copied to: {shutil.copy(screenshot, Path(copy_to) / screenshot.name)}")
    assert screenshot.stat().st_size > 10_000
    assert problems == []  # no script error, nothing refused by the Content-Security-Policy

    corrected, confirmed = server.store.require("browser-1"), server.store.require("browser-2")
    assert (corrected.status, corrected.decided_category, corrected.decided_by) == ("corrected", RESTAURATION, "alice")
    assert corrected.decided_fields == {"source_path": SOURCE_PATH}
    assert (confirmed.status, confirmed.decided_category, confirmed.decided_by) == ("confirmed", SUPERVISION, "alice")
    assert confirmed.decided_fields == {"hostname": "srv-web-02", "severity": "DOWN"}
    trail = server.store.audit()
    assert [(e.request_id, e.actor, e.role, e.action) for e in trail] == [
        ("browser-1", "alice", "reviewer", "correct"),
        ("browser-2", "alice", "reviewer", "confirm"),
    ]
    assert trail[0].before["status"] == "pending" and trail[0].after["category"] == RESTAURATION
