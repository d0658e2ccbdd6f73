"""The webhook door: verify on the raw body, store once, answer, process in a task."""

from __future__ import annotations

import json
from typing import Any

import pytest
from django.core.management import call_command
from django.test import Client

from sangdam.connectors.models import Channel, EventStatus, InboundEvent
from sangdam.tickets import actions
from sangdam.tickets.actor import Actor
from sangdam.tickets.models import DeliveryState, Event, Message, Ticket
from tests.webhooks.hooks import SignedHookConnector, sign

pytestmark = pytest.mark.django_db


def _post(channel: Channel, payload: object, *, signature: str | None = "good") -> Any:
    body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
    headers = {}
    if signature == "good":
        headers["X-Test-Signature"] = sign(body)
    elif signature is not None:
        headers["X-Test-Signature"] = signature
    return Client().post(
        f"/hooks/{channel.kind}/{channel.key}",
        body,
        content_type="application/json",
        headers=headers,
    )


def _message(event_id: int, text: str = "안녕하세요, 주문 문의입니다.") -> dict[str, object]:
    return {"id": event_id, "type": "message", "from": 4242, "name": "John Park", "text": text}


def test_a_signed_message_is_answered_and_becomes_a_ticket(hook_channel, run_tasks):
    response = _post(hook_channel, _message(1))

    assert response.status_code == 200
    event = InboundEvent.objects.get()
    assert event.status == EventStatus.PENDING
    run_tasks()
    event.refresh_from_db()
    assert event.status == EventStatus.PROCESSED
    ticket = Ticket.objects.get()
    assert ticket.customer.name == "John Park"
    assert ticket.messages.get().text == "안녕하세요, 주문 문의입니다."


def test_a_forged_signature_is_refused_and_nothing_is_stored(hook_channel):
    response = _post(hook_channel, _message(1), signature="0" * 64)

    assert response.status_code == 403
    assert not InboundEvent.objects.exists()


def test_a_missing_signature_is_refused_and_nothing_is_stored(hook_channel):
    response = _post(hook_channel, _message(1), signature=None)

    assert response.status_code == 401
    assert not InboundEvent.objects.exists()


def test_a_wrong_channel_key_is_not_found(hook_channel):
    response = Client().post(f"/hooks/{hook_channel.kind}/not-the-key", b"{}", "application/json")

    assert response.status_code == 404


def test_a_path_under_the_url_is_not_found_for_providers_that_do_not_use_one(hook_channel):
    body = json.dumps(_message(1)).encode()
    response = Client().post(
        f"/hooks/{hook_channel.kind}/{hook_channel.key}/message",
        body,
        content_type="application/json",
        headers={"X-Test-Signature": sign(body)},
    )

    assert response.status_code == 404
    assert not InboundEvent.objects.exists()


def test_a_disabled_channel_takes_nothing(hook_channel):
    hook_channel.enabled = False
    hook_channel.save(update_fields=["enabled"])

    assert _post(hook_channel, _message(1)).status_code == 404
    assert not InboundEvent.objects.exists()


def test_a_provider_retry_is_stored_once_and_answered_alike(hook_channel, run_tasks):
    first = _post(hook_channel, _message(7))
    again = _post(hook_channel, _message(7))

    assert (first.status_code, again.status_code) == (200, 200)
    assert InboundEvent.objects.count() == 1
    run_tasks()
    assert Message.objects.count() == 1


def test_malformed_json_is_kept_as_ignored_with_the_reason(hook_channel, run_tasks):
    response = _post(hook_channel, b"{not json")

    assert response.status_code == 200
    run_tasks()
    event = InboundEvent.objects.get()
    assert event.status == EventStatus.IGNORED
    assert "not JSON" in event.last_error
    assert not Ticket.objects.exists()


def test_an_unknown_event_type_is_kept_as_ignored_with_the_reason(hook_channel, run_tasks):
    _post(hook_channel, {"id": 3, "type": "typing"})
    run_tasks()

    event = InboundEvent.objects.get()
    assert event.status == EventStatus.IGNORED
    assert "typing" in event.last_error


def test_a_poison_event_fails_with_its_error_and_others_still_arrive(
    hook_channel, test_connector: SignedHookConnector, run_tasks, settings
):
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    test_connector.poison_ids = {"66"}
    _post(hook_channel, _message(66, "first"))
    _post(hook_channel, _message(67, "second"))

    run_tasks()

    poison = InboundEvent.objects.get(event_id="66")
    assert poison.status == EventStatus.FAILED
    assert "media server said no" in poison.last_error
    assert InboundEvent.objects.get(event_id="67").status == EventStatus.PROCESSED
    assert list(Message.objects.values_list("text", flat=True)) == ["second"]


def test_a_failing_event_is_retried_later_with_its_error_kept(
    hook_channel, test_connector: SignedHookConnector, run_tasks
):
    from django_tasks_db.models import DBTaskResult

    test_connector.poison_ids = {"5"}
    _post(hook_channel, _message(5))

    run_tasks()

    event = InboundEvent.objects.get()
    assert (event.status, event.attempts) == (EventStatus.PENDING, 1)
    assert "media server said no" in event.last_error
    retry = DBTaskResult.objects.filter(status="READY").get()
    assert retry.run_after is not None


def test_a_failed_event_is_replayed_by_the_command_once_fixed(
    hook_channel, test_connector: SignedHookConnector, run_tasks, settings
):
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    test_connector.poison_ids = {"9"}
    _post(hook_channel, _message(9))
    run_tasks()
    assert InboundEvent.objects.get().status == EventStatus.FAILED

    test_connector.poison_ids = set()
    call_command("replay_events", "--channel", str(hook_channel.pk))
    run_tasks()

    assert InboundEvent.objects.get().status == EventStatus.PROCESSED
    assert Message.objects.count() == 1


def test_a_read_receipt_marks_the_agent_reply_read(hook_channel, agent, run_tasks):
    _post(hook_channel, _message(1))
    run_tasks()
    ticket = Ticket.objects.get()
    reply = actions.do_reply(ticket=ticket, actor=Actor.agent(agent), text="확인해 드릴게요.")
    actions.do_record_delivery(
        message=reply, state=DeliveryState.SENT, external_id="out-1", recipient="4242"
    )

    _post(hook_channel, {"id": 2, "type": "receipt", "message": "out-1", "state": "read"})
    run_tasks()

    reply.refresh_from_db()
    assert reply.delivery_state == DeliveryState.READ
    assert Event.objects.filter(ticket=ticket, kind="delivery_read").exists()


def test_a_late_delivered_receipt_never_undoes_read(hook_channel, agent, run_tasks):
    _post(hook_channel, _message(1))
    run_tasks()
    reply = actions.do_reply(
        ticket=Ticket.objects.get(), actor=Actor.agent(agent), text="확인해 드릴게요."
    )
    actions.do_record_delivery(message=reply, state=DeliveryState.SENT, external_id="out-1")

    actions.do_record_receipt(channel=hook_channel, state="read", external_id="out-1")
    actions.do_record_receipt(channel=hook_channel, state="delivered", external_id="out-1")

    reply.refresh_from_db()
    assert reply.delivery_state == DeliveryState.READ


def test_a_channel_disabled_after_calls_were_answered_takes_nothing_more(hook_channel):
    assert _post(hook_channel, _message(1)).status_code == 200

    hook_channel.enabled = False
    hook_channel.save(update_fields=["enabled"])

    assert _post(hook_channel, _message(2)).status_code == 404
    assert InboundEvent.objects.count() == 1


def test_a_rotated_webhook_key_shuts_the_old_url_at_once(hook_channel):
    old = Channel(kind=hook_channel.kind, key=hook_channel.key)
    assert _post(old, _message(1)).status_code == 200

    hook_channel.key = "rotated-" + hook_channel.key
    hook_channel.save(update_fields=["key"])

    assert _post(old, _message(2)).status_code == 404
    assert _post(hook_channel, _message(3)).status_code == 200


def test_a_channel_another_process_just_created_is_answered_at_once(hook_channel):
    assert _post(hook_channel, _message(1)).status_code == 200  # channels now remembered
    # bulk_create sends no post_save: this process learns of it as of another process's.
    (new,) = Channel.objects.bulk_create(
        [Channel(kind=hook_channel.kind, name="new", secrets=hook_channel.secrets)]
    )

    assert _post(new, _message(2)).status_code == 200
    assert InboundEvent.objects.filter(channel=new).count() == 1


def test_a_provider_call_gets_no_browser_cookies_or_page_headers(hook_channel, client):
    client.cookies["django_language"] = "ko"
    client.cookies["sessionid"] = "not-a-session"

    response = client.post(
        f"/hooks/{hook_channel.kind}/{hook_channel.key}",
        json.dumps(_message(1)).encode(),
        content_type="application/json",
        headers={"X-Test-Signature": sign(json.dumps(_message(1)).encode())},
    )

    assert response.status_code == 200
    assert not response.cookies
    assert "Content-Security-Policy" not in response.headers
    assert "Content-Language" not in response.headers
    # The browser's pages keep their headers.
    assert "Content-Security-Policy" in client.get("/login/").headers


def test_an_unknown_path_under_hooks_is_an_ordinary_404(client):
    assert client.post("/hooks/only-a-kind").status_code == 404


def test_an_answer_computed_in_the_door_that_fails_marks_the_event_failed(
    hook_channel, test_connector, monkeypatch
):
    def broken(channel: Channel, request: Any, event: InboundEvent) -> Any:
        raise RuntimeError("the answer could not be computed")

    monkeypatch.setattr(test_connector, "answers_in_door", lambda request: True)
    monkeypatch.setattr(test_connector, "acknowledge", broken)
    client = Client(raise_request_exception=False)
    body = json.dumps(_message(1)).encode()

    response = client.post(
        f"/hooks/{hook_channel.kind}/{hook_channel.key}",
        body,
        content_type="application/json",
        headers={"X-Test-Signature": sign(body)},
    )

    assert response.status_code == 500
    event = InboundEvent.objects.get()
    assert event.status == EventStatus.FAILED
    assert "could not be computed" in event.last_error
