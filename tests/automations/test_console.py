"""Automations from the console and the API: admin pages, the ticket page's macros."""

from __future__ import annotations

import pytest
from django.test import Client

from sangdam.accounts.models import Role
from sangdam.automations.models import Macro, TimeRule, Trigger
from tests import factories
from tests.api.conftest import client_for as api_client_for
from tests.automations.conftest import make_macro, make_trigger
from tests.console.conftest import client_for
from tests.console.helpers import new_ticket

pytestmark = pytest.mark.django_db


@pytest.fixture
def boss(db: None) -> Client:
    return client_for(factories.make_agent("Admin", role=Role.ADMIN, language="en"))


def _rows(**rows: str) -> dict[str, str]:
    return {"position": "0", "active": "on", **rows}


def test_an_admin_creates_a_trigger_with_named_values(boss, run_tasks):
    team = factories.make_team("Care")

    answer = boss.post(
        "/admin/automations/triggers/new/",
        _rows(
            name="Refunds to Care",
            when="ticket_created",
            cond_0_field="text",
            cond_0_op="contains",
            cond_0_value="환불",
            act_0_type="set_team",
            act_0_value=team.name,
            act_1_type="add_tags",
            act_1_value="refund",
        ),
    )

    assert answer.status_code == 302
    trigger = Trigger.objects.get()
    assert trigger.conditions == [{"field": "text", "op": "contains", "value": "환불"}]
    assert trigger.actions == [
        {"type": "set_team", "value": team.pk},
        {"type": "add_tags", "value": ["refund"]},
    ]
    listing = boss.get("/admin/automations/").content.decode()
    assert "Refunds to Care" in listing and f"Set team (name): {team.name}" in listing
    edit = boss.get(f"/admin/automations/triggers/{trigger.pk}/").content.decode()
    assert f'value="{team.name}"' in edit


def test_a_trigger_naming_an_unknown_team_is_refused_with_the_reason(boss):
    answer = boss.post(
        "/admin/automations/triggers/new/",
        _rows(name="x", when="ticket_created", act_0_type="set_team", act_0_value="Nobody"),
    )

    assert answer.status_code == 200
    assert "No team is named “Nobody”." in answer.content.decode()
    assert not Trigger.objects.exists()


def test_an_admin_reorders_triggers(boss):
    first = make_trigger("first", "ticket_created", [], [("add_tags", "a")], position=1)
    second = make_trigger("second", "ticket_created", [], [("add_tags", "b")], position=2)

    boss.post(f"/admin/automations/triggers/{second.pk}/move/", {"direction": "up"})

    assert [t.name for t in Trigger.objects.all()] == ["second", "first"]
    assert first.pk != second.pk


def test_an_admin_creates_a_time_rule(boss):
    make_macro("reminder")

    answer = boss.post(
        "/admin/automations/time-rules/new/",
        _rows(
            name="remind",
            since="status",
            status="pending",
            minutes="4320",
            act_0_type="auto_reply",
            act_0_value="reminder",
        ),
    )

    assert answer.status_code == 302
    rule = TimeRule.objects.get()
    assert (rule.status, rule.minutes, rule.actions[0]["type"]) == ("pending", 4320, "auto_reply")


def test_agents_insert_a_filled_in_macro_from_the_reply_box(boss, email_channel, agent):
    boss.post(
        "/admin/automations/macros/new/",
        {
            "name": "thanks",
            "position": "0",
            "active": "on",
            "text_ko": "{{ customer_name }}님, {{ reference }} 문의 감사합니다. 상담원 {{ agent_name }}",
            "text_en": "Thank you, {{ customer_name }}.",
        },
    )
    macro = Macro.objects.get()
    ticket = new_ticket(email_channel, language="ko")
    seoyeon = client_for(agent)

    page = seoyeon.get(f"/tickets/{ticket.pk}/").content.decode()
    filled = seoyeon.get(f"/tickets/{ticket.pk}/?macro={macro.pk}").content.decode()

    expected = f"{ticket.customer}님, {ticket.reference} 문의 감사합니다. 상담원 Seoyeon"
    assert 'id="macro-picker"' in page and f'data-text="{expected}"' in page
    assert f"{expected}</textarea>" in filled


def test_the_api_lists_macros_filled_in_for_a_ticket(email_channel, agent):
    make_macro("waiting")
    ticket = new_ticket(email_channel, language="en")
    api = api_client_for(agent)

    plain = api.get("/macros").json()
    filled = api.get("/macros", {"ticket": ticket.reference}).json()

    assert [m["name"] for m in plain] == ["waiting"] and plain[0]["text"] is None
    assert filled[0]["text"] == (
        f"Dear {ticket.customer}, we are waiting for your answer on {ticket.reference}."
    )
    assert api.get("/macros", {"ticket": "SD-0"}).status_code == 404


def test_the_automation_pages_speak_korean(db):
    admin = factories.make_agent("관리자", role=Role.ADMIN, language="ko")
    make_trigger("환불", "ticket_created", [], [("add_tags", "refund")])

    page = client_for(admin).get("/admin/automations/").content.decode()

    assert "트리거" in page and "새 트리거" in page and "태그 추가" in page


def test_agents_cannot_open_the_automation_pages(agent_client):
    assert agent_client.get("/admin/automations/").status_code == 403
    assert agent_client.post("/admin/automations/macros/new/", {"name": "x"}).status_code == 403


def test_the_demo_shows_routing_and_automations_at_work(db, run_tasks):
    from sangdam.core.demo import load_demo
    from sangdam.tickets.models import Ticket

    load_demo()
    run_tasks()

    assert Trigger.objects.count() == 1 and TimeRule.objects.count() == 3
    assert Macro.objects.count() == 3
    refunds = [t for t in Ticket.objects.all() if "refund" in (t.tags or [])]
    assert refunds, "the refund trigger tagged the demo's refund requests"


def test_the_rule_form_suggests_known_values_as_the_admin_types(boss):
    from sangdam.accounts.models import Team

    Team.objects.create(name="Payments")
    body = boss.get("/admin/automations/triggers/new/").content.decode()
    assert '<datalist id="rule-values">' in body
    assert '<option value="Payments">' in body
    assert body.count('list="rule-values"') == 10  # every condition and action value box
