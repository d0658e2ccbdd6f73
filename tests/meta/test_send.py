"""Agent replies through the Send API, and the 24-hour window checked before sending."""

from __future__ import annotations

import pytest

from sangdam.connectors.base import DeliveryError
from sangdam.connectors.delivery import deliver_message
from sangdam.connectors.registry import get_connector
from sangdam.tickets import actions
from sangdam.tickets.actor import Actor
from sangdam.tickets.attachments import check_attachment
from sangdam.tickets.models import DeliveryState, Ticket
from tests.meta.conftest import customer_writes

pytestmark = pytest.mark.django_db

PSID = "6874123409876543"
PNG = bytes.fromhex("89504e470d0a1a0a") + b"\0" * 64


def _reply(agent, run_tasks, text: str = "확인해 드릴게요.", **kwargs):
    reply = actions.do_reply(
        ticket=Ticket.objects.get(), actor=Actor.agent(agent), text=text, **kwargs
    )
    run_tasks()
    reply.refresh_from_db()
    return reply


def test_a_reply_inside_the_window_goes_out_as_a_response(messenger, graph, agent, run_tasks):
    customer_writes(messenger, graph, hours_ago=2)
    run_tasks()

    reply = _reply(agent, run_tasks)

    assert reply.delivery_state == DeliveryState.SENT
    (call,) = graph.sends()
    assert call.headers["authorization"] == "Bearer EAAGfake-page-token"
    assert call.json() == {
        "recipient": {"id": PSID},
        "messaging_type": "RESPONSE",
        "message": {"text": "확인해 드릴게요."},
    }
    assert reply.external_id.startswith("m_")


def test_an_attachment_is_uploaded_with_the_message(messenger, graph, agent, run_tasks):
    customer_writes(messenger, graph)
    run_tasks()

    reply = _reply(agent, run_tasks, attachments=[check_attachment("receipt.png", PNG)])

    assert reply.delivery_state == DeliveryState.SENT
    upload, text = graph.sends()
    assert upload.payload()["message"] == {
        "attachment": {"type": "image", "payload": {"is_reusable": False}}
    }
    assert upload.files["filedata"][0] == "receipt.png"
    assert upload.files["filedata"][2] == PNG
    assert text.json()["message"] == {"text": "확인해 드릴게요."}


def test_a_long_reply_is_split_under_the_platform_limit(messenger, graph, agent, run_tasks):
    customer_writes(messenger, graph)
    run_tasks()

    _reply(agent, run_tasks, text=("가나다라마바사 " * 200 + "\n\n") * 2)

    sends = graph.sends()
    assert len(sends) >= 2
    assert all(len(s.json()["message"]["text"]) <= 2000 for s in sends)


def test_past_24_hours_the_reply_fails_before_meta_is_called(messenger, graph, agent, run_tasks):
    customer_writes(messenger, graph, hours_ago=30)
    run_tasks()

    reply = _reply(agent, run_tasks)

    assert reply.delivery_state == DeliveryState.FAILED
    assert "24 hours" in reply.delivery_error
    assert "when the customer writes again" in reply.delivery_error
    assert reply.delivery_attempts == 1
    assert graph.sends() == []


def test_with_human_agent_enabled_a_day_old_reply_goes_out_tagged(
    messenger, graph, agent, run_tasks
):
    messenger.config = {**messenger.config, "human_agent": True}
    messenger.save(update_fields=["config"])
    customer_writes(messenger, graph, hours_ago=30)
    run_tasks()

    reply = _reply(agent, run_tasks)

    assert reply.delivery_state == DeliveryState.SENT
    body = graph.sends()[0].json()
    assert (body["messaging_type"], body["tag"]) == ("MESSAGE_TAG", "HUMAN_AGENT")


def test_even_human_agent_ends_after_seven_days(messenger, graph, agent, run_tasks):
    messenger.config = {**messenger.config, "human_agent": True}
    messenger.save(update_fields=["config"])
    customer_writes(messenger, graph, hours_ago=8 * 24)
    run_tasks()

    reply = _reply(agent, run_tasks)

    assert reply.delivery_state == DeliveryState.FAILED
    assert "7 days" in reply.delivery_error
    assert graph.sends() == []


def test_a_new_customer_message_reopens_the_window(messenger, graph, agent, run_tasks):
    customer_writes(messenger, graph, hours_ago=30)
    customer_writes(messenger, graph, "아직 답이 없네요", hours_ago=0.1)
    run_tasks()

    assert _reply(agent, run_tasks).delivery_state == DeliveryState.SENT


def test_metas_own_window_refusal_is_a_clear_permanent_failure(messenger, graph, agent, run_tasks):
    customer_writes(messenger, graph, sender="expired-1234")
    run_tasks()

    reply = _reply(agent, run_tasks)

    assert reply.delivery_state == DeliveryState.FAILED
    assert "outside the messaging window" in reply.delivery_error
    assert "2018278" in reply.delivery_error


def test_a_refused_page_token_fails_with_the_reason(messenger, graph, agent, run_tasks):
    customer_writes(messenger, graph)
    run_tasks()
    messenger.secrets = {**messenger.secrets, "page_access_token": "EAAG-revoked"}
    messenger.save(update_fields=["secrets"])

    reply = _reply(agent, run_tasks)

    assert reply.delivery_state == DeliveryState.FAILED
    assert "page access token was refused" in reply.delivery_error


def test_meta_being_down_keeps_the_reply_queued_with_the_error(
    messenger, graph, agent, run_tasks, settings
):
    settings.PROVIDER_HTTP_ATTEMPTS = 1
    customer_writes(messenger, graph, sender="busy-1234")
    run_tasks()
    reply = actions.do_reply(ticket=Ticket.objects.get(), actor=Actor.agent(agent), text="잠시만요")

    deliver_message.call(reply.pk)  # one attempt; the retry is scheduled for later

    reply.refresh_from_db()
    assert reply.delivery_state == DeliveryState.QUEUED
    assert "unexpected error has occurred" in reply.delivery_error
    assert "retrying" in reply.delivery_error


def test_an_instagram_reply_uses_the_same_send_api(instagram, graph, agent, run_tasks):
    customer_writes(instagram, graph, "Still in stock?", sender="534217788901234")
    run_tasks()

    reply = _reply(agent, run_tasks, text="Yes, size M is back!")

    assert reply.delivery_state == DeliveryState.SENT
    assert graph.sends()[0].json()["recipient"] == {"id": "534217788901234"}


def test_the_connection_test_names_the_page(messenger, graph):
    summary = get_connector("facebook").test_connection(messenger)  # type: ignore[union-attr]

    assert "Example Shop" in summary
    assert graph.received[-1].path.endswith("/me")


def test_the_instagram_connection_test_names_the_account(instagram, graph):
    summary = get_connector("instagram").test_connection(instagram)  # type: ignore[union-attr]

    assert "@example.shop" in summary


def test_a_wrong_token_fails_the_connection_test(messenger, graph):
    messenger.secrets = {**messenger.secrets, "page_access_token": "nope"}

    with pytest.raises(DeliveryError, match="page access token was refused"):
        get_connector("facebook").test_connection(messenger)  # type: ignore[union-attr]


def test_chat_links_open_messenger_and_instagram(messenger, instagram):
    assert get_connector("facebook").chat_link(messenger) == "https://m.me/exampleshop"  # type: ignore[union-attr]
    assert get_connector("instagram").chat_link(instagram) == "https://ig.me/m/example.shop"  # type: ignore[union-attr]
