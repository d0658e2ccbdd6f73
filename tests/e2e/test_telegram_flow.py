"""An admin connects the Telegram bot, a customer writes on Telegram, an agent answers."""

from __future__ import annotations

import json
import time
import uuid
from pathlib import Path
from typing import Any

import pytest
from playwright.sync_api import expect

from sangdam.connectors.telegram.fake import FakeTelegram
from sangdam.core.demo import ADMIN_EMAIL
from tests.e2e.conftest import SERVER_STATE
from tests.e2e.test_agent_flow import log_in, shot

# The page's layout and wiring in the browser: the SQLite pass only (scripts/test.sh). What
# the server stores on these paths is tested in-process on both databases.
pytestmark = pytest.mark.once

FIXTURES = Path(__file__).resolve().parents[2] / "sangdam/connectors/telegram/fixtures"


def test_a_telegram_message_is_answered_from_the_inbox(browser: Any, server: str) -> None:
    telegram: FakeTelegram = SERVER_STATE["telegram"]
    admin_page = log_in(browser, server, ADMIN_EMAIL, viewport={"width": 1280, "height": 800})
    admin_page.goto(f"{server}/admin/channels/")
    admin_page.locator("tr.channel-row a", has_text="Telegram").click()
    expect(admin_page.locator("#webhook-url")).to_contain_text("/hooks/telegram/")
    shot(admin_page, "admin-telegram")
    admin_page.click("#register-webhook")
    expect(admin_page.locator("#webhook-url")).to_be_visible()
    webhook = telegram.webhook
    assert webhook["url"] == admin_page.locator("#webhook-url").inner_text()

    text = f"Hello, where is my parcel? {uuid.uuid4().hex[:6]}"
    update = json.loads((FIXTURES / "text.json").read_text())
    update["update_id"] = telegram.next_update_id()
    update["message"]["text"] = text
    update["message"]["date"] = int(time.time())  # sent just now, as a real message is
    answer = telegram.deliver(webhook["url"], webhook["secret_token"], update)
    assert answer.status_code == 200

    admin_page.goto(f"{server}/?view=open&channel=telegram")
    admin_page.locator("tr.ticket-row", has_text="where is my parcel").first.locator(
        "a"
    ).first.click()
    expect(admin_page.locator("#thread .message", has_text=text)).to_be_visible()
    reply = f"It leaves our warehouse today. {uuid.uuid4().hex[:6]}"
    admin_page.fill("#reply-form textarea[name=text]", reply)
    admin_page.click("#reply-form button[type=submit]")
    expect(admin_page.locator("#thread .message-out", has_text=reply)).to_be_visible()

    def sent() -> list[str]:
        return [m.get("text", "") for m in telegram.sent("sendMessage")]

    for _ in range(100):
        if reply in sent():
            break
        admin_page.wait_for_timeout(100)
    assert reply in sent()
    assert {"chat_id": "424242", "text": reply} in telegram.sent("sendMessage")


def test_the_contact_page_shows_the_telegram_chat_link_and_qr(browser: Any, server: str) -> None:
    for width in (390, 1280):
        page = browser.new_context(viewport={"width": width, "height": 900}).new_page()
        page.goto(f"{server}/contact")
        expect(page.locator('a[href="https://t.me/example_bot"]')).to_be_visible()
        if width > 600:
            expect(page.locator("figure.chat-qr svg").first).to_be_visible()
        shot(page, f"contact-messengers-{width}")
        page.context.close()
