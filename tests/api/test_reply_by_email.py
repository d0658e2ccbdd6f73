"""Inquiries opened through the API are answered by email."""

from __future__ import annotations

from typing import Any

from django.core import mail

from tests.api.conftest import ApiClient, new_inquiry


def test_a_reply_to_an_api_inquiry_reaches_the_customer_by_email(
    api: ApiClient, run_tasks: Any, settings: Any
) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    created = api.post("/tickets", new_inquiry()).json()
    reply = api.post(
        f"/tickets/{created['id']}/messages", {"text": "환불해 드렸습니다.", "kind": "reply"}
    )
    assert reply.status_code == 201

    run_tasks()

    assert [m.to for m in mail.outbox] == [["minji@example.com"]]
    assert f"[{created['reference']}]" in mail.outbox[0].subject
    messages = api.get(f"/tickets/{created['id']}/messages").json()["items"]
    assert next(m for m in messages if m["id"] == reply.json()["id"])["delivery_state"] == "sent"


def test_two_integrators_reusing_an_idempotency_key_get_two_tickets(
    api: ApiClient, readonly_api: ApiClient, db: None
) -> None:
    from tests import factories
    from tests.api.conftest import client_for

    other = client_for(factories.make_agent("Alex"))
    first = api.post("/tickets", new_inquiry(), **{"Idempotency-Key": "order-1"}).json()
    second = other.post("/tickets", new_inquiry(), **{"Idempotency-Key": "order-1"}).json()
    assert first["reference"] != second["reference"]
