from __future__ import annotations

import pytest

from sangdam.connectors.models import Channel
from sangdam.customers.models import Customer
from tests import factories
from tests.api.conftest import ApiClient

pytestmark = pytest.mark.django_db


def test_customers_are_found_by_email(api: ApiClient, email_channel: Channel) -> None:
    minji = factories.customer_writes(email_channel).ticket.customer
    factories.customer_writes(email_channel, sender=("email", "john@example.com"))
    items = api.get("/customers", {"q": "minji@"}).json()["items"]
    assert [c["id"] for c in items] == [minji.pk]


def test_customers_are_found_by_phone_in_any_format(api: ApiClient) -> None:
    phone = factories.make_channel("phone")
    caller = factories.customer_writes(phone, sender=("phone", "010-1234-5678")).ticket.customer
    items = api.get("/customers", {"q": "01012345678"}).json()["items"]
    assert [c["id"] for c in items] == [caller.pk]


def test_customer_list_pages_by_cursor(api: ApiClient, email_channel: Channel) -> None:
    for i in range(3):
        factories.customer_writes(email_channel, sender=("email", f"c{i}@example.com"))
    first = api.get("/customers", {"limit": 2}).json()
    rest = api.get("/customers", {"limit": 2, "cursor": first["next_cursor"]}).json()
    assert len(first["items"]) == 2
    assert len(rest["items"]) == 1
    assert rest["next_cursor"] is None


def test_customer_shows_identities_and_ticket_count(api: ApiClient, email_channel: Channel) -> None:
    ticket = factories.customer_writes(email_channel, also=[("phone", "010-1234-5678")]).ticket
    shown = api.get(f"/customers/{ticket.customer_id}").json()
    assert shown["ticket_count"] == 1
    assert {(i["kind"], i["value"]) for i in shown["identities"]} == {
        ("email", "minji@example.com"),
        ("phone", "+821012345678"),
    }


def test_merging_customers_moves_their_tickets(api: ApiClient, email_channel: Channel) -> None:
    telegram = factories.make_channel("telegram")
    by_mail = factories.customer_writes(email_channel).ticket
    by_chat = factories.customer_writes(telegram, sender=("telegram", "42")).ticket
    response = api.post(f"/customers/{by_chat.customer_id}/merge", {"into": by_mail.customer_id})
    assert response.status_code == 200
    assert response.json()["ticket_count"] == 2
    by_chat.refresh_from_db()
    assert by_chat.customer_id == by_mail.customer_id
    assert Customer.objects.get(pk=response.json()["id"]).identities.count() == 2


def test_merging_into_an_unknown_customer_names_the_field(
    api: ApiClient, email_channel: Channel
) -> None:
    customer = factories.customer_writes(email_channel).ticket.customer
    response = api.post(f"/customers/{customer.pk}/merge", {"into": 999999})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "into"


def test_read_only_agent_cannot_merge(readonly_api: ApiClient, email_channel: Channel) -> None:
    a = factories.customer_writes(email_channel).ticket.customer
    b = factories.customer_writes(email_channel, sender=("email", "b@example.com")).ticket.customer
    assert readonly_api.post(f"/customers/{a.pk}/merge", {"into": b.pk}).status_code == 403
