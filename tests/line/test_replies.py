"""Agents' replies go back on LINE: with the reply token while it is fresh, else pushed."""

from __future__ import annotations

from typing import Any

from sangdam.accounts.models import User
from sangdam.connectors.line.fake import FakeLine
from sangdam.connectors.models import Channel
from sangdam.tickets import actions
from sangdam.tickets.actor import Actor
from sangdam.tickets.models import DeliveryState, Direction, Message, Ticket
from tests.line.conftest import USER, post_webhook


def customer_writes(
    channel: Channel, fake: FakeLine, run_tasks: Any, text: str = "도와주세요"
) -> Ticket:
    post_webhook(channel, fake.webhook("text", text=text))
    run_tasks()
    return Ticket.objects.get()


def agent_replies(
    ticket: Ticket, agent: User, run_tasks: Any, text: str = "확인해 드리겠습니다."
) -> Message:
    message = actions.do_reply(ticket=ticket, actor=Actor.agent(agent), text=text)
    run_tasks()
    message.refresh_from_db()
    return message


def test_a_reply_uses_the_customers_fresh_reply_token(
    line_channel: Channel, fake_line: FakeLine, run_tasks: Any, agent: User
) -> None:
    ticket = customer_writes(line_channel, fake_line, run_tasks)
    reply = agent_replies(ticket, agent, run_tasks)
    assert reply.delivery_state == DeliveryState.SENT
    (call,) = fake_line.replies
    assert call["messages"] == [{"type": "text", "text": "확인해 드리겠습니다."}]
    assert not fake_line.pushes


def test_a_second_reply_is_pushed_because_a_token_works_once(
    line_channel: Channel, fake_line: FakeLine, run_tasks: Any, agent: User
) -> None:
    ticket = customer_writes(line_channel, fake_line, run_tasks)
    agent_replies(ticket, agent, run_tasks, "첫 답변")
    second = agent_replies(ticket, agent, run_tasks, "추가 안내")
    assert second.delivery_state == DeliveryState.SENT
    (push,) = fake_line.pushes
    assert push["to"] == USER
    assert push["messages"] == [{"type": "text", "text": "추가 안내"}]


def test_a_reply_after_the_token_expired_is_pushed(
    line_channel: Channel, fake_line: FakeLine, run_tasks: Any, agent: User
) -> None:
    ticket = customer_writes(line_channel, fake_line, run_tasks)
    fake_line.expire_reply_tokens()  # LINE refuses it: "Invalid reply token"
    reply = agent_replies(ticket, agent, run_tasks)
    assert reply.delivery_state == DeliveryState.SENT
    assert len(fake_line.calls_under("/v2/bot/message/reply")) == 1
    assert len(fake_line.pushes) == 1


def test_a_push_retried_after_a_lost_answer_is_not_sent_twice(
    line_channel: Channel, fake_line: FakeLine, run_tasks: Any, agent: User
) -> None:
    ticket = customer_writes(line_channel, fake_line, run_tasks)
    agent_replies(ticket, agent, run_tasks, "첫 답변")  # uses the token
    message = actions.do_reply(ticket=ticket, actor=Actor.agent(agent), text="두 번째")
    run_tasks()
    (push,) = fake_line.calls_under("/v2/bot/message/push")
    key = push.headers["x-line-retry-key"]
    # The same push again (as after a timeout): LINE answers 409, nothing is sent twice.
    from sangdam.connectors.line.api import LineApi

    assert LineApi(line_channel).push(USER, push.json()["messages"], key=key) == [f"retry:{key}"]
    message.refresh_from_db()
    assert message.delivery_state == DeliveryState.SENT


def test_line_down_retries_then_shows_the_reply_failed_with_lines_reason(
    line_channel: Channel, fake_line: FakeLine, run_tasks: Any, agent: User, settings: Any
) -> None:
    settings.DELIVERY_BACKOFF_SECONDS = 0
    ticket = customer_writes(line_channel, fake_line, run_tasks)
    fake_line.expire_reply_tokens()
    for _ in range(20):
        fake_line.fail_next("/v2/bot/message/push", 500, "Internal server error")
    reply = agent_replies(ticket, agent, run_tasks)
    assert reply.delivery_state == DeliveryState.FAILED
    assert "Internal server error" in reply.delivery_error


def test_a_bad_access_token_fails_the_reply_at_once_with_lines_reason(
    line_channel: Channel, fake_line: FakeLine, run_tasks: Any, agent: User
) -> None:
    ticket = customer_writes(line_channel, fake_line, run_tasks)
    line_channel.secrets = {**line_channel.secrets, "channel_access_token": "revoked"}
    line_channel.save(update_fields=["secrets"])
    reply = agent_replies(ticket, agent, run_tasks)
    assert reply.delivery_state == DeliveryState.FAILED
    assert "Authentication failed" in reply.delivery_error


def test_inbound_to_reply_end_to_end(
    line_channel: Channel, fake_line: FakeLine, run_tasks: Any, agent: User
) -> None:
    """A customer writes on LINE → a ticket in the inbox → the agent answers → LINE got it."""
    ticket = customer_writes(line_channel, fake_line, run_tasks, "환불 문의드립니다")
    inbound = ticket.messages.get(direction=Direction.IN)
    assert inbound.text == "환불 문의드립니다"
    reply = agent_replies(ticket, agent, run_tasks, "환불 처리해 드렸습니다.")
    (call,) = fake_line.calls_under("/v2/bot/message/reply")
    assert call.headers["authorization"] == f"Bearer {fake_line.access_token}"
    assert call.json()["messages"][0]["text"] == "환불 처리해 드렸습니다."
    assert reply.delivery_state == DeliveryState.SENT
    assert reply.external_id  # LINE's id of the sent message


def reply_with_image(ticket: Ticket, agent: User, run_tasks: Any) -> Message:
    from sangdam.tickets.attachments import check_attachment
    from tests.factories import PNG

    message = actions.do_reply(
        ticket=ticket,
        actor=Actor.agent(agent),
        text="화면을 확인해 주세요.",
        attachments=[check_attachment("guide.png", PNG)],
    )
    run_tasks()
    message.refresh_from_db()
    return message


def test_an_agents_image_is_sent_as_a_line_image_from_the_status_page(
    line_channel: Channel, fake_line: FakeLine, run_tasks: Any, agent: User, settings: Any
) -> None:
    settings.SITE_URL = "https://help.example.com"
    ticket = customer_writes(line_channel, fake_line, run_tasks)
    reply = reply_with_image(ticket, agent, run_tasks)
    assert reply.delivery_state == DeliveryState.SENT
    text, image = fake_line.replies[0]["messages"]
    assert text == {"type": "text", "text": "화면을 확인해 주세요."}
    assert image["type"] == "image"
    url = image["originalContentUrl"]
    assert url.startswith("https://help.example.com/s/") and url == image["previewImageUrl"]
    # What LINE downloads from that URL is the agent's file.
    from django.test import Client

    from tests.factories import PNG

    response = Client().get(url.removeprefix("https://help.example.com"))
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == PNG  # type: ignore[attr-defined]


def test_without_public_https_an_image_becomes_a_named_file_with_the_status_link(
    line_channel: Channel, fake_line: FakeLine, run_tasks: Any, agent: User, settings: Any
) -> None:
    settings.SITE_URL = "http://127.0.0.1:8000"
    ticket = customer_writes(line_channel, fake_line, run_tasks)
    reply_with_image(ticket, agent, run_tasks)
    (message,) = fake_line.replies[0]["messages"]
    assert message["type"] == "text"
    lines = message["text"].splitlines()
    assert lines[0] == "화면을 확인해 주세요."
    assert lines[2:4] == ["Attached files:", "guide.png"]
    assert "http://127.0.0.1:8000/s/" in lines[4]


def test_a_redelivered_events_reply_token_is_not_tried(
    line_channel: Channel, fake_line: FakeLine, run_tasks: Any, agent: User
) -> None:
    post_webhook(line_channel, fake_line.webhook("text", redelivery=True))
    run_tasks()
    reply = agent_replies(Ticket.objects.get(), agent, run_tasks)
    assert reply.delivery_state == DeliveryState.SENT
    assert not fake_line.calls_under("/v2/bot/message/reply")
    assert len(fake_line.pushes) == 1
