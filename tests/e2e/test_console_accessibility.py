"""axe-core (WCAG 2.2 AA rules) on the console's inbox and ticket page, laptop and phone."""

from __future__ import annotations

from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import Page, expect

from tests.e2e.test_agent_flow import log_in, shot
from tests.e2e.test_workspace_flow import open_ticket

# The page's layout and wiring in the browser: the SQLite pass only (scripts/test.sh). What
# the server stores on these paths is tested in-process on both databases.
pytestmark = pytest.mark.once

WCAG_AA = {
    "runOnly": {"type": "tag", "values": ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa", "wcag22aa"]}
}


def violations(page: Page) -> str:
    results = Axe().run(page, options=WCAG_AA)
    return results.generate_report() if results.violations_count else ""


@pytest.mark.parametrize(("width", "height", "suffix"), [(1280, 900, ""), (390, 844, "-phone")])
def test_the_inbox_and_the_ticket_page_pass_axe(
    browser: Any, server: str, width: int, height: int, suffix: str
) -> None:
    _, ticket_id = open_ticket(server)
    page = log_in(browser, server, "emma@example.com", viewport={"width": width, "height": height})
    expect(page.locator("body")).to_have_attribute("data-live-state", "open")
    page.locator("tr.ticket-row .row-select").first.check()
    report = violations(page)
    assert not report, report

    page.goto(f"{server}/tickets/{ticket_id}/")
    expect(page.locator("body")).to_have_attribute("data-live-state", "open")
    page.select_option("#prop-priority-value", "high")
    expect(page.locator("#toast")).to_be_visible()
    report = violations(page)
    assert not report, report
    shot(page, f"ticket-workspace{suffix}")
