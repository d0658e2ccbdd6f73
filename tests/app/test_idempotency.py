"""A retried create returns the first answer; the same key with another body is a bug."""

from __future__ import annotations

import pytest

from examples.app_client import AppApiError, AppClient
from sangdam.connectors.app.models import PushToken
from sangdam.tickets.models import Message, Ticket
from tests import factories
from tests.app.conftest import Client

pytestmark = pytest.mark.django_db


def test_a_retried_inquiry_returns_the_first_answer_and_opens_nothing_new(
    minji: AppClient,
) -> None:
    first = minji.create_inquiry("문의", files=[("s.png", factories.PNG)], idempotency_key="k-1")
    again = minji.http.post(
        "/inquiries",
        data={"text": "문의"},
        files=[("files", ("s.png", factories.PNG))],
        headers={"Idempotency-Key": "k-1"},
    )
    assert again.status_code == 201 and again.json() == first
    assert again.headers["Idempotent-Replayed"] == "true"
    assert Ticket.objects.count() == 1


def test_the_same_key_with_another_body_is_refused(minji: AppClient) -> None:
    minji.create_inquiry("문의", idempotency_key="k-1")
    with pytest.raises(AppApiError) as caught:
        minji.create_inquiry("다른 문의", idempotency_key="k-1")
    assert (caught.value.status, caught.value.code) == (422, "idempotency_conflict")
    with pytest.raises(AppApiError):
        minji.create_inquiry("문의", files=[("s.png", factories.PNG)], idempotency_key="k-1")
    assert Ticket.objects.count() == 1


def test_two_users_may_use_the_same_key(minji: AppClient, client_for: Client) -> None:
    minji.create_inquiry("문의", idempotency_key="k-1")
    client_for("user-7").create_inquiry("문의", idempotency_key="k-1")
    assert Ticket.objects.count() == 2


def test_a_retried_reply_is_added_once(minji: AppClient) -> None:
    created = minji.create_inquiry("문의")
    first = minji.reply(created["id"], "추가", idempotency_key="r-1")
    assert minji.reply(created["id"], "추가", idempotency_key="r-1") == first
    assert Message.objects.filter(ticket=created["id"]).count() == 2


def test_a_retried_push_token_registration_is_stored_once(minji: AppClient) -> None:
    body = {"kind": "fcm", "token": "fcm-token-1"}
    for _ in range(2):
        response = minji.http.post("/push-tokens", json=body, headers={"Idempotency-Key": "p-1"})
        assert response.status_code == 201
    assert PushToken.objects.count() == 1


def test_unregistering_a_push_token_removes_it(minji: AppClient) -> None:
    minji.register_push_token("apns", "a" * 64)
    minji.unregister_push_token("a" * 64)
    assert not PushToken.objects.exists()
