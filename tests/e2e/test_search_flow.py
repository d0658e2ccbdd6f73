"""Searching from the console's header in a real browser, against the real embedded server."""

from __future__ import annotations

import time
import uuid
from typing import Any

import httpx
from playwright.sync_api import Page, expect

from sangdam.core.demo import ADMIN_EMAIL
from tests.e2e.conftest import api_auth
from tests.e2e.test_agent_flow import log_in, shot


def search_until_found(page: Page, q: str, reference: str, timeout: float = 90) -> None:
    """The index is written by the worker a moment after the intake (the first time, after
    the Korean model has loaded): search again until the ticket shows."""
    deadline = time.monotonic() + timeout
    while True:
        page.fill("#topbar-q", q)
        page.press("#topbar-q", "Enter")
        page.wait_for_load_state()
        if page.locator(f'.search-hit[data-reference="{reference}"]').count():
            return
        if time.monotonic() > deadline:
            raise AssertionError(f"{q!r} did not find {reference}")
        time.sleep(1)


def test_the_header_search_finds_an_inflected_korean_form_and_mixed_text(
    browser: Any, server: str
) -> None:
    tag = uuid.uuid4().hex[:6]
    response = httpx.post(
        f"{server}/api/v1/tickets",
        headers=api_auth(),
        json={
            "customer": {"email": f"search-{tag}@example.net", "name": "오하늘"},
            "subject": f"환불 문의 {tag}",
            "text": f"어제 환불했는데 아직 안 들어왔어요. 注文番号 {tag}, refund pending.",
        },
        timeout=30,
    )
    assert response.status_code == 201, response.text
    reference = response.json()["reference"]
    page = log_in(browser, server, ADMIN_EMAIL, viewport={"width": 1280, "height": 800})

    search_until_found(page, f"환불했어요 {tag}", reference)
    hit = page.locator(f'.search-hit[data-reference="{reference}"]')
    expect(hit.locator(".hit-snippet mark", has_text="환불").first).to_be_visible()
    shot(page, "search")

    for q in (f"注文番号 {tag}", f"refund {tag}"):
        search_until_found(page, q, reference, timeout=30)

    phone = log_in(browser, server, ADMIN_EMAIL, viewport={"width": 390, "height": 844})
    phone.goto(f"{server}/search/?q=환불했어요+{tag}")
    expect(phone.locator(f'.search-hit[data-reference="{reference}"]')).to_be_visible()
    box = phone.locator(f'.search-hit[data-reference="{reference}"]').bounding_box()
    assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= 390
    shot(phone, "search-phone")
