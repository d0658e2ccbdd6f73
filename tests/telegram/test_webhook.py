"""Telegram calls the webhook: only with our secret token, each update once."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.test import Client

from sangdam.connectors.models import Channel, EventStatus, InboundEvent
from sangdam.customers.models import Identity
from sangdam.tickets.models import Message, Ticket
from tests.telegram.conftest import SECRET, fixture

pytestmark = pytest.mark.django_db


def post_update(channel: Channel, update: dict[str, Any], secret: str | None = SECRET) -> Any:
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret} if secret is not None else {}
    return Client().post(
        f"/hooks/telegram/{channel.key}",
        json.dumps(update),
        content_type="application/json",
        headers=headers,
    )


def test_a_text_message_becomes_a_ticket_from_the_telegram_user(telegram_channel, run_tasks):
    response = post_update(telegram_channel, fixture("text"))
    run_tasks()

    assert response.status_code == 200
    ticket = Ticket.objects.get()
    assert ticket.messages.get().text == "Hello, my order #5521 has not arrived."
    assert ticket.customer.name == "John Park"
    assert Identity.objects.get(customer=ticket.customer).value == "424242"


def test_a_wrong_secret_token_is_refused_and_nothing_is_stored(telegram_channel):
    response = post_update(telegram_channel, fixture("text"), secret="guessed")

    assert response.status_code == 403
    assert not InboundEvent.objects.exists()


def test_a_missing_secret_token_is_refused_and_nothing_is_stored(telegram_channel):
    response = post_update(telegram_channel, fixture("text"), secret=None)

    assert response.status_code == 401
    assert not InboundEvent.objects.exists()


def test_a_replayed_update_is_taken_once(telegram_channel, run_tasks):
    post_update(telegram_channel, fixture("text"))
    run_tasks()
    again = post_update(telegram_channel, fixture("text"))
    run_tasks()

    assert again.status_code == 200
    assert InboundEvent.objects.count() == 1
    assert Message.objects.count() == 1


def test_the_same_message_under_a_new_update_id_is_still_one_message(telegram_channel, run_tasks):
    update = fixture("text")
    post_update(telegram_channel, update)
    post_update(telegram_channel, {**update, "update_id": update["update_id"] + 100})
    run_tasks()

    assert InboundEvent.objects.count() == 2
    assert Message.objects.count() == 1


def test_a_group_chat_message_is_kept_as_ignored(telegram_channel, run_tasks):
    post_update(telegram_channel, fixture("group"))
    run_tasks()

    event = InboundEvent.objects.get()
    assert event.status == EventStatus.IGNORED
    assert "group" in event.last_error
    assert not Ticket.objects.exists()


def test_an_update_type_we_do_not_handle_is_kept_as_ignored(telegram_channel, run_tasks):
    post_update(telegram_channel, fixture("callback_query"))
    run_tasks()

    event = InboundEvent.objects.get()
    assert event.status == EventStatus.IGNORED
    assert "callback_query" in event.last_error
