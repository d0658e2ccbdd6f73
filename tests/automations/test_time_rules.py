"""Time rules run by the scheduler, with the clock held: they fire when the ticket has been
in a state long enough, once per stretch, and again only after a new stretch begins."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from sangdam.automations.engine import run_time_rules
from sangdam.automations.models import Since
from sangdam.core.scheduler import JOBS
from sangdam.tickets import actions
from sangdam.tickets.actor import Actor
from sangdam.tickets.models import Direction, Event, Message, Status, Ticket
from tests import factories
from tests.automations.conftest import make_macro, make_time_rule
from tests.console.helpers import new_ticket

pytestmark = pytest.mark.django_db

MINUTE = dt.timedelta(minutes=1)
DAY = dt.timedelta(days=1)


def _reminders(ticket: Ticket) -> int:
    return Message.objects.filter(
        ticket=ticket, direction=Direction.OUT, text__contains="기다리고 있습니다"
    ).count()


@pytest.fixture
def pending_rules(db: None) -> None:
    make_macro("reminder")
    make_time_rule(
        "remind after 3 days",
        Since.STATUS,
        3 * 24 * 60,
        [("auto_reply", "reminder")],
        status="pending",
    )
    make_time_rule(
        "solve after 7 days",
        Since.STATUS,
        7 * 24 * 60,
        [("set_status", "solved")],
        status="pending",
    )


def test_pending_three_days_reminds_once_and_seven_days_solves(
    email_channel, agent, pending_rules, run_tasks
):
    ticket = new_ticket(email_channel)
    actions.do_reply(
        ticket=ticket, actor=Actor.agent(agent), text="주문 번호를 알려주세요.", status="pending"
    )
    start = timezone.now()

    assert run_time_rules(start + 3 * DAY - MINUTE) == 0
    assert run_time_rules(start + 3 * DAY + MINUTE) == 1
    assert run_time_rules(start + 3 * DAY + 5 * MINUTE) == 0  # the next sweep: nothing new
    assert _reminders(ticket) == 1
    assert Ticket.objects.get(pk=ticket.pk).status == Status.PENDING

    assert run_time_rules(start + 7 * DAY + MINUTE) == 1
    assert Ticket.objects.get(pk=ticket.pk).status == Status.SOLVED
    fired = Event.objects.filter(ticket=ticket, kind="time_rule_fired").values_list(
        "data", flat=True
    )
    assert [d["name"] for d in fired] == ["remind after 3 days", "solve after 7 days"]


def test_a_new_pending_stretch_gets_its_own_reminder(
    email_channel, agent, pending_rules, run_tasks
):
    ticket = new_ticket(email_channel)
    actions.do_change_status(ticket=ticket, actor=Actor.agent(agent), status=Status.PENDING)
    run_time_rules(timezone.now() + 3 * DAY + MINUTE)

    # The customer answers (the ticket opens again), the agent asks again: pending anew.
    factories.customer_writes(
        email_channel, sender=("email", "minji@example.com"), ticket_reference=ticket.reference
    )
    ticket = Ticket.objects.get(pk=ticket.pk)
    actions.do_change_status(ticket=ticket, actor=Actor.agent(agent), status=Status.PENDING)

    assert run_time_rules(timezone.now() + 3 * DAY + MINUTE) == 1
    assert _reminders(ticket) == 2


def test_unassigned_for_thirty_minutes_escalates_once(email_channel, agent, run_tasks, mailoutbox):
    team = factories.make_team("Care")
    lead = factories.make_agent("Lead", language="en")
    team.members.add(lead)
    make_time_rule(
        "escalate",
        Since.UNASSIGNED,
        30,
        [("set_priority", "urgent"), ("notify", lead.email)],
    )
    ticket = new_ticket(email_channel)
    opened = timezone.now()

    assert run_time_rules(opened + 29 * MINUTE) == 0
    assert run_time_rules(opened + 31 * MINUTE) == 1
    assert run_time_rules(opened + 40 * MINUTE) == 0
    run_tasks()

    assert Ticket.objects.get(pk=ticket.pk).priority == "urgent"
    assert [m.to for m in mailoutbox if ticket.reference in m.subject] == [[lead.email]]


def test_an_assigned_ticket_is_not_escalated(email_channel, agent):
    make_time_rule("escalate", Since.UNASSIGNED, 30, [("set_priority", "urgent")])
    ticket = new_ticket(email_channel)
    actions.do_assign(ticket=ticket, actor=Actor.agent(agent), assignee=agent)

    assert run_time_rules(timezone.now() + DAY) == 0


def test_time_rules_conditions_narrow_them(email_channel):
    make_time_rule(
        "telegram only",
        Since.UNASSIGNED,
        30,
        [("set_priority", "urgent")],
        conditions=[("channel", "is", "telegram")],
    )
    ticket = new_ticket(email_channel)

    assert run_time_rules(timezone.now() + DAY) == 0
    assert Ticket.objects.get(pk=ticket.pk).priority == "normal"


def test_the_scheduler_runs_time_rules():
    assert any(job.task_path.endswith("automations.tasks.run_time_rules") for job in JOBS)
