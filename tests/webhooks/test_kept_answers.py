"""Answers the provider needs in the same response (a call's TwiML), kept with the event."""

from __future__ import annotations

import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from sangdam.connectors import registry
from sangdam.connectors.models import Channel, EventStatus, InboundEvent
from sangdam.tickets.models import Message
from tests import factories
from tests.webhooks.hooks import SECRET, AnsweringHookConnector, sign
from tests.webhooks.test_door import _message

pytestmark = pytest.mark.django_db


@pytest.fixture
def voice_channel(db) -> Iterator[Channel]:
    registry.register(AnsweringHookConnector)
    AnsweringHookConnector.computed = 0
    yield factories.make_channel("testvoice", secrets={"signing_secret": SECRET})
    registry.unregister("testvoice")


def _post(channel: Channel, payload: object, signature: str = "") -> Any:
    body = json.dumps(payload).encode()
    return Client().post(
        f"/hooks/{channel.kind}/{channel.key}",
        body,
        content_type="application/json",
        headers={"X-Test-Signature": signature or sign(body)},
    )


def test_the_answer_comes_in_the_same_response_and_the_event_is_still_processed(
    voice_channel, run_tasks
):
    response = _post(voice_channel, _message(1))

    assert response.status_code == 200
    assert response["Content-Type"] == "text/xml"
    assert response.content == b"<Response><Say>answer 1</Say></Response>"
    run_tasks()
    assert InboundEvent.objects.get().status == EventStatus.PROCESSED
    assert Message.objects.get().text == "안녕하세요, 주문 문의입니다."


def test_a_retry_gets_the_first_answer_and_changes_nothing(voice_channel, run_tasks):
    first = _post(voice_channel, _message(1))
    run_tasks()
    again = _post(voice_channel, _message(1))
    run_tasks()

    assert again.content == first.content == b"<Response><Say>answer 1</Say></Response>"
    assert InboundEvent.objects.count() == 1
    assert Message.objects.count() == 1


def test_a_forged_call_gets_no_answer_and_nothing_is_stored(voice_channel):
    response = _post(voice_channel, _message(1), signature="0" * 64)

    assert response.status_code == 403
    assert AnsweringHookConnector.computed == 0
    assert not InboundEvent.objects.exists()
