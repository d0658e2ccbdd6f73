"""Presence, macros and the wait estimate in a real browser (the demo center)."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_agent_flow import admin_page, shot  # noqa: F401 - the fixture

# The page's layout and wiring in the browser: the SQLite pass only (scripts/test.sh). What
# the server stores on these paths is tested in-process on both databases.
pytestmark = pytest.mark.once


def test_an_agent_goes_online_and_inserts_a_macro_filled_in(
    server: str,
    admin_page: Page,  # noqa: F811
    browser: Any,
) -> None:
    admin_page.click("#presence-form button[value=online]")
    expect(admin_page.locator("#presence-form button[value=online]")).to_have_attribute(
        "aria-pressed", "true"
    )

    admin_page.goto(f"{server}/?view=open&channel=email")
    admin_page.locator("tr.ticket-row a").first.click()
    reference = admin_page.locator(".crumbs .ref").inner_text().strip()
    url = admin_page.url
    admin_page.fill("#reply-form textarea[name=text]", "")
    admin_page.select_option("#macro-select", label="인사 Greeting")
    admin_page.click("#macro-picker button[type=submit]")

    box = admin_page.locator("#reply-form textarea[name=text]")
    expect(box).to_have_value(re.compile(f".*{reference}.*"))
    assert "{{" not in box.input_value()
    assert admin_page.url == url  # inserted in place, not by reloading
    shot(admin_page, "macro")

    contact = browser.new_context().new_page()
    contact.goto(f"{server}/contact")
    expect(contact.locator(".wait-estimate").first).to_be_visible()
