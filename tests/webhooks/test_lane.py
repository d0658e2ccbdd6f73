"""The door's lean lane (connectors/webhooks/lane.py): a provider's POST through the
server's ASGI application is verified, stored with its task and acknowledged as through
Django's view, and whatever the lane does not take still reaches Django."""

from __future__ import annotations

import json

import pytest
from django.test import override_settings
from django_tasks_db.models import DBTaskResult

from sangdam.connectors.models import Channel, EventStatus, InboundEvent
from sangdam.tickets.models import Ticket
from tests.asgi_calls import Answer, request
from tests.webhooks.hooks import SignedHookConnector, sign

# SecurityMiddleware adds this to every answer Django gives: the lane gives none of it.
DJANGO_HEADER = b"x-content-type-options"


@pytest.fixture
def lean(test_connector: SignedHookConnector, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(test_connector, "lean_lane", True)


def _post(
    channel: Channel, event_id: int, *, signature: str | None = "good", host: bytes = b"testserver"
) -> Answer:
    payload = {"id": event_id, "type": "message", "from": 4242, "name": "John Park", "text": "안녕하세요"}  # fmt: skip
    body = json.dumps(payload).encode()
    headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]  # fmt: skip
    if signature is not None:
        headers.append((b"x-test-signature", (sign(body) if signature == "good" else signature).encode()))  # fmt: skip
    answer = request("POST", f"/hooks/{channel.kind}/{channel.key}", headers=headers, body=body, host=host)  # fmt: skip
    assert answer is not None
    return answer


def _tasks() -> int:
    return DBTaskResult.objects.filter(task_path__endswith="process_inbound_event").count()


def test_a_signed_event_is_stored_with_its_task_and_acknowledged(
    transactional_db: None, hook_channel: Channel, lean: None, run_tasks
) -> None:
    status, headers, body, _ = _post(hook_channel, 1)

    assert (status, body) == (200, b"ok")
    assert DJANGO_HEADER not in headers  # answered by the lane, not by Django
    assert InboundEvent.objects.get().status == EventStatus.PENDING
    assert _tasks() == 1
    run_tasks()
    assert Ticket.objects.get().messages.get().text == "안녕하세요"


def test_a_retry_is_acknowledged_again_and_stores_nothing_more(
    transactional_db: None, hook_channel: Channel, lean: None
) -> None:
    first, again = _post(hook_channel, 7), _post(hook_channel, 7)

    assert first[0] == again[0] == 200
    assert InboundEvent.objects.count() == 1
    assert _tasks() == 1


@pytest.mark.parametrize(("signature", "status"), [("0" * 64, 403), (None, 401)])
def test_a_forged_or_missing_signature_is_refused_and_nothing_is_stored(
    transactional_db: None, hook_channel: Channel, lean: None, signature: str | None, status: int
) -> None:
    assert _post(hook_channel, 1, signature=signature)[0] == status
    assert not InboundEvent.objects.exists()
    assert _tasks() == 0


def test_a_body_over_the_limit_is_refused_and_nothing_is_stored(
    transactional_db: None, hook_channel: Channel, lean: None
) -> None:
    with override_settings(WEBHOOK_MAX_BODY_BYTES=50):
        status, _, body, _ = _post(hook_channel, 1)

    assert (status, body) == (413, b"too large")
    assert not InboundEvent.objects.exists()


def test_an_unknown_channel_key_is_not_found(
    transactional_db: None, hook_channel: Channel, lean: None
) -> None:
    hook_channel.key = "not-the-key"

    assert _post(hook_channel, 1)[0] == 404


def test_a_host_the_site_does_not_serve_is_refused(
    transactional_db: None, hook_channel: Channel, lean: None
) -> None:
    assert _post(hook_channel, 1, host=b"evil.example")[0] == 400
    assert not InboundEvent.objects.exists()


def test_a_connector_outside_the_lane_is_still_taken_by_django(
    transactional_db: None, hook_channel: Channel
) -> None:
    status, headers, _, _ = _post(hook_channel, 1)

    assert status == 200
    assert DJANGO_HEADER in headers
    assert _tasks() == 1


def test_with_https_redirects_on_a_plain_http_call_is_left_to_django(
    transactional_db: None, hook_channel: Channel, lean: None
) -> None:
    # Django's SecurityMiddleware (its settings read once, at start-up) redirects it.
    with override_settings(SECURE_SSL_REDIRECT=True):
        headers = _post(hook_channel, 1)[1]

    assert DJANGO_HEADER in headers
