"""Agent replies go back to the customer's Telegram chat."""

from __future__ import annotations

import pytest

from sangdam.connectors.delivery import deliver_message
from sangdam.connectors.registry import get_connector
from sangdam.connectors.telegram.fake import FakeTelegram
from sangdam.tickets import actions
from sangdam.tickets.actor import Actor
from sangdam.tickets.attachments import check_attachment
from sangdam.tickets.models import DeliveryState, Ticket
from tests.factories import PNG
from tests.telegram.conftest import SECRET, fixture
from tests.telegram.test_webhook import post_update

pytestmark = pytest.mark.django_db


def _ticket(channel, run_tasks) -> Ticket:
    post_update(channel, fixture("text"))
    run_tasks()
    return Ticket.objects.get()


def test_an_agent_reply_is_sent_to_the_customers_chat(
    telegram_channel, telegram: FakeTelegram, agent, run_tasks
):
    ticket = _ticket(telegram_channel, run_tasks)

    reply = actions.do_reply(ticket=ticket, actor=Actor.agent(agent), text="We are on it, John.")
    run_tasks()

    (sent,) = telegram.sent("sendMessage")
    assert sent == {"chat_id": "424242", "text": "We are on it, John."}
    reply.refresh_from_db()
    assert reply.delivery_state == DeliveryState.SENT
    assert reply.external_id and reply.external_id.startswith("424242:")


def test_an_image_in_a_reply_goes_as_a_photo(
    telegram_channel, telegram: FakeTelegram, agent, run_tasks
):
    ticket = _ticket(telegram_channel, run_tasks)

    actions.do_reply(
        ticket=ticket,
        actor=Actor.agent(agent),
        text="Here is the label.",
        attachments=[check_attachment("label.png", PNG)],
    )
    run_tasks()

    (photo,) = telegram.sent("sendPhoto")
    assert photo["chat_id"] == "424242"
    assert photo["photo"] == PNG


def test_a_reply_telegram_refuses_shows_failed_with_telegrams_reason(
    telegram_channel, telegram: FakeTelegram, agent, run_tasks
):
    ticket = _ticket(telegram_channel, run_tasks)
    telegram.fail_next = [(403, "Forbidden: bot was blocked by the user")]

    reply = actions.do_reply(ticket=ticket, actor=Actor.agent(agent), text="Hello?")
    run_tasks()

    reply.refresh_from_db()
    assert reply.delivery_state == DeliveryState.FAILED
    assert "bot was blocked by the user" in reply.delivery_error


def test_telegram_being_down_is_retried_then_sent(
    telegram_channel, telegram: FakeTelegram, agent, run_tasks, settings
):
    settings.PROVIDER_HTTP_ATTEMPTS = 1
    ticket = _ticket(telegram_channel, run_tasks)
    telegram.fail_next = [(502, "Bad Gateway")]

    reply = actions.do_reply(ticket=ticket, actor=Actor.agent(agent), text="Hello?")
    run_tasks()
    reply.refresh_from_db()
    assert reply.delivery_state == DeliveryState.QUEUED
    assert "Bad Gateway" in reply.delivery_error

    deliver_message.call(reply.pk)  # the retry, now instead of in 30 s
    reply.refresh_from_db()
    assert reply.delivery_state == DeliveryState.SENT


def test_test_connection_names_the_bot(telegram_channel):
    connector = get_connector("telegram")
    assert connector is not None

    assert "@sangdam_bot" in connector.test_connection(telegram_channel)  # type: ignore[attr-defined]


def test_registering_the_webhook_gives_telegram_the_url_and_secret(
    telegram_channel, telegram: FakeTelegram
):
    connector = get_connector("telegram")
    url = f"https://help.example.com/hooks/telegram/{telegram_channel.key}"

    connector.register_webhook(telegram_channel, url)  # type: ignore[union-attr]

    assert telegram.webhook["url"] == url
    assert telegram.webhook["secret_token"] == SECRET
