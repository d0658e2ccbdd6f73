"""Triage with the keyboard only, in a real browser against the real embedded server."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest
from playwright.sync_api import APIResponse, Page, Route, expect

from tests.e2e.test_agent_flow import log_in
from tests.e2e.test_inbox_flow import create

# The page's layout and wiring in the browser: the SQLite pass only (scripts/test.sh). What
# the server stores on these paths is tested in-process on both databases.
pytestmark = pytest.mark.once

# A keystroke at the worst moment: right when htmx has swapped the new properties panel in.
PRESS_S_ON_PANEL_SWAP = """() => document.addEventListener("htmx:afterSwap", function once(event) {
    if (event.target.id !== "properties") return;
    document.removeEventListener("htmx:afterSwap", once);
    document.body.dispatchEvent(new KeyboardEvent("keydown", {key: "s", bubbles: true}));
})"""


@contextmanager
def slow_property_answers(page: Page) -> Iterator[None]:
    """Hold the answers to in-place property changes until the block ends, then deliver
    them newest first (the order a slow network may well choose), and let later ones pass.
    The server handles each request when it is sent; only the answers wait."""
    held: list[tuple[Route, APIResponse]] = []
    holding = True

    def handle(route: Route) -> None:
        response = route.fetch()
        if holding:
            held.append((route, response))
        else:
            route.fulfill(response=response)

    page.route("**/property/", handle)
    try:
        yield
        page.evaluate("1")  # a round trip: requests the keys sent reach the handler
    finally:
        holding = False
        for route, response in reversed(held):
            route.fulfill(response=response)


def test_keyboard_only_triage_of_three_tickets(browser: Any, server: str) -> None:
    tag = uuid.uuid4().hex[:6]
    references = [create(server, f"키보드 분류 {tag} {i}") for i in range(3)]
    page = log_in(browser, server, "emma@example.com", viewport={"width": 1280, "height": 900})
    page.goto(f"{server}/?view=unassigned&channel=api")
    expect(page.locator("tr.ticket-row").first).to_have_attribute("data-reference", references[2])
    expect(page.locator("body")).to_have_attribute("data-live-state", "open")
    page.wait_for_load_state("networkidle")

    page.keyboard.press("?")
    expect(page.locator("#shortcuts-help")).to_be_visible()
    page.keyboard.press("Escape")
    expect(page.locator("#shortcuts-help")).to_be_hidden()

    page.keyboard.press("j")
    page.keyboard.press("Enter")
    for number, reference in enumerate(reversed(references)):
        if number:
            page.keyboard.press("j")
        expect(page.locator(".crumbs .ref")).to_have_text(reference)
        expect(page.locator("body")).to_have_attribute("data-live-state", "open")
        if number == 0:
            # "a" then "s" at typing speed on a slow network: "s" lands while the
            # assignment's answer is still on its way.
            with slow_property_answers(page):
                page.keyboard.press("a")
                page.keyboard.press("s")
        elif number == 1:
            # "s" the instant the assignment's panel is swapped in, before htmx's settle step
            # binds the new panel's controls (the window the key used to be lost in).
            page.evaluate(PRESS_S_ON_PANEL_SWAP)
            page.keyboard.press("a")
        else:
            page.keyboard.press("a")
            page.keyboard.press("s")
        # Both keys took effect, on screen and (checked below, in the solved view) on the server.
        expect(page.locator("#ticket-summary")).to_contain_text("Emma Wilson")
        expect(page.locator("#ticket-status")).to_have_text("Solved")
        expect(page.locator("#prop-status-value")).to_have_value("solved")

    page.keyboard.press("u")
    page.wait_for_url(f"{server}/")
    page.goto(f"{server}/?view=solved&channel=api")
    for reference in references:
        row = page.locator(f'tr.ticket-row[data-reference="{reference}"]')
        expect(row.locator("td.assignee")).to_have_text("Emma Wilson")


def test_r_and_n_open_the_reply_box_as_reply_or_note(browser: Any, server: str) -> None:
    create(server, f"단축키 {uuid.uuid4().hex[:6]}")
    page = log_in(browser, server, "emma@example.com", viewport={"width": 1280, "height": 900})
    page.goto(f"{server}/?view=unassigned&channel=api")
    expect(page.locator("body")).to_have_attribute("data-live-state", "open")
    page.wait_for_load_state("networkidle")
    page.keyboard.press("j")
    page.keyboard.press("Enter")
    expect(page.locator("#reply-form")).to_be_visible()
    page.keyboard.press("n")
    expect(page.locator("#id_text")).to_be_focused()
    expect(page.locator('#reply-form input[name=kind][value="note"]')).to_be_checked()
    page.locator("#id_text").blur()
    page.keyboard.press("r")
    expect(page.locator('#reply-form input[name=kind][value="public"]')).to_be_checked()
    page.keyboard.press("Escape")
    page.locator("#id_text").blur()
    page.keyboard.press("/")
    expect(page.locator("#topbar-q")).to_be_focused()
