"""Debian's Chromium (installed by ``make system-deps``) runs headless under Playwright's Python driver."""

from __future__ import annotations

import os
import subprocess
import urllib.parse

from playwright.sync_api import sync_playwright

PAGE = """<html><body>
<h1 id="title">Review queue</h1>
<script>document.body.dataset.ready = "yes"</script>
</body></html>"""


def test_playwright_drives_debians_chromium(chromium_path: str) -> None:
    # Chromium's sandbox needs user namespaces that root in a container does not get.
    args = ["--no-sandbox"] if os.geteuid() == 0 else []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=chromium_path, headless=True, args=args)
        try:
            page = browser.new_page()
            page.goto("data:text/html," + urllib.parse.quote(PAGE))
            assert page.text_content("#title") == "Review queue"
            assert page.evaluate("document.body.dataset.ready") == "yes"
            version = browser.version
        finally:
            browser.close()
    # The browser Playwright drove is Debian's, not one of its own downloads.
    installed = subprocess.run([chromium_path, "--version"], capture_output=True, text=True, check=True).stdout
    assert version in installed, (version, installed)
