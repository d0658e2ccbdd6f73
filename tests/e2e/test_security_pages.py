"""Console and portal pages work under their Content-Security-Policy in a real Chromium."""

from __future__ import annotations

from typing import Any

import pytest
from playwright.sync_api import Page, expect

from sangdam.core.demo import ADMIN_EMAIL
from tests.e2e.test_agent_flow import log_in, shot

# The page's layout and wiring in the browser: the SQLite pass only (scripts/test.sh). What
# the server stores on these paths is tested in-process on both databases.
pytestmark = pytest.mark.once


def _watch(page: Page) -> list[str]:
    """Everything the browser refused or failed on (CSP violations, script errors)."""
    problems: list[str] = []
    page.on(
        "console",
        lambda msg: (
            problems.append(msg.text)
            if msg.type == "error" or "Content Security Policy" in msg.text
            else None
        ),
    )
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    return problems


def test_console_pages_run_under_the_policy_without_a_violation(browser: Any, server: str) -> None:
    page = log_in(browser, server, ADMIN_EMAIL, viewport={"width": 1280, "height": 800})
    problems = _watch(page)
    page.goto(f"{server}/")
    expect(page.locator("tr.ticket-row").first).to_be_visible()
    page.locator("tr.ticket-row a").first.click()
    expect(page.locator("#reply-form, form[action*='reply']").first).to_be_visible()
    page.goto(f"{server}/admin/agents/")
    expect(page.locator("#agents")).to_be_visible()
    page.goto(f"{server}/account/two-factor/")
    expect(page.locator("figure.qr svg")).to_be_visible()
    shot(page, "two-factor-enrol")
    assert problems == []


def test_the_two_factor_page_fits_a_phone(browser: Any, server: str) -> None:
    page = log_in(browser, server, ADMIN_EMAIL, viewport={"width": 390, "height": 844})
    problems = _watch(page)
    page.goto(f"{server}/account/two-factor/")
    expect(page.locator("figure.qr svg")).to_be_visible()
    width = page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390
    shot(page, "two-factor-enrol-phone")
    assert problems == []


def test_portal_pages_run_under_the_policy_without_a_violation(browser: Any, server: str) -> None:
    page: Page = browser.new_context(locale="ko-KR").new_page()
    problems = _watch(page)
    for path in ("/contact", "/contact/new", "/find/"):
        page.goto(f"{server}{path}")
        expect(page.locator("h1").first).to_be_visible()
    response = page.goto(f"{server}/contact/new")
    assert response is not None
    assert "script-src 'self'" in response.headers["content-security-policy"]
    assert problems == []
