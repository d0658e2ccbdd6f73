from __future__ import annotations

import pytest

from sangdam.connectors.models import Channel
from sangdam.customers.models import Identity
from sangdam.tickets.models import Event, Ticket
from tests import factories
from tests.api.conftest import ApiClient, new_inquiry

pytestmark = pytest.mark.django_db


def test_created_inquiry_gets_a_reference_and_appears_in_the_list(api: ApiClient) -> None:
    response = api.post("/tickets", new_inquiry())
    assert response.status_code == 201
    ticket = response.json()
    assert ticket["reference"].startswith("SD-")
    assert ticket["status"] == "new"
    assert ticket["channel"]["kind"] == "api"
    listed = api.get("/tickets").json()["items"]
    assert [t["reference"] for t in listed] == [ticket["reference"]]


def test_created_inquiry_went_through_the_intake(api: ApiClient) -> None:
    api.post("/tickets", new_inquiry(), **{"Idempotency-Key": "k-1"})
    ticket = Ticket.objects.get()
    message = ticket.messages.get()
    assert (message.external_id or "").startswith("api:")
    assert (message.external_id or "").endswith(":k-1")
    assert message.direction == "in"
    assert Identity.objects.get(kind="email").value == "minji@example.com"
    assert Event.objects.filter(ticket=ticket, kind="ticket_created").exists()


def test_replay_with_the_same_key_returns_the_same_ticket_once(api: ApiClient) -> None:
    first = api.post("/tickets", new_inquiry(), **{"Idempotency-Key": "order-77"})
    again = api.post("/tickets", new_inquiry(), **{"Idempotency-Key": "order-77"})
    assert first.status_code == again.status_code == 201
    assert again.json() == first.json()
    assert again["Idempotent-Replayed"] == "true"
    assert Ticket.objects.count() == 1


def test_same_key_with_another_body_is_refused(api: ApiClient) -> None:
    api.post("/tickets", new_inquiry(), **{"Idempotency-Key": "order-78"})
    response = api.post(
        "/tickets", new_inquiry(text="다른 내용"), **{"Idempotency-Key": "order-78"}
    )
    assert response.status_code == 422
    assert response.json()["code"] == "idempotency_conflict"
    assert Ticket.objects.count() == 1


def test_without_a_key_each_post_is_a_new_inquiry(api: ApiClient) -> None:
    api.post("/tickets", new_inquiry())
    api.post("/tickets", new_inquiry())
    assert Ticket.objects.count() == 2


def test_integrator_sets_topic_priority_and_metadata(api: ApiClient) -> None:
    factories.make_topic("payment")
    body = new_inquiry(topic="payment", priority="high", metadata={"app_version": "3.2.1"})
    ticket = api.post("/tickets", body).json()
    assert (ticket["topic"], ticket["priority"]) == ("payment", "high")
    assert ticket["metadata"] == {"app_version": "3.2.1"}


def test_inquiry_can_arrive_on_a_named_channel(api: ApiClient) -> None:
    app = factories.make_channel("app")
    body = new_inquiry(channel_id=app.pk, customer={"app_user_id": "u-991"})
    ticket = api.post("/tickets", body).json()
    assert ticket["channel"]["id"] == app.pk
    assert Identity.objects.get().kind == "app_user"


def test_it_reuses_the_existing_api_channel(api: ApiClient) -> None:
    api.post("/tickets", new_inquiry())
    api.post("/tickets", new_inquiry())
    assert Channel.objects.filter(kind="api").count() == 1


def test_validation_error_names_the_missing_field(api: ApiClient) -> None:
    body = new_inquiry()
    del body["subject"]
    response = api.post("/tickets", body)
    assert response.status_code == 422
    problem = response.json()
    assert problem["code"] == "validation_error"
    assert response["Content-Type"].startswith("application/problem+json")
    assert [e["field"] for e in problem["errors"]] == ["subject"]


def test_validation_error_names_a_nested_field(api: ApiClient) -> None:
    response = api.post("/tickets", new_inquiry(customer={"email": "not-an-email"}))
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["customer.email"]


def test_an_unknown_topic_is_refused_and_nothing_is_created(api: ApiClient) -> None:
    response = api.post("/tickets", new_inquiry(topic="no-such-topic"))
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "topic"
    assert not Ticket.objects.exists()


def test_a_disabled_channel_is_refused(api: ApiClient) -> None:
    channel = factories.make_channel("app", enabled=False)
    response = api.post("/tickets", new_inquiry(channel_id=channel.pk))
    assert response.json()["errors"][0]["field"] == "channel_id"


def test_malformed_json_is_a_problem_document(api: ApiClient) -> None:
    response = api.client.post(
        "/api/v1/tickets", data="{not json", content_type="application/json", headers=api.headers
    )
    assert response.status_code in (400, 422)
    assert "code" in response.json()
