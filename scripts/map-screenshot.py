#!/usr/bin/env python3
"""Takes the picture of the HTML data map that the README shows (docs/data-map.png).

    .venv/bin/python scripts/map-screenshot.py

Needs the lawful package and Playwright in the environment (bindings/python/run-tests.sh
installs both into .venv) and Debian's Chromium (`apt-get install chromium`)."""

from __future__ import annotations

import pathlib
import tempfile

from playwright.sync_api import sync_playwright

import lawful

REPO = pathlib.Path(__file__).resolve().parents[1]
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        page_path = pathlib.Path(tmp) / "map.html"
        page_path.write_text(lawful.report(REPO / "rules" / "filestack", "html"), encoding="utf-8")
        with sync_playwright() as p:
            browser = p.chromium.launch(executable_path="/usr/bin/chromium", args=ARGS)
            page = browser.new_page(viewport={"width": 1500, "height": 950})
            page.goto(page_path.as_uri())
            page.select_option("#f-role", "visitor")
            page.click('td.use[data-role="visitor"][data-category="device.ip_address"][data-purpose="marketing.advertising"]')
            page.screenshot(path=str(REPO / "docs" / "data-map.png"))
            browser.close()


if __name__ == "__main__":
    main()
