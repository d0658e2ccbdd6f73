"""The inbox in a real browser: a layout that holds on laptop and phone, bulk actions."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from sangdam.core.demo import ADMIN_EMAIL
from tests.e2e.conftest import api_auth
from tests.e2e.test_agent_flow import log_in, shot

# The page's layout and wiring in the browser: the SQLite pass only (scripts/test.sh). What
# the server stores on these paths is tested in-process on both databases.
pytestmark = pytest.mark.once

CELLS = ("ref", "subject", "customer", "channel", "topic", "status", "priority", "assignee", "time")


def create(server: str, subject: str, name: str = "정하윤") -> str:
    tag = uuid.uuid4().hex[:8]
    response = httpx.post(
        f"{server}/api/v1/tickets",
        headers=api_auth(),
        json={
            "customer": {"email": f"inbox-{tag}@example.net", "name": name},
            "subject": subject,
            "text": "확인 부탁드립니다.",
        },
        timeout=30,
    )
    assert response.status_code == 201, response.text
    return str(response.json()["reference"])


@pytest.mark.parametrize(
    ("width", "height", "name"), [(1280, 800, "inbox"), (390, 844, "inbox-phone")]
)
def test_a_300_character_unbroken_subject_keeps_every_column_visible(
    browser: Any, server: str, width: int, height: int, name: str
) -> None:
    reference = create(server, "가" * 150 + "X" * 150, name="김" + "a" * 60)
    page = log_in(browser, server, ADMIN_EMAIL, viewport={"width": width, "height": height})
    page.goto(f"{server}/?view=open&channel=api")
    row = page.locator(f'tr.ticket-row[data-reference="{reference}"]')
    expect(row).to_be_visible()
    # The live list is swapped once when the socket opens: measure after that, in one go.
    expect(page.locator("body")).to_have_attribute("data-live-state", "open")
    page.wait_for_load_state("networkidle")
    boxes = row.evaluate(
        """(row, cells) => Object.fromEntries(cells.map(c => {
            const r = row.querySelector('td.' + c).getBoundingClientRect();
            return [c, {x: r.x, width: r.width, height: r.height}];
        }))""",
        list(CELLS),
    )
    for cell, box in boxes.items():
        assert box["width"] > 10 and box["height"] > 0, (cell, box)
        assert box["x"] >= 0 and box["x"] + box["width"] <= width + 0.5, (cell, box)
    # Nothing scrolls sideways: the page is exactly as wide as the window.
    assert page.evaluate("document.documentElement.scrollWidth") <= width
    # The full subject is one hover away.
    assert row.locator("td.subject").get_attribute("title") == "가" * 150 + "X" * 150
    page.goto(f"{server}/?view=open")
    shot(page, name)


def test_bulk_assign_fifty_tickets(browser: Any, server: str) -> None:
    tag = uuid.uuid4().hex[:6]
    references = {create(server, f"일괄 배정 {tag} {i}") for i in range(50)}
    page: Page = log_in(
        browser, server, "emma@example.com", viewport={"width": 1280, "height": 900}
    )
    page.goto(f"{server}/?view=unassigned&channel=api&limit=50")
    rows = page.locator("tr.ticket-row")
    expect(rows).to_have_count(50)
    assert {r.get_attribute("data-reference") for r in rows.all()} == references

    page.check("#select-all")
    expect(page.locator("#bulk-count")).to_have_text("50 selected")
    minho = page.locator("#bulk-op option", has_text="이민호").get_attribute("value")
    assert minho is not None
    page.select_option("#bulk-op", minho)
    page.click("#bulk-apply")

    expect(page.locator(".flash-success")).to_have_text("50 tickets updated.")
    minho_id = minho.split(":")[1]
    page.goto(f"{server}/?view=open&channel=api&assignee={minho_id}&limit=100")
    shown = {r.get_attribute("data-reference") for r in page.locator("tr.ticket-row").all()}
    assert references <= shown


# The top bar's parts, in order: each must sit on the first line at 1280 px.
BAR = (".brand", ".mainnav", ".topbar-search", ".account")


@pytest.mark.parametrize("language", ["ko", "en"])
def test_the_top_bar_is_one_line_at_1280_px(browser: Any, server: str, language: str) -> None:
    page = log_in(browser, server, ADMIN_EMAIL, viewport={"width": 1280, "height": 800})
    _switch_language(page, language)
    try:
        boxes = _boxes(page, [*BAR, ".topbar"])
    finally:
        _switch_language(page, "ko")  # the demo admin's own language, for the other tests
    bar = boxes.pop(".topbar")
    for part, box in boxes.items():
        # One line: every part lies within the bar's single row, side by side.
        assert box["top"] >= bar["top"] and box["bottom"] <= bar["bottom"], (part, box, bar)
        assert box["right"] <= 1280, (part, box)
    rights = [boxes[p]["right"] for p in BAR]
    lefts = [boxes[p]["left"] for p in BAR]
    assert all(lefts[i + 1] >= rights[i] for i in range(len(BAR) - 1)), boxes
    assert bar["height"] < 60, bar  # one row of controls, not two
    assert boxes[".topbar-search"]["right"] - boxes[".topbar-search"]["left"] >= 200


def test_the_top_bar_degrades_to_stacked_rows_at_390_px(browser: Any, server: str) -> None:
    page = log_in(browser, server, ADMIN_EMAIL, viewport={"width": 390, "height": 844})
    boxes = _boxes(page, [*BAR, "#topbar-q", "#account-menu summary"])
    for part, box in boxes.items():
        assert box["left"] >= 0 and box["right"] <= 390 + 0.5, (part, box)
    # The search box gets a row of its own, nearly the full width.
    assert boxes[".topbar-search"]["top"] >= boxes[".mainnav"]["bottom"] - 1
    assert boxes["#topbar-q"]["right"] - boxes["#topbar-q"]["left"] >= 250
    assert page.evaluate("document.documentElement.scrollWidth") <= 390
    # The account menu opens inside the screen and its controls work.
    page.click("#account-menu summary")
    menu = _boxes(page, [".account-menu-body"])[".account-menu-body"]
    assert menu["left"] >= 0 and menu["right"] <= 390 + 0.5, menu
    expect(page.locator(".logout button")).to_be_visible()


def _switch_language(page: Page, language: str) -> None:
    page.click("#account-menu summary")
    page.click(f".language-switch button[value={language}]")
    expect(page.locator("html")).to_have_attribute("lang", language)


def _boxes(page: Page, selectors: list[str]) -> dict[str, dict[str, float]]:
    return dict(
        page.evaluate(
            """(sels) => sels.map(s => {
                const r = document.querySelector(s).getBoundingClientRect();
                return [s, {left: r.left, right: r.right, top: r.top, bottom: r.bottom,
                            height: r.height}];
            })""",
            selectors,
        )
    )
