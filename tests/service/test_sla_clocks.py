"""SLA clocks with the real database: due times written by the listener from ticket events.

Times are pinned by the inquiries' own arrival times (a Friday evening, the eve of
Chuseok); the clocks count from those, not from the wall clock of the test run.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from zoneinfo import ZoneInfo

import pytest
from django.core import mail
from django.test import Client

from sangdam.accounts.models import Team, User
from sangdam.connectors.models import Channel
from sangdam.console.models import Notification
from sangdam.customers.models import Tier
from sangdam.service import clocks
from sangdam.service.due_writer import write_due
from sangdam.service.hours import add_business_minutes
from sangdam.service.models import Schedule, SlaBreach, SlaPolicy
from sangdam.tickets import actions
from sangdam.tickets.actor import Actor
from sangdam.tickets.models import Event, Ticket
from tests import factories

pytestmark = pytest.mark.django_db

SEOUL = ZoneInfo("Asia/Seoul")
FRIDAY_5PM = dt.datetime(2026, 11, 27, 17, 0, tzinfo=SEOUL)
MONDAY = dt.datetime(2026, 11, 30, 0, 0, tzinfo=SEOUL)


def seoul(day: dt.datetime, hour: int, minute: int = 0) -> dt.datetime:
    return day.replace(hour=hour, minute=minute)


@pytest.fixture
def office(db: None) -> Schedule:
    return Schedule.objects.create(
        name="Seoul office",
        week={str(d): [["09:00", "18:00"]] for d in range(5)},
        holiday_country="KR",
    )


@pytest.fixture
def policy(office: Schedule) -> SlaPolicy:
    return SlaPolicy.objects.create(
        name="Standard",
        position=10,
        first_response_minutes=120,
        next_response_minutes=240,
        resolution_minutes=3 * 9 * 60,
    )


def write(
    channel: Channel, when: dt.datetime, run_tasks: Callable[[], None], **kw: object
) -> Ticket:
    result = factories.customer_writes(channel, received_at=when, **kw)
    run_tasks()
    return Ticket.objects.get(pk=result.ticket.pk)


def test_a_friday_evening_inquiry_is_due_monday_morning(
    email_channel: Channel, policy: SlaPolicy, run_tasks: Callable[[], None]
) -> None:
    ticket = write(email_channel, FRIDAY_5PM, run_tasks)
    assert factories.due_times(ticket).first_response_due_at == seoul(MONDAY, 10)
    assert factories.due_times(ticket).next_response_due_at == seoul(MONDAY, 10)
    assert factories.due_times(ticket).resolution_due_at == seoul(MONDAY + dt.timedelta(days=2), 17)
    assert factories.due_times(ticket).sla_due_at == seoul(MONDAY, 10)


def test_an_inquiry_on_the_eve_of_chuseok_is_due_after_the_holidays(
    email_channel: Channel, policy: SlaPolicy, run_tasks: Callable[[], None]
) -> None:
    ticket = write(email_channel, dt.datetime(2026, 9, 23, 17, 0, tzinfo=SEOUL), run_tasks)
    assert factories.due_times(ticket).first_response_due_at == dt.datetime(
        2026, 9, 28, 10, 0, tzinfo=SEOUL
    )


def test_the_agents_reply_stops_the_first_response_clock_and_a_customer_reply_starts_the_next(
    email_channel: Channel,
    policy: SlaPolicy,
    office: Schedule,
    agent: User,
    run_tasks: Callable[[], None],
) -> None:
    ticket = write(email_channel, FRIDAY_5PM, run_tasks)
    actions.do_reply(ticket=ticket, actor=Actor.agent(agent), text="확인해 보겠습니다.")
    run_tasks()
    ticket.refresh_from_db()
    assert factories.due_times(ticket).first_response_due_at is None
    assert factories.due_times(ticket).next_response_due_at is None
    assert factories.due_times(ticket).resolution_due_at is not None

    # The agent answered just now (the real clock): the customer writes again after that.
    result = factories.customer_writes(
        email_channel, text="아직 환불이 안 됐어요.", ticket_reference=ticket.reference
    )
    run_tasks()
    ticket.refresh_from_db()
    expected = add_business_minutes(office.hours(), result.message.created_at, 240)
    assert factories.due_times(ticket).next_response_due_at == expected
    assert factories.due_times(ticket).first_response_due_at is None


def test_pending_pauses_the_clocks_and_a_customer_reply_resumes_them(
    email_channel: Channel, policy: SlaPolicy, agent: User, run_tasks: Callable[[], None]
) -> None:
    ticket = write(email_channel, FRIDAY_5PM, run_tasks)
    actions.do_change_status(ticket=ticket, actor=Actor.agent(agent), status="pending")
    run_tasks()
    clock = factories.due_times(ticket)
    assert (clock.next_response_due_at, clock.resolution_due_at, clock.sla_due_at) == (
        None,
        None,
        None,
    )
    actions.do_change_status(ticket=ticket, actor=Actor.agent(agent), status="open")
    run_tasks()
    resolution = factories.due_times(ticket).resolution_due_at
    assert resolution is not None and resolution >= seoul(MONDAY + dt.timedelta(days=2), 17)


def test_the_first_matching_policy_wins_by_priority_and_tier(
    email_channel: Channel, policy: SlaPolicy, run_tasks: Callable[[], None]
) -> None:
    SlaPolicy.objects.create(name="VIP", position=1, tiers=[Tier.VIP], first_response_minutes=30)
    vip = write(email_channel, FRIDAY_5PM, run_tasks, sender=("email", "vip@example.com"))
    vip.customer.tier = Tier.VIP
    vip.customer.save(update_fields=["tier"])
    regular = write(email_channel, FRIDAY_5PM, run_tasks, sender=("email", "someone@example.com"))
    clocks.recompute_open_tickets()
    vip.refresh_from_db()
    regular.refresh_from_db()
    assert factories.due_times(vip).first_response_due_at == seoul(FRIDAY_5PM, 17, 30)
    assert (
        factories.due_times(vip).resolution_due_at is None
    )  # the VIP policy sets no resolution target
    assert factories.due_times(regular).first_response_due_at == seoul(MONDAY, 10)


def test_a_schedule_change_moves_the_due_times_of_open_tickets(
    email_channel: Channel, policy: SlaPolicy, office: Schedule, run_tasks: Callable[[], None]
) -> None:
    ticket = write(email_channel, FRIDAY_5PM, run_tasks)
    office.week = {**office.week, "5": [["09:00", "18:00"]]}  # open on Saturdays now
    office.save()
    assert clocks.recompute_open_tickets() == 1
    ticket.refresh_from_db()
    assert factories.due_times(ticket).first_response_due_at == seoul(
        FRIDAY_5PM + dt.timedelta(days=1), 10
    )


@pytest.mark.django_db(transaction=True)
def test_a_recompute_run_by_the_worker_writes_every_batch(
    email_channel: Channel, policy: SlaPolicy, office: Schedule, run_tasks: Callable[[], None]
) -> None:
    # Outside a transaction (as in the task worker) the batches are written by a
    # background thread on its own connection: none may be lost or left half-written.
    tickets = [
        write(email_channel, FRIDAY_5PM, run_tasks, sender=("email", f"c{n}@example.com"))
        for n in range(5)
    ]
    office.week = {**office.week, "5": [["09:00", "18:00"]]}
    office.save()
    assert clocks.recompute_open_tickets(batch_size=2) == 5
    saturday_10am = seoul(FRIDAY_5PM + dt.timedelta(days=1), 10)
    assert [factories.due_times(t).first_response_due_at for t in tickets] == [saturday_10am] * 5


def assigned_with_lead(
    channel: Channel, agent: User, run_tasks: Callable[[], None]
) -> tuple[Ticket, User]:
    """A Friday-evening inquiry assigned to ``agent`` in a team led by someone else."""
    lead = factories.make_agent("Lead")
    team = Team.objects.create(name="Payments", lead=lead)
    ticket = write(channel, FRIDAY_5PM, run_tasks)
    actions.do_assign(ticket=ticket, actor=Actor("system"), assignee=agent, team=team)
    run_tasks()
    return ticket, lead


def test_a_missed_target_is_a_breach_once_with_a_notice_to_assignee_and_lead(
    email_channel: Channel, policy: SlaPolicy, agent: User, run_tasks: Callable[[], None]
) -> None:
    ticket, lead = assigned_with_lead(email_channel, agent, run_tasks)
    mail.outbox.clear()
    later = seoul(MONDAY, 10, 1)
    assert clocks.detect_breaches(now=later) == 1
    assert clocks.detect_breaches(now=later) == 0
    run_tasks()
    breach = SlaBreach.objects.get()
    assert breach.metric == "first_response"
    assert breach.wall_seconds == (later - FRIDAY_5PM).total_seconds()
    assert breach.business_seconds == pytest.approx(121 * 60)
    assert Event.objects.filter(ticket=ticket, kind="sla_breached").count() == 1
    assert sorted(m.to[0] for m in mail.outbox) == sorted([agent.email, lead.email])
    assert ticket.reference in mail.outbox[0].subject


def test_a_breach_shows_in_the_assignees_and_leads_console_notifications(
    email_channel: Channel, policy: SlaPolicy, agent: User, run_tasks: Callable[[], None]
) -> None:
    ticket, lead = assigned_with_lead(email_channel, agent, run_tasks)
    clocks.detect_breaches(now=seoul(MONDAY, 10, 1))
    run_tasks()
    for person in (agent, lead):
        (notice,) = Notification.objects.filter(user=person, kind="sla_breached")
        assert notice.ticket_id == ticket.pk and notice.read_at is None
        client = Client()
        client.force_login(person)
        assert "SLA 목표 초과" in client.get("/notifications/").content.decode()


def test_without_a_policy_nothing_is_due(
    email_channel: Channel, office: Schedule, run_tasks: Callable[[], None]
) -> None:
    ticket = write(email_channel, FRIDAY_5PM, run_tasks)
    assert factories.due_times(ticket).sla_due_at is None


def test_a_recompute_does_not_overwrite_a_clock_the_listener_moved_after_it_read(
    email_channel: Channel, policy: SlaPolicy, run_tasks: Callable[[], None]
) -> None:
    ticket = write(email_channel, FRIDAY_5PM, run_tasks)
    clock = factories.due_times(ticket)
    assert clock.last_event_id > 0 and clock.sla_due_at is not None
    # What a recompute computed from the clock as it stood one event earlier.
    write_due([(ticket.pk, None, clock.last_event_id - 1, None, None, None, None)])
    assert factories.due_times(ticket).sla_due_at == clock.sla_due_at
    write_due([(ticket.pk, None, clock.last_event_id, None, None, None, None)])
    assert factories.due_times(ticket).sla_due_at is None
