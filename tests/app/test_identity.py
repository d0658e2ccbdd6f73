"""Who may call: a user the company's backend signed, never a forged or borrowed one."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from examples.app_client import AppApiError, AppClient, sign_user
from sangdam.connectors.app import services
from sangdam.connectors.app.models import App
from tests.app.conftest import Client, secret_of

pytestmark = pytest.mark.django_db


def _refused(client: AppClient) -> AppApiError:
    with pytest.raises(AppApiError) as caught:
        client.list_inquiries()
    return caught.value


def test_it_refuses_an_unsigned_user(client_for: Client) -> None:
    error = _refused(client_for("user-42", signature=""))
    assert (error.status, error.code) == (401, "invalid_signature")
    assert error.headers["content-type"] == "application/problem+json"


def test_it_refuses_a_forged_signature(client_for: Client) -> None:
    error = _refused(client_for("user-42", signature=sign_user("guessed-secret", "user-42")))
    assert (error.status, error.code) == (401, "invalid_signature")


def test_it_refuses_another_users_signature_replayed_for_a_victim(
    app: App, client_for: Client
) -> None:
    mine = sign_user(secret_of(app), "attacker-1")
    error = _refused(client_for("victim-7", signature=mine))
    assert error.code == "invalid_signature"


def test_it_refuses_an_unknown_app_key(client_for: Client) -> None:
    error = _refused(client_for("user-42", app_key="ak_nope"))
    assert (error.status, error.code) == (401, "invalid_app_key")


def test_it_refuses_anonymous_callers_unless_the_app_allows_them(
    app: App, client_for: Client
) -> None:
    error = _refused(client_for("", device_id="device-1"))
    assert error.code == "anonymous_not_allowed"
    app.anonymous_allowed = True
    app.save(update_fields=["anonymous_allowed"])
    assert client_for("", device_id="device-1").list_inquiries()["items"] == []


def test_anonymous_device_can_open_an_inquiry_when_allowed(app: App, client_for: Client) -> None:
    app.anonymous_allowed = True
    app.save(update_fields=["anonymous_allowed"])
    device = client_for("", device_id="device-1")
    created = device.create_inquiry("앱이 자꾸 꺼져요")
    assert [i["id"] for i in device.list_inquiries()["items"]] == [created["id"]]
    assert client_for("", device_id="device-2").list_inquiries()["items"] == []


def test_both_secrets_work_during_rotation_and_the_old_one_stops_after(
    app: App, client_for: Client
) -> None:
    old = secret_of(app)
    new = services.rotate_secret(app=app, overlap=dt.timedelta(hours=1))
    assert client_for("user-42", signature=sign_user(new, "user-42")).list_inquiries()
    assert client_for("user-42", signature=sign_user(old, "user-42")).list_inquiries()
    # The overlap ends (here: an admin ends it now); the old secret stops at once.
    app.refresh_from_db()
    app.previous_valid_until = timezone.now()
    app.save(update_fields=["previous_valid_until"])
    error = _refused(client_for("user-42", signature=sign_user(old, "user-42")))
    assert error.code == "invalid_signature"


def test_a_signed_email_joins_the_customer_from_other_channels(
    app: App, client_for: Client
) -> None:
    from tests import factories

    email = factories.make_channel("email")
    by_mail = factories.customer_writes(email, sender=("email", "minji@example.com"))
    client = client_for(
        "user-42",
        email="minji@example.com",
        email_signature=sign_user(secret_of(app), "minji@example.com"),
    )
    created = client.create_inquiry("앱에서도 문의드려요")
    ids = {i["id"] for i in client.list_inquiries()["items"]}
    assert ids == {by_mail.ticket.pk, created["id"]}


def test_an_unsigned_email_is_ignored_so_nobody_can_claim_anothers_inquiries(
    client_for: Client,
) -> None:
    from tests import factories

    email = factories.make_channel("email")
    factories.customer_writes(email, sender=("email", "victim@example.com"))
    attacker = client_for("attacker-1", email="victim@example.com", email_signature="00")
    attacker.create_inquiry("hello")
    assert len(attacker.list_inquiries()["items"]) == 1


def test_it_answers_429_with_retry_after_over_the_per_user_limit(
    client_for: Client, settings: object
) -> None:
    settings.APP_API_RATE_PER_USER = 3  # type: ignore[attr-defined]
    client = client_for("user-42")
    for _ in range(3):
        client.list_inquiries()
    error = _refused(client)
    assert (error.status, error.code) == (429, "rate_limited")
    assert 1 <= int(error.headers["retry-after"]) <= 61
    assert client_for("user-43").list_inquiries()["items"] == []


def test_it_answers_429_over_the_per_app_limit(client_for: Client, settings: object) -> None:
    settings.APP_API_RATE_PER_APP = 2  # type: ignore[attr-defined]
    client_for("user-1").list_inquiries()
    client_for("user-2").list_inquiries()
    assert _refused(client_for("user-3")).code == "rate_limited"


def test_the_users_name_reaches_the_agent_in_korean(client_for: Client) -> None:
    from sangdam.tickets.models import Ticket

    created = client_for("user-42", name="김민지").create_inquiry("문의")
    assert Ticket.objects.get(pk=created["id"]).customer.name == "김민지"


def test_old_idempotency_keys_are_pruned(minji: AppClient) -> None:
    from sangdam.connectors.app.models import AppIdempotencyKey
    from sangdam.connectors.app.tasks import prune_idempotency_keys

    minji.create_inquiry("문의", idempotency_key="old")
    AppIdempotencyKey.objects.update(created_at=timezone.now() - dt.timedelta(days=3))
    minji.create_inquiry("문의", idempotency_key="new")
    assert prune_idempotency_keys.call() == 1
    assert list(AppIdempotencyKey.objects.values_list("key", flat=True)) == ["new"]
