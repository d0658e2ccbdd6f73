"""The periodic-job scheduler: one lease holder at a time, each job enqueued once per slot."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from sangdam.core.scheduler import Job, acquire_lease, enqueue_due_jobs, release_lease
from sangdam.tickets import actions
from sangdam.tickets.actor import SYSTEM
from sangdam.tickets.models import Event, Status, Ticket
from sangdam.tickets.tasks import close_solved_tickets
from tests.factories import customer_writes
from tests.processes import at_once, take_lease

pytestmark = pytest.mark.django_db

EVERY_15_MINUTES = Job("close_solved", "*/15 * * * *", "sangdam.tickets.tasks.close_solved_tickets")


def _enqueued(task_path: str = EVERY_15_MINUTES.task_path) -> int:
    return DBTaskResult.objects.filter(task_path=task_path).count()


def test_only_one_scheduler_holds_the_lease():
    assert acquire_lease("scheduler-a")
    assert not acquire_lease("scheduler-b")
    assert acquire_lease("scheduler-a")  # the holder renews it


def test_another_scheduler_takes_over_when_the_lease_runs_out():
    assert acquire_lease("scheduler-a", seconds=1)
    assert not acquire_lease("scheduler-b", seconds=1)

    time.sleep(1.1)

    assert acquire_lease("scheduler-b")
    assert not acquire_lease("scheduler-a")


def test_a_released_lease_can_be_taken_at_once():
    assert acquire_lease("scheduler-a")

    release_lease("scheduler-a")

    assert acquire_lease("scheduler-b")


def test_a_job_is_not_run_the_first_time_the_scheduler_sees_it():
    now = dt.datetime(2026, 3, 2, 9, 7, tzinfo=dt.UTC)

    assert enqueue_due_jobs(now, [EVERY_15_MINUTES]) == []
    assert _enqueued() == 0


def test_a_job_is_enqueued_once_its_cron_time_has_passed():
    start = dt.datetime(2026, 3, 2, 9, 7, tzinfo=dt.UTC)
    enqueue_due_jobs(start, [EVERY_15_MINUTES])

    before = enqueue_due_jobs(start + dt.timedelta(minutes=7), [EVERY_15_MINUTES])  # 09:14
    after = enqueue_due_jobs(start + dt.timedelta(minutes=8), [EVERY_15_MINUTES])  # 09:15

    assert before == []
    assert after == ["close_solved"]
    assert _enqueued() == 1


def test_a_job_is_not_enqueued_twice_for_one_slot():
    start = dt.datetime(2026, 3, 2, 9, 7, tzinfo=dt.UTC)
    enqueue_due_jobs(start, [EVERY_15_MINUTES])
    due = start + dt.timedelta(minutes=9)

    enqueue_due_jobs(due, [EVERY_15_MINUTES])
    enqueue_due_jobs(due, [EVERY_15_MINUTES])
    enqueue_due_jobs(due + dt.timedelta(minutes=1), [EVERY_15_MINUTES])

    assert _enqueued() == 1


def test_a_scheduler_that_was_down_catches_up_once():
    start = dt.datetime(2026, 3, 2, 9, 7, tzinfo=dt.UTC)
    enqueue_due_jobs(start, [EVERY_15_MINUTES])

    enqueue_due_jobs(start + dt.timedelta(days=2), [EVERY_15_MINUTES])

    assert _enqueued() == 1


def _solved_days_ago(email_channel, days: float) -> Ticket:
    ticket = customer_writes(email_channel).ticket
    actions.do_change_status(ticket=ticket, actor=SYSTEM, status=Status.SOLVED)
    # Test set-up only: move the solve into the past (no clock library in the project).
    Ticket.objects.filter(pk=ticket.pk).update(solved_at=timezone.now() - dt.timedelta(days=days))
    return ticket


def test_tickets_solved_over_a_week_ago_are_closed(email_channel):
    old = _solved_days_ago(email_channel, 8)
    recent = _solved_days_ago(email_channel, 6)

    closed = close_solved_tickets.call()

    assert closed == 1
    assert Ticket.objects.get(pk=old.pk).status == Status.CLOSED
    assert Ticket.objects.get(pk=recent.pk).status == Status.SOLVED


def test_closing_a_solved_ticket_is_audited_as_the_system(email_channel):
    old = _solved_days_ago(email_channel, 8)

    close_solved_tickets.call()

    event = Event.objects.filter(ticket=old, kind="status_changed").last()
    assert event is not None
    assert (event.actor_label, event.actor_user) == ("system", None)
    assert event.data == {"old": "solved", "new": "closed"}


def test_a_reply_after_the_automatic_close_opens_a_follow_up(email_channel):
    old = _solved_days_ago(email_channel, 8)
    close_solved_tickets.call()

    reply = customer_writes(email_channel, ticket_reference=old.reference)

    assert reply.created_ticket
    assert reply.ticket.links_out.get().to_ticket_id == old.pk


@pytest.mark.django_db(transaction=True)
def test_four_schedulers_starting_together_elect_one_holder():
    holders = at_once(take_lease, [(f"scheduler-{n}",) for n in range(4)])

    assert sorted(holders) == [False, False, False, True]
