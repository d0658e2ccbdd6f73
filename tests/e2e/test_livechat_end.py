"""Live chat in Chromium: the agent's face in the chat, the visitor ends the chat (with a
confirm) and is asked for a rating; axe-core (WCAG 2.2 AA) on the chat page and the
widget's panel, phone and laptop."""

from __future__ import annotations

import re
import uuid
from typing import Any

import pytest
from playwright.sync_api import Page, expect

from tests.e2e.test_agent_flow import shot
from tests.e2e.test_console_accessibility import violations
from tests.e2e.test_livechat_flow import ALWAYS, agent_online, open_chat, set_chat_hours

# The page's layout and wiring in the browser: the SQLite pass only (scripts/test.sh). What
# the server stores on these paths is tested in-process on both databases.
pytestmark = pytest.mark.once


@pytest.mark.parametrize(("width", "height"), [(390, 844), (1280, 800)])
def test_the_visitor_sees_the_agents_face_ends_the_chat_and_rates_it(
    browser: Any, server: str, width: int, height: int
) -> None:
    key = set_chat_hours(ALWAYS)
    agent = agent_online(browser, server)
    customer = open_chat(browser, server, width=width)
    report = violations(customer)
    assert not report, report

    question = f"Can I change my delivery address? {uuid.uuid4().hex[:6]}"
    customer.fill("#message", question)
    customer.press("#message", "Enter")
    expect(customer.locator(".msg.visitor:not(.pending)", has_text=question)).to_be_visible()
    expect(customer.get_by_role("button", name="End chat")).to_be_visible()

    agent.goto(f"{server}/?view=open&channel=livechat")
    agent.locator("tr.ticket-row", has_text=question[:20]).locator("a").first.click()
    expect(agent.locator("body")).to_have_attribute("data-live-state", "open")
    answer = f"Yes, until it ships. {uuid.uuid4().hex[:6]}"
    agent.fill("#reply-form textarea[name=text]", answer)
    agent.click("#reply-form button[type=submit]")
    reply = customer.locator(".msg.agent", has_text=answer)
    expect(reply).to_be_visible()
    # The demo admin has no picture: initials on a colour, with the display name.
    expect(reply.locator(".face")).to_have_text("관A")
    expect(reply.locator(".who")).to_have_text("관리자 Admin")

    customer.get_by_role("button", name="End chat").click()
    confirm = customer.get_by_role("alertdialog")
    expect(confirm).to_be_visible()
    shot(customer, f"livechat-end-{width}")
    report = violations(customer)
    assert not report, report
    confirm.get_by_role("button", name="Keep chatting").click()
    expect(confirm).to_be_hidden()
    customer.get_by_role("button", name="End chat").click()
    confirm.get_by_role("button", name="End chat").click()

    expect(customer.locator("#rating")).to_be_visible()
    expect(customer.locator("#transcript")).to_be_visible()
    expect(customer.get_by_role("button", name="End chat")).to_be_hidden()
    # The agent's ticket page hears it without a reload.
    expect(agent.locator("#thread, .timeline, main").first).to_contain_text(
        re.compile("The customer ended the chat|고객이 상담을 종료했습니다"), timeout=15_000
    )
    report = violations(customer)
    assert not report, report
    customer.get_by_role("button", name="5 out of 5").click()
    expect(customer.locator("#rating-thanks")).to_be_visible()

    # The widget's panel (the same page in the launcher's frame) passes axe too.
    panel: Page = customer.context.new_page()
    panel.goto(f"{server}/chat/{key}?embed=1&lang=en")
    expect(panel.locator("#availability")).not_to_be_empty()
    expect(panel.locator("#rating-thanks, #rating").first).to_be_attached()
    expect(panel.get_by_role("button", name="End chat")).to_be_hidden()  # it has ended
    report = violations(panel)
    assert not report, report
    shot(panel, f"livechat-panel-{width}")
    customer.context.close()
    agent.context.close()
