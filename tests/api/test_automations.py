"""Triggers and time rules through the REST API, checked as the console checks them."""

from __future__ import annotations

from typing import Any

import pytest

from sangdam.automations.models import TimeRule, Trigger
from sangdam.tickets.models import Priority, Ticket
from tests import factories
from tests.api.conftest import ApiClient, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_api(db: None) -> ApiClient:
    return client_for(factories.make_admin())


REFUNDS = {
    "name": "Refunds are urgent",
    "when": "ticket_created",
    "conditions": [{"field": "text", "op": "contains", "value": "환불"}],
    "actions": [
        {"type": "set_priority", "value": "urgent"},
        {"type": "add_tags", "value": "refund, money"},
    ],
}


def test_a_trigger_made_through_the_api_fires_on_the_next_inquiry(
    admin_api: ApiClient, run_tasks: Any
) -> None:
    created = admin_api.post("/triggers", REFUNDS)
    assert created.status_code == 201, created.content
    assert created.json()["actions"][1] == {"type": "add_tags", "value": "refund, money"}
    channel = factories.make_channel("email")
    ticket = factories.customer_writes(channel, text="환불해 주세요").ticket
    run_tasks()
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert ticket.priority == Priority.URGENT
    assert set(ticket.tags) == {"refund", "money"}


def test_a_trigger_naming_an_unknown_team_is_refused_and_nothing_is_stored(
    admin_api: ApiClient,
) -> None:
    body = {**REFUNDS, "actions": [{"type": "set_team", "value": "Nobody's team"}]}
    answer = admin_api.post("/triggers", body)
    assert answer.status_code == 422
    assert answer.json()["errors"][0]["field"] == "actions.0"
    assert not Trigger.objects.exists()


def test_a_trigger_is_replaced_and_deleted(admin_api: ApiClient) -> None:
    trigger_id = admin_api.post("/triggers", REFUNDS).json()["id"]
    replaced = admin_api._send("put", f"/triggers/{trigger_id}", {**REFUNDS, "active": False})
    assert replaced.status_code == 200 and replaced.json()["active"] is False
    assert admin_api._send("delete", f"/triggers/{trigger_id}").status_code == 204
    assert not Trigger.objects.exists()


def test_agents_read_automations_but_cannot_change_them(api: ApiClient) -> None:
    assert api.get("/triggers").status_code == 200
    assert api.post("/triggers", REFUNDS).status_code == 403
    rule = {"name": "Stale", "since": "status", "status": "pending", "minutes": 60,
            "actions": [{"type": "set_status", "value": "solved"}]}  # fmt: skip
    assert api.post("/time-rules", rule).status_code == 403
    assert not Trigger.objects.exists() and not TimeRule.objects.exists()


def test_a_time_rule_needs_the_status_it_waits_in(admin_api: ApiClient) -> None:
    rule = {"name": "Stale", "since": "status", "minutes": 60,
            "actions": [{"type": "set_status", "value": "solved"}]}  # fmt: skip
    answer = admin_api.post("/time-rules", rule)
    assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "status"
    ok = admin_api.post("/time-rules", {**rule, "status": "pending"})
    assert ok.status_code == 201
    assert admin_api.get("/time-rules").json()[0]["status"] == "pending"
