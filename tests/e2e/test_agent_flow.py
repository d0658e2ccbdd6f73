"""An agent's day in a real browser, against the real embedded server."""

from __future__ import annotations

import os
import uuid
from pathlib import Path
from typing import Any

import httpx
import pytest
from playwright.sync_api import Page, expect

from sangdam.core.demo import ADMIN_EMAIL, DEMO_PASSWORD
from tests.e2e.conftest import api_auth

# The page's layout and wiring in the browser: the SQLite pass only (scripts/test.sh). What
# the server stores on these paths is tested in-process on both databases.
pytestmark = pytest.mark.once

SHOTS = Path(__file__).resolve().parents[2] / "docs" / "screenshots"


def log_in(browser: Any, server: str, email: str, **context: Any) -> Page:
    page: Page = browser.new_context(**context).new_page()
    page.goto(f"{server}/login/")
    page.fill("input[name=username]", email)
    page.fill("input[name=password]", DEMO_PASSWORD)
    page.click("#login-form button[type=submit]")
    expect(page.locator("tr.ticket-row").first).to_be_visible()
    return page


def shot(page: Page, name: str) -> None:
    if os.environ.get("SANGDAM_SCREENSHOTS") == "1":
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


@pytest.fixture
def admin_page(browser: Any, server: str) -> Page:
    return log_in(browser, server, ADMIN_EMAIL, viewport={"width": 1280, "height": 800})


def test_agent_replies_and_a_colleague_sees_it_arrive_live(
    browser: Any, server: str, admin_page: Page
) -> None:
    shot(admin_page, "inbox")
    admin_page.goto(f"{server}/?view=open&channel=email")
    admin_page.locator("tr.ticket-row a").first.click()
    expect(admin_page.locator("#thread .message").first).to_be_visible()
    ticket_url = admin_page.url

    colleague = log_in(
        browser, server, "seoyeon@example.com", viewport={"width": 1024, "height": 768}
    )
    colleague.goto(ticket_url)
    expect(colleague.locator("#thread .message").first).to_be_visible()

    text = f"확인했습니다. 환불은 3영업일 내 처리됩니다. {uuid.uuid4().hex[:6]}"
    admin_page.fill("#reply-form textarea[name=text]", text)
    admin_page.click("#reply-form button[type=submit]")
    expect(admin_page.locator("#thread .message-out", has_text=text)).to_be_visible()
    shot(admin_page, "ticket")

    # The colleague never reloads: the reply arrives over the websocket.
    expect(colleague.locator("#thread .message-out", has_text=text)).to_be_visible(timeout=10_000)


def test_a_new_inquiry_appears_in_the_open_inbox_without_reload(
    browser: Any, server: str, admin_page: Page
) -> None:
    admin_page.goto(f"{server}/?view=open")
    expect(admin_page.locator("tr.ticket-row").first).to_be_visible()
    subject = f"앱 로그인 오류 {uuid.uuid4().hex[:6]}"
    response = httpx.post(
        f"{server}/api/v1/tickets",
        headers=api_auth(),
        json={
            "customer": {"email": "new.customer@example.net", "name": "한지민"},
            "subject": subject,
            "text": "로그인 버튼을 눌러도 아무 반응이 없습니다.",
        },
        timeout=10,
    )
    assert response.status_code == 201, response.text
    reference = response.json()["reference"]
    expect(admin_page.locator(f'tr.ticket-row[data-reference="{reference}"]')).to_be_visible(
        timeout=10_000
    )
    expect(admin_page.locator("tr.ticket-row", has_text=subject)).to_be_visible()


def test_tablet_inbox_in_korean(browser: Any, server: str) -> None:
    page = log_in(
        browser,
        server,
        "minho@example.com",
        viewport={"width": 820, "height": 1180},
        locale="ko-KR",
    )
    expect(page.locator("html")).to_have_attribute("lang", "ko")
    shot(page, "inbox-tablet-ko")
