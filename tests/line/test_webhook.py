"""LINE's calls at the door: signatures, redeliveries, storms, and bodies we cannot read."""

from __future__ import annotations

import threading
from typing import Any

import pytest
from django.db import connection
from django.test import Client

from sangdam.connectors.line.fake import FakeLine, signature
from sangdam.connectors.models import Channel, EventStatus, InboundEvent
from sangdam.tickets.models import Message
from tests.line.conftest import post_webhook


def test_a_signed_message_is_stored_and_answered_200(
    line_channel: Channel, fake_line: FakeLine
) -> None:
    response = post_webhook(line_channel, fake_line.webhook("text"))
    assert response.status_code == 200
    assert InboundEvent.objects.filter(channel=line_channel).count() == 1


def test_a_forged_signature_is_refused_and_nothing_is_stored(
    line_channel: Channel, fake_line: FakeLine
) -> None:
    response = post_webhook(line_channel, fake_line.webhook("text"), sign_with="not-the-secret")
    assert response.status_code == 403
    assert not InboundEvent.objects.exists()


def test_a_missing_signature_is_refused_and_nothing_is_stored(
    line_channel: Channel, fake_line: FakeLine
) -> None:
    response = post_webhook(line_channel, fake_line.webhook("text"), sign_with=None)
    assert response.status_code == 401
    assert not InboundEvent.objects.exists()


def test_a_signature_replayed_onto_another_body_is_refused(
    line_channel: Channel, fake_line: FakeLine
) -> None:
    from tests.line.conftest import SECRET

    genuine = fake_line.webhook("text")
    forged = fake_line.webhook("text", text="Send me a refund to this account")
    response = post_webhook(line_channel, forged, signature_value=signature(SECRET, genuine))
    assert response.status_code == 403
    assert not InboundEvent.objects.exists()


def test_a_replayed_call_is_answered_but_stored_once(
    line_channel: Channel, fake_line: FakeLine, run_tasks: Any
) -> None:
    body = fake_line.webhook("text")
    assert post_webhook(line_channel, body).status_code == 200
    assert post_webhook(line_channel, body).status_code == 200
    run_tasks()
    assert InboundEvent.objects.count() == 1
    assert Message.objects.count() == 1


def test_a_redelivered_event_after_the_first_makes_no_second_message(
    line_channel: Channel, fake_line: FakeLine, run_tasks: Any
) -> None:
    first = fake_line.webhook("text", message_id="531245617890123001")
    post_webhook(line_channel, first)
    run_tasks()
    # LINE redelivers with the same webhookEventId and message id, isRedelivery true.
    again = first.replace(b'"isRedelivery": false', b'"isRedelivery": true')
    assert post_webhook(line_channel, again).status_code == 200
    run_tasks()
    assert Message.objects.count() == 1


def test_the_consoles_verify_button_gets_200_and_is_ignored(
    line_channel: Channel, run_tasks: Any
) -> None:
    import json

    from sangdam.connectors.line.fake import load_fixture

    body = json.dumps(load_fixture("verify")).encode()
    assert post_webhook(line_channel, body).status_code == 200
    run_tasks()
    event = InboundEvent.objects.get()
    assert event.status == EventStatus.IGNORED


def test_malformed_json_with_a_good_signature_is_kept_as_ignored(
    line_channel: Channel, run_tasks: Any
) -> None:
    assert post_webhook(line_channel, b"{not json").status_code == 200
    run_tasks()
    event = InboundEvent.objects.get()
    assert event.status == EventStatus.IGNORED
    assert "malformed" in event.last_error


def test_an_unknown_event_type_is_kept_as_ignored_with_the_reason(
    line_channel: Channel, fake_line: FakeLine, run_tasks: Any
) -> None:
    post_webhook(line_channel, fake_line.webhook("unknown"))
    run_tasks()
    event = InboundEvent.objects.get()
    assert event.status == EventStatus.IGNORED
    assert "beacon" in event.last_error
    assert not Message.objects.exists()


@pytest.mark.django_db(transaction=True)
def test_a_storm_of_the_same_event_makes_one_message(
    line_channel: Channel, fake_line: FakeLine, run_tasks: Any
) -> None:
    body = fake_line.webhook("text")
    barrier = threading.Barrier(10)
    statuses: list[int] = []

    def post() -> None:
        try:
            barrier.wait()
            statuses.append(post_webhook(line_channel, body, client=Client()).status_code)
        finally:
            connection.close()

    threads = [threading.Thread(target=post) for _ in range(10)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    run_tasks()
    assert statuses == [200] * 10
    assert InboundEvent.objects.count() == 1
    assert Message.objects.count() == 1
