"""Triggers with the real database: they fire on the events they name, when their
conditions hold, once, in order, and never chase their own changes."""

from __future__ import annotations

import pytest

from sangdam.automations.engine import MAX_FIRINGS_PER_DAY
from sangdam.automations.models import TriggerRun, When
from sangdam.service.models import Schedule
from sangdam.tickets import actions
from sangdam.tickets.actor import Actor
from sangdam.tickets.dispatch import run_listener
from sangdam.tickets.models import Direction, Event, Message, MessageKind, Ticket
from tests import factories
from tests.automations.conftest import make_macro, make_trigger
from tests.console.helpers import new_ticket

pytestmark = pytest.mark.django_db


def _fresh(ticket: Ticket) -> Ticket:
    return Ticket.objects.get(pk=ticket.pk)


def test_a_created_trigger_tags_and_raises_a_refund_request(email_channel, run_tasks):
    make_trigger(
        "refunds",
        When.CREATED,
        [("channel", "is", "email"), ("text", "contains", "환불")],
        [("add_tags", "refund, billing"), ("set_priority", "high")],
    )

    ticket = new_ticket(email_channel, text="결제가 두 번 되었어요. 환불 부탁드립니다.")
    run_tasks()

    ticket = _fresh(ticket)
    assert (ticket.tags, ticket.priority) == (["billing", "refund"], "high")
    fired = Event.objects.get(ticket=ticket, kind="trigger_fired")
    assert fired.actor_label.startswith("trigger:")
    assert fired.data["name"] == "refunds"
    assert fired.data["actions"] == ["tags+=refund,billing", "priority=high"]
    # The changes themselves carry the trigger as their actor.
    assert Event.objects.filter(
        ticket=ticket, kind="fields_changed", actor_label=fired.actor_label
    ).exists()


def test_a_trigger_whose_conditions_fail_does_not_fire(email_channel, run_tasks):
    make_trigger("refunds", When.CREATED, [("text", "contains", "환불")], [("add_tags", "refund")])
    make_trigger(
        "telegram only", When.CREATED, [("channel", "is", "telegram")], [("add_tags", "tg")]
    )

    ticket = new_ticket(email_channel, text="로그인이 안 돼요.")
    run_tasks()

    assert _fresh(ticket).tags == []
    assert not TriggerRun.objects.exists()


def test_message_triggers_fire_on_later_customer_messages_not_on_creation(email_channel, run_tasks):
    make_trigger("again", When.MESSAGE, [], [("add_tags", "followed-up")])
    ticket = new_ticket(email_channel)
    run_tasks()
    assert _fresh(ticket).tags == []

    factories.customer_writes(
        email_channel, sender=("email", "minji@example.com"), ticket_reference=ticket.reference
    )
    run_tasks()

    assert _fresh(ticket).tags == ["followed-up"]


def test_an_automatic_customer_message_fires_nothing(email_channel, run_tasks):
    make_trigger("again", When.MESSAGE, [], [("add_tags", "followed-up")])
    ticket = new_ticket(email_channel)
    run_tasks()

    factories.customer_writes(
        email_channel,
        sender=("email", "minji@example.com"),
        ticket_reference=ticket.reference,
        automatic=True,
        text="I am out of office until Monday.",
    )
    run_tasks()

    assert _fresh(ticket).tags == []


def test_triggers_run_in_order_once_each_and_do_not_chase_each_other(
    email_channel, agent, run_tasks
):
    # Two triggers that undo each other would ping-pong forever if trigger changes fired
    # triggers; each runs once per change, in order, and the pass ends.
    make_trigger("down", When.UPDATED, [("priority", "is", "high")], [("set_priority", "low")])
    make_trigger("up", When.UPDATED, [("priority", "is", "low")], [("set_priority", "urgent")])
    ticket = new_ticket(email_channel)
    run_tasks()

    actions.do_update_fields(ticket=_fresh(ticket), actor=Actor.agent(agent), priority="high")
    run_tasks()
    run_tasks()

    assert _fresh(ticket).priority == "urgent"
    assert [r.trigger.name for r in TriggerRun.objects.order_by("id")] == ["down", "up"]


def test_a_retried_listener_does_not_fire_a_trigger_twice(email_channel, run_tasks):
    make_trigger("note", When.CREATED, [], [("add_note", "검토 필요: {{ reference }}")])
    ticket = new_ticket(email_channel)
    run_tasks()
    ids = list(
        Event.objects.filter(ticket=ticket, kind="ticket_created").values_list("pk", flat=True)
    )

    run_listener.enqueue("sangdam.automations.listeners.run_triggers", ids, 2)
    run_tasks()

    notes = Message.objects.filter(ticket=ticket, kind=MessageKind.NOTE)
    assert [n.text for n in notes] == [f"검토 필요: {ticket.reference}"]


def test_a_trigger_fires_at_most_five_times_a_day_on_one_ticket(email_channel, run_tasks):
    make_trigger("again", When.MESSAGE, [], [("add_note", "again")])
    ticket = new_ticket(email_channel)
    for i in range(MAX_FIRINGS_PER_DAY + 2):
        factories.customer_writes(
            email_channel,
            sender=("email", "minji@example.com"),
            ticket_reference=ticket.reference,
            text=f"message {i}",
        )
        run_tasks()

    assert TriggerRun.objects.filter(ticket=ticket).count() == MAX_FIRINGS_PER_DAY


def test_outside_business_hours_the_trigger_sends_a_templated_auto_reply(email_channel, run_tasks):
    Schedule.objects.create(name="closed", week={}, holiday_country="")
    make_macro(
        "closed now",
        ko="{{ customer_name }}님, 지금은 운영 시간이 아닙니다. 문의 번호 {{ reference }}",
    )
    make_trigger(
        "after hours",
        When.CREATED,
        [("business_hours", "is", "closed")],
        [("auto_reply", "closed now")],
    )

    ticket = new_ticket(email_channel, language="ko")
    run_tasks()

    replies = Message.objects.filter(
        ticket=ticket, direction=Direction.OUT, metadata__automatic=True
    )
    mine = [m for m in replies if "운영 시간이 아닙니다" in m.text]
    assert len(mine) == 1
    assert mine[0].channel == email_channel
    assert mine[0].text.endswith(ticket.reference)
    assert _fresh(ticket).first_responded_at is None  # an automatic answer is no response


def test_inside_business_hours_the_auto_reply_trigger_stays_quiet(email_channel, run_tasks):
    always = {str(d): [["00:00", "00:00"]] for d in range(7)}
    Schedule.objects.create(name="always", week=always, holiday_country="")
    make_macro("closed now")
    make_trigger(
        "after hours",
        When.CREATED,
        [("business_hours", "is", "closed")],
        [("auto_reply", "closed now")],
    )

    ticket = new_ticket(email_channel)
    run_tasks()

    assert not TriggerRun.objects.filter(ticket=ticket).exists()


def test_a_trigger_notifies_the_team_by_email(email_channel, run_tasks, mailoutbox):
    team = factories.make_team("Care")
    alex = factories.make_agent("Alex", language="en")
    team.members.add(alex)
    make_trigger(
        "vip",
        When.CREATED,
        [("subject", "contains", "urgent")],
        [("set_team", team.name), ("notify", "team")],
    )

    ticket = new_ticket(email_channel, subject="urgent: card charged twice")
    run_tasks()

    assert _fresh(ticket).team == team
    mails = [m for m in mailoutbox if alex.email in m.to]
    assert len(mails) == 1
    assert ticket.reference in mails[0].subject


def test_a_trigger_moving_a_ticket_to_a_team_lets_routing_assign_it(email_channel, run_tasks):
    from sangdam.accounts.models import Presence
    from sangdam.routing.models import Strategy, TeamRouting

    billing = factories.make_team("Billing")
    minho = factories.make_agent("Minho", presence=Presence.ONLINE)
    billing.members.add(minho)
    TeamRouting.objects.create(team=billing, strategy=Strategy.ROUND_ROBIN)
    make_trigger(
        "refunds", When.CREATED, [("text", "contains", "환불")], [("set_team", billing.name)]
    )

    ticket = new_ticket(email_channel)
    run_tasks()
    run_tasks()

    assert (_fresh(ticket).team, _fresh(ticket).assignee) == (billing, minho)
