"""The ticket page as a workspace, in a real browser against the real embedded server:
properties edited in place, drafts, two agents on one ticket."""

from __future__ import annotations

import uuid
from typing import Any

import httpx
import pytest
from playwright.sync_api import Dialog, FilePayload, Page, expect

from tests.e2e.conftest import api_auth
from tests.e2e.test_agent_flow import log_in, shot

# The page's layout and wiring in the browser: the SQLite pass only (scripts/test.sh). What
# the server stores on these paths is tested in-process on both databases.
pytestmark = pytest.mark.once


def open_ticket(server: str, subject: str = "") -> tuple[str, int]:
    """A fresh inquiry through the REST API; its reference and id."""
    tag = uuid.uuid4().hex[:6]
    response = httpx.post(
        f"{server}/api/v1/tickets",
        headers=api_auth(),
        json={
            "customer": {"email": f"ws-{tag}@example.net", "name": "정하윤"},
            "subject": subject or f"배송 문의 {tag}",
            "text": "주문한 상품이 아직 도착하지 않았어요.",
        },
        timeout=30,
    )
    assert response.status_code == 201, response.text
    body = response.json()
    return body["reference"], int(body["id"])


def go_to_ticket(page: Page, server: str, ticket_id: int) -> None:
    page.goto(f"{server}/tickets/{ticket_id}/")
    expect(page.locator("body")).to_have_attribute("data-live-state", "open", timeout=10_000)


def test_in_place_edits_save_at_once_undo_and_persist_after_reload(
    browser: Any, server: str
) -> None:
    _, ticket_id = open_ticket(server)
    page = log_in(browser, server, "emma@example.com", viewport={"width": 1280, "height": 900})
    go_to_ticket(page, server, ticket_id)

    page.select_option("#prop-priority-value", "high")
    expect(page.locator("#toast")).to_contain_text("High")
    page.select_option("#prop-status-value", "pending")
    expect(page.locator("#ticket-status")).to_have_text("Pending")
    page.fill("#prop-tags-value", "vip, delivery")
    page.press("#prop-tags-value", "Enter")
    expect(page.locator("#ticket-summary")).to_contain_text("#vip")
    page.select_option("#prop-topic-value", label="Product")
    expect(page.locator("#toast")).to_contain_text("Product")
    page.click("#toast .toast-undo")
    expect(page.locator("#prop-topic-value")).to_have_value("")
    page.click("#assign-me")
    expect(page.locator("#ticket-summary")).to_contain_text("Emma Wilson")
    shot(page, "ticket-properties")

    page.reload()
    expect(page.locator("#prop-priority-value")).to_have_value("high")
    expect(page.locator("#prop-status-value")).to_have_value("pending")
    expect(page.locator("#prop-tags-value")).to_have_value("delivery, vip")
    expect(page.locator("#prop-topic-value")).to_have_value("")
    expect(page.locator("#ticket-summary")).to_contain_text("Emma Wilson")
    # Every change is on the timeline, and the filter hides the messages.
    page.check("input[name=timeline-filter][value=changes]")
    expect(page.locator("#thread .message").first).to_be_hidden()
    expect(page.locator("#thread .timeline-change", has_text="Pending").first).to_be_visible()


def test_a_reply_draft_survives_a_reload_and_leaving_warns(browser: Any, server: str) -> None:
    _, ticket_id = open_ticket(server)
    page = log_in(browser, server, "emma@example.com", viewport={"width": 1280, "height": 900})
    go_to_ticket(page, server, ticket_id)
    page.fill("#reply-form textarea[name=text]", "Half-written answer about the parcel")
    dialogs: list[str] = []

    def leave_anyway(dialog: Dialog) -> None:
        dialogs.append(dialog.type)
        dialog.accept()

    page.on("dialog", leave_anyway)

    page.reload()

    assert dialogs == ["beforeunload"]
    expect(page.locator("#reply-form textarea[name=text]")).to_have_value(
        "Half-written answer about the parcel"
    )


def test_two_agents_see_each_other_and_the_second_sender_is_asked_first(
    browser: Any, server: str
) -> None:
    _, ticket_id = open_ticket(server)
    seoyeon = log_in(
        browser, server, "seoyeon@example.com", viewport={"width": 1280, "height": 900}
    )
    minho = log_in(browser, server, "minho@example.com", viewport={"width": 1280, "height": 900})
    go_to_ticket(seoyeon, server, ticket_id)
    go_to_ticket(minho, server, ticket_id)

    expect(seoyeon.locator("#presence")).to_contain_text("이민호", timeout=10_000)
    expect(minho.locator("#presence")).to_contain_text("김서연", timeout=10_000)

    minho.locator("#reply-form textarea[name=text]").press_sequentially("확인 중입니다", delay=20)
    expect(seoyeon.locator("#presence .typing")).to_have_text(
        "이민호 님이 답변 작성 중", timeout=10_000
    )

    seoyeon.fill("#reply-form textarea[name=text]", "서연의 답변: 내일 도착 예정입니다.")
    seoyeon.click("#send-button")
    expect(seoyeon.locator("#thread .message-out", has_text="서연의 답변")).to_be_visible()

    receipt = FilePayload(name="배송조회.txt", mimeType="text/plain", buffer="송장 123".encode())
    minho.set_input_files("#reply-form input[type=file]", files=[receipt])
    minho.click("#send-button")
    collision = minho.locator("#collision")
    expect(collision).to_be_visible()
    expect(collision.locator(".message-out", has_text="서연의 답변")).to_be_visible()
    expect(minho.locator("#reply-form textarea[name=text]")).to_have_value("확인 중입니다")
    # The file chosen before the prompt is kept: no need to pick it again.
    expect(minho.locator("#staged-files")).to_contain_text("배송조회.txt")
    shot(minho, "ticket-collision")
    minho.click("#send-button")
    sent = minho.locator("#thread .message-out", has_text="확인 중입니다")
    expect(sent).to_be_visible()
    expect(sent).to_contain_text("배송조회.txt")
    expect(minho.locator("#collision")).to_have_count(0)


def test_an_agent_sees_a_ticket_assigned_to_them_arrive_in_the_header(
    browser: Any, server: str
) -> None:
    _, ticket_id = open_ticket(server)
    minho = log_in(browser, server, "minho@example.com", viewport={"width": 1280, "height": 900})
    expect(minho.locator("body")).to_have_attribute("data-live-state", "open")
    before = int(minho.locator("#unread-count").get_attribute("data-count") or 0)

    seoyeon = log_in(
        browser, server, "seoyeon@example.com", viewport={"width": 1280, "height": 900}
    )
    go_to_ticket(seoyeon, server, ticket_id)
    # By the name, whatever presence an earlier test left him in ("이민호 · 온라인").
    minho_option = seoyeon.locator("#prop-assignee-value option", has_text="이민호")
    seoyeon.select_option("#prop-assignee-value", minho_option.get_attribute("value"))
    expect(seoyeon.locator("#ticket-summary")).to_contain_text("이민호")

    expect(minho.locator("#unread-count")).to_have_text(str(before + 1), timeout=15_000)
    minho.click("#notifications-link")
    expect(minho.locator(".notification.unread").first).to_contain_text("나에게 배정됨")
