"""A task whose worker died (killed mid-task) runs again; a live worker's task is left alone."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from sangdam.core.models import Lease
from sangdam.core.workers import MAX_CLAIMS, Heartbeat, lease_name, requeue_orphaned_tasks
from sangdam.tickets import actions
from sangdam.tickets.actor import Actor
from tests import factories
from tests.factories import customer_writes

pytestmark = pytest.mark.django_db


def _claimed_reply(agent, *workers: str) -> DBTaskResult:
    """A reply whose delivery task was claimed by ``workers`` (the last one still 'running')."""
    ticket = customer_writes(factories.make_channel("email")).ticket
    reply = actions.do_reply(ticket=ticket, actor=Actor.agent(agent), text="확인했습니다.")
    task = DBTaskResult.objects.get(task_path__endswith="deliver_message", status="READY")
    assert task.args_kwargs["args"] == [reply.pk]
    for worker in workers:
        task.claim(worker)
    return task


def test_a_task_of_a_killed_worker_is_queued_again(agent):
    task = _claimed_reply(agent, "worker-killed")

    assert requeue_orphaned_tasks() == 1

    task.refresh_from_db()
    assert task.status == TaskResultStatus.READY
    assert DBTaskResult.objects.ready().filter(pk=task.pk).exists()


def test_a_task_whose_worker_still_holds_its_lease_keeps_running(agent):
    task = _claimed_reply(agent, "worker-alive")
    Heartbeat("worker-alive", seconds=60).beat()

    assert requeue_orphaned_tasks() == 0

    task.refresh_from_db()
    assert task.status == TaskResultStatus.RUNNING


def test_a_task_runs_again_once_its_workers_lease_has_run_out(agent):
    task = _claimed_reply(agent, "worker-silent")
    Lease.objects.create(
        name=lease_name("worker-silent"),
        holder="worker-silent",
        expires_at=timezone.now() + dt.timedelta(seconds=30),
    )

    assert requeue_orphaned_tasks() == 0
    assert requeue_orphaned_tasks(now=timezone.now() + dt.timedelta(seconds=31)) == 1

    task.refresh_from_db()
    assert task.status == TaskResultStatus.READY
    assert not Lease.objects.filter(name=lease_name("worker-silent")).exists()


def test_a_task_that_killed_its_worker_again_and_again_fails_with_the_reason(agent):
    task = _claimed_reply(agent, *[f"worker-{i}" for i in range(MAX_CLAIMS)])

    assert requeue_orphaned_tasks() == 0

    task.refresh_from_db()
    assert task.status == TaskResultStatus.FAILED
    assert "died 5 times" in task.traceback


def test_a_worker_whose_own_lease_lapsed_keeps_its_running_task(agent):
    # Its heartbeat was starved of CPU (or kept waiting for SQLite's lock): still alive.
    task = _claimed_reply(agent, "worker-slow")

    assert requeue_orphaned_tasks(own="worker-slow") == 0

    task.refresh_from_db()
    assert task.status == TaskResultStatus.RUNNING


def test_an_idle_worker_looks_for_tasks_every_task_poll_seconds(settings):
    from sangdam.core.runtime import make_worker

    settings.TASK_POLL_SECONDS = 0.05

    assert make_worker().interval == 0.05
    assert make_worker(interval=2).interval == 2  # `sangdam worker --interval 2`
