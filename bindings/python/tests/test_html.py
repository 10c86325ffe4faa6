"""The HTML data map in a real browser: Debian's Chromium, driven by Playwright. The
page opens from the file system with no console errors, filtering shows exactly the
cells the data map says, a cell shows its rules and policy text, and the version
buttons and the timeline work."""

from __future__ import annotations

import os
import shutil

import pytest

import lawful

from conftest import RULES

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]

pytestmark = pytest.mark.skipif(
    not os.path.exists(CHROMIUM),
    reason="NOT RUN: Chromium is not installed (Debian package `chromium`; "
    "bindings/python/run-tests.sh installs it when run as root), so the HTML page was not opened in a browser",
)

SHOWN = """() => Array.from(document.querySelectorAll('#matrix td.use:not(.off)'))
    .filter(td => td.offsetParent !== null)
    .map(td => [td.dataset.role, td.dataset.category, td.dataset.purpose].join(' '))"""


def cells(policy, version=None, keep=lambda use: True):
    return {f"{u['role']} {u['category']} {u['purpose']}" for u in policy.data_map(version)["uses"] if keep(u)}


@pytest.fixture(scope="module")
def page(tmp_path_factory):
    from playwright.sync_api import sync_playwright

    path = tmp_path_factory.mktemp("map") / "map.html"
    path.write_text(lawful.report(RULES, "html"), encoding="utf-8")
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=CHROMIUM, args=ARGS)
        tab = browser.new_page(viewport={"width": 1600, "height": 1000})
        errors: list[str] = []
        requests: list[str] = []
        tab.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
        tab.on("pageerror", lambda e: errors.append(str(e)))
        tab.on("request", lambda r: requests.append(r.url))
        tab.goto(path.as_uri())
        tab.errors = errors
        tab.requests = requests
        yield tab
        browser.close()


def reset(page):
    for select in ("#f-role", "#f-category", "#f-purpose", "#f-party"):
        page.select_option(select, "")


def test_the_page_opens_with_no_errors_and_no_network(page, policy):
    assert page.errors == []
    assert all(url.startswith("file://") for url in page.requests), page.requests
    assert page.title() == "Data map: Filestack Privacy Policy"
    assert set(page.evaluate(SHOWN)) == cells(policy)
    assert "under 18" in page.locator("#notes").inner_text()


def test_filtering_by_role_category_purpose_and_party(page, policy):
    reset(page)
    page.select_option("#f-role", "account_user")
    assert set(page.evaluate(SHOWN)) == cells(policy, keep=lambda u: u["role"] == "account_user")
    reset(page)
    page.select_option("#f-category", "contact")
    page.select_option("#f-purpose", "marketing")
    expected = cells(policy, keep=lambda u: u["category"].startswith("contact.") and u["purpose"].startswith("marketing."))
    assert expected and set(page.evaluate(SHOWN)) == expected
    reset(page)
    page.select_option("#f-party", "zendesk")
    expected = cells(policy, keep=lambda u: any(r["party"] == "zendesk" for r in u["recipients"]))
    assert expected and set(page.evaluate(SHOWN)) == expected
    assert page.locator("#summary").inner_text().startswith(f"{len(expected)} uses shown")
    reset(page)
    assert page.errors == []


def test_a_cell_shows_its_rules_conditions_recipients_and_policy_text(page):
    reset(page)
    page.click('td.use[data-role="visitor"][data-category="device.ip_address"][data-purpose="marketing.advertising"]')
    detail = page.locator("#detail")
    text = detail.inner_text()
    assert "visitor-browsing" in text
    # Names are set in code: the text reads without the rule file's backticks.
    assert "not when do_not_track" in text
    assert 'when jurisdiction = "US-CA", only with consent to sale' in text
    assert detail.locator("code", has_text="do_not_track").count() >= 1
    assert detail.locator('tr[data-party="google_ads"]').count() == 1
    # The rule as written, and the section of the policy it cites.
    detail.locator("summary", has_text="rule visitor-browsing").first.click()
    assert "allow use of device" in detail.inner_text()
    detail.locator("summary", has_text="“Data Use”").first.click()
    assert "We use data collected about visitors" in detail.inner_text()
    assert page.errors == []


def test_versions_and_the_timeline(page, policy):
    reset(page)
    page.click('#versions button[data-version="2017-11-08"]')
    assert set(page.evaluate(SHOWN)) == cells(policy, "2017-11-08")
    assert "under 13" in page.locator("#notes").inner_text()
    page.click('#versions button[data-version="2021-11-11"]')
    assert set(page.evaluate(SHOWN)) == cells(policy)
    sections = page.locator("#changes section")
    assert sections.count() == 3
    newest = page.locator('#changes section[data-to="2021-11-11"]').inner_text()
    assert "2020-04-17 → 2021-11-11" in newest
    first = page.locator('#changes section[data-to="2020-04-06"]').inner_text()
    assert "use added" in first
    assert page.errors == []
