from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from sangdam.accounts.models import User
from sangdam.connectors.models import Channel
from sangdam.tickets import actions
from sangdam.tickets.actor import Actor
from sangdam.tickets.models import Event, Message, Ticket
from tests import factories
from tests.api.conftest import ApiClient

pytestmark = pytest.mark.django_db


@pytest.fixture
def ticket(email_channel: Channel) -> Ticket:
    return factories.customer_writes(email_channel).ticket


def test_agent_changes_status_priority_and_assignee_at_once(
    api: ApiClient, agent: User, ticket: Ticket
) -> None:
    factories.make_topic("payment")
    body = {
        "status": "pending",
        "priority": "urgent",
        "topic": "payment",
        "assignee_id": agent.pk,
        "tags": ["refund"],
    }
    response = api.patch(f"/tickets/{ticket.pk}", body)
    assert response.status_code == 200
    shown = response.json()
    assert (shown["status"], shown["priority"], shown["topic"]) == ("pending", "urgent", "payment")
    assert shown["assignee"]["id"] == agent.pk
    assert shown["tags"] == ["refund"]
    kinds = set(Event.objects.filter(ticket=ticket).values_list("kind", flat=True))
    assert {"status_changed", "fields_changed", "assigned"} <= kinds
    assert Event.objects.filter(ticket=ticket, actor_label="api", actor_user=agent).exists()


def test_invalid_transition_is_409_and_changes_nothing(
    api: ApiClient, agent: User, ticket: Ticket
) -> None:
    actions.do_change_status(ticket=ticket, actor=Actor.agent(agent), status="closed")
    response = api.patch(f"/tickets/{ticket.pk}", {"priority": "high", "status": "open"})
    assert response.status_code == 409
    assert response.json()["code"] == "invalid_status_transition"
    ticket.refresh_from_db()
    assert (ticket.status, ticket.priority) == ("closed", "normal")


def test_fields_changed_before_a_refused_transition_are_rolled_back(
    api: ApiClient, agent: User, ticket: Ticket
) -> None:
    actions.do_change_status(ticket=ticket, actor=Actor.agent(agent), status="closed")
    api.patch(f"/tickets/{ticket.pk}", {"assignee_id": agent.pk, "status": "pending"})
    ticket.refresh_from_db()
    assert ticket.assignee_id is None


def test_an_unknown_assignee_names_the_field(api: ApiClient, ticket: Ticket) -> None:
    response = api.patch(f"/tickets/{ticket.pk}", {"assignee_id": 999999})
    assert response.status_code == 422
    assert response.json()["errors"] == [
        {"field": "assignee_id", "message": response.json()["errors"][0]["message"]}
    ]


def test_null_assignee_unassigns(api: ApiClient, agent: User, ticket: Ticket) -> None:
    actions.do_assign(ticket=ticket, actor=Actor.agent(agent), assignee=agent)
    assert api.patch(f"/tickets/{ticket.pk}", {"assignee_id": None}).json()["assignee"] is None


def test_read_only_agent_cannot_change_a_ticket(readonly_api: ApiClient, ticket: Ticket) -> None:
    response = readonly_api.patch(f"/tickets/{ticket.pk}", {"priority": "high"})
    assert response.status_code == 403
    ticket.refresh_from_db()
    assert ticket.priority == "normal"


def test_reply_is_queued_for_delivery(api: ApiClient, ticket: Ticket) -> None:
    response = api.post(f"/tickets/{ticket.pk}/messages", {"text": "환불 처리했습니다."})
    assert response.status_code == 201
    assert response.json()["delivery_state"] == "queued"
    reply = Message.objects.get(pk=response.json()["id"])
    assert (reply.direction, reply.kind, reply.delivery_state) == ("out", "public", "queued")
    ticket.refresh_from_db()
    assert ticket.status == "open"


def test_a_replys_answer_does_not_read_its_attachments_back(api: ApiClient, ticket: Ticket) -> None:
    with CaptureQueriesContext(connection) as captured:
        response = api.post(f"/tickets/{ticket.pk}/messages", {"text": "확인했습니다."})

    assert response.status_code == 201
    assert response.json()["attachments"] == []
    assert not [q for q in captured.captured_queries if "tickets_attachment" in q["sql"]]


def test_note_is_not_delivered(api: ApiClient, ticket: Ticket) -> None:
    response = api.post(f"/tickets/{ticket.pk}/messages", {"text": "VIP 고객", "kind": "note"})
    assert response.status_code == 201
    note = Message.objects.get(pk=response.json()["id"])
    assert (note.kind, note.delivery_state) == ("note", "none")


def test_reply_can_solve_the_ticket(api: ApiClient, ticket: Ticket) -> None:
    api.post(f"/tickets/{ticket.pk}/messages", {"text": "완료", "status": "solved"})
    ticket.refresh_from_db()
    assert ticket.status == "solved"


def test_reply_html_is_sanitized(api: ApiClient, ticket: Ticket) -> None:
    body = {"text": "hi", "html": "<p>hi</p><script>alert(1)</script>"}
    reply = Message.objects.get(pk=api.post(f"/tickets/{ticket.pk}/messages", body).json()["id"])
    assert "script" not in reply.html


def test_replayed_reply_is_sent_once(api: ApiClient, ticket: Ticket) -> None:
    headers = {"Idempotency-Key": "reply-1"}
    first = api.post(f"/tickets/{ticket.pk}/messages", {"text": "환불했습니다."}, **headers)
    again = api.post(f"/tickets/{ticket.pk}/messages", {"text": "환불했습니다."}, **headers)
    assert again.json() == first.json()
    assert ticket.messages.filter(direction="out").count() == 1


def test_reply_to_a_closed_ticket_is_409(api: ApiClient, agent: User, ticket: Ticket) -> None:
    actions.do_change_status(ticket=ticket, actor=Actor.agent(agent), status="closed")
    response = api.post(f"/tickets/{ticket.pk}/messages", {"text": "hello"})
    assert response.status_code == 409
    assert not ticket.messages.filter(direction="out").exists()
