"""The task worker claims the most urgent ready task, once, and records how it ended."""

from __future__ import annotations

import datetime as dt
import os
import threading
import time

import pytest
from django.db import connections, transaction
from django.utils import timezone
from django_tasks import task
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from sangdam.core import inflight, taskloop, wakeup
from sangdam.core.runtime import make_worker
from tests.processes import at_once

pytestmark = pytest.mark.django_db

RAN: list[str] = []


@task()
def remember(name: str) -> dict[str, str]:
    RAN.append(name)
    return {"ran": name}


@task()
def break_down() -> None:
    raise ConnectionError("the mail server hung up")


@task(queue_name="delivery")
def deliver_only(name: str) -> None:
    RAN.append(name)


@pytest.fixture(autouse=True)
def _forget(monkeypatch: pytest.MonkeyPatch) -> None:
    RAN.clear()
    # As the run_tasks fixture: closing the connection would end the test's transaction.
    monkeypatch.setattr(taskloop, "close_old_connections", lambda: None)


def test_the_most_urgent_ready_task_runs_first_and_a_later_one_waits() -> None:
    remember.enqueue("routine")
    remember.using(priority=10).enqueue("urgent")
    later = remember.using(run_after=timezone.now() + dt.timedelta(hours=1)).enqueue("later")

    make_worker(batch=True, interval=0).run()

    assert RAN == ["urgent", "routine"]
    assert DBTaskResult.objects.get(pk=later.id).status == TaskResultStatus.READY


def test_a_finished_task_keeps_its_worker_its_times_and_its_answer() -> None:
    queued = remember.enqueue("one")
    worker = make_worker(batch=True, interval=0)

    worker.run()

    done = DBTaskResult.objects.get(pk=queued.id)
    assert done.status == TaskResultStatus.SUCCESSFUL
    assert done.worker_ids == [worker.worker_id]
    assert done.return_value == {"ran": "one"}
    assert done.started_at is not None and done.finished_at is not None
    assert done.started_at <= done.finished_at


def test_a_failing_task_is_recorded_failed_with_its_error() -> None:
    queued = break_down.enqueue()

    make_worker(batch=True, interval=0).run()

    failed = DBTaskResult.objects.get(pk=queued.id)
    assert failed.status == TaskResultStatus.FAILED
    assert failed.exception_class_path == "builtins.ConnectionError"
    assert "hung up" in failed.traceback


def test_a_worker_of_one_queue_leaves_the_others_tasks() -> None:
    deliver_only.enqueue("delivery")
    other = remember.enqueue("default")

    make_worker(batch=True, interval=0, queues=["delivery"]).run()

    assert RAN == ["delivery"]
    assert DBTaskResult.objects.get(pk=other.id).status == TaskResultStatus.READY


def _claim_all(worker_id: str) -> list[str]:
    worker = make_worker(batch=True, interval=0)
    worker.worker_id = worker_id
    claimed = []
    while (result := worker.claim()) is not None:
        claimed.append(str(result.pk))
    return claimed


@pytest.mark.django_db(transaction=True)
def test_workers_claiming_at_once_never_take_the_same_task() -> None:
    queued = {str(remember.enqueue(f"n{n}").id).replace("-", "") for n in range(60)}

    claims = at_once(_claim_all, [(f"worker-{n}",) for n in range(3)])

    taken = [pk.replace("-", "") for claim in claims for pk in claim]
    assert sorted(taken) == sorted(queued)
    assert all(len(r.worker_ids) == 1 for r in DBTaskResult.objects.all())


@task()
def tally(name: str) -> None:
    RAN.append(name)


def _tally_together(calls: list[list[object]]) -> None:
    RAN.append("together:" + ",".join(str(args[0]) for args in calls))
    if "bad" in RAN[-1]:
        raise ConnectionError("the search server is down")


@pytest.fixture
def tally_together(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setitem(taskloop._TOGETHER, tally.module_path, _tally_together)


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("tally_together")
def test_tasks_waiting_in_a_backlog_run_together_and_are_all_recorded_done() -> None:
    queued = [tally.enqueue(f"n{n}") for n in range(4)]

    make_worker(batch=True, interval=0).run()

    # The first runs as it comes; those waiting behind the second run with it.
    assert RAN == ["n0", "together:n1,n2,n3"]
    statuses = DBTaskResult.objects.filter(pk__in=[q.id for q in queued]).values_list(
        "status", flat=True
    )
    assert set(statuses) == {TaskResultStatus.SUCCESSFUL}


@pytest.mark.django_db(transaction=True)
@pytest.mark.usefixtures("tally_together")
def test_tasks_that_fail_together_each_run_alone() -> None:
    for name in ("n0", "n1", "bad", "n3"):
        tally.enqueue(name)

    make_worker(batch=True, interval=0).run()

    assert RAN == ["n0", "together:n1,bad,n3", "n1", "bad", "n3"]
    assert set(DBTaskResult.objects.values_list("status", flat=True)) == {
        TaskResultStatus.SUCCESSFUL
    }


def test_what_enqueue_answers_is_what_reading_the_task_back_gives() -> None:
    when = timezone.now() + dt.timedelta(minutes=5)
    queued = remember.using(priority=7, run_after=when).enqueue("later")

    stored = remember.get_result(queued.id)

    for name in ("id", "status", "args", "kwargs", "backend", "enqueued_at", "worker_ids"):
        assert getattr(queued, name) == getattr(stored, name), name
    assert (queued.task.priority, queued.task.run_after) == (7, when)
    assert (stored.task.priority, stored.task.run_after) == (7, when)
    assert queued.task.module_path == stored.task.module_path


def test_while_the_web_answers_a_request_the_embedded_worker_waits_then_runs_anyway() -> None:
    remember.enqueue("first")
    remember.enqueue("second")
    worker = make_worker(batch=True, interval=0, give_way=0.2)

    began = time.monotonic()
    with inflight.serving():  # a request that does not end while the worker runs
        worker.run()

    assert RAN == ["first", "second"]
    assert time.monotonic() - began >= 0.4  # each claim waited its give-way time


def test_with_no_request_in_flight_the_embedded_worker_does_not_wait() -> None:
    remember.enqueue("now")
    worker = make_worker(batch=True, interval=0, give_way=30)

    began = time.monotonic()
    worker.run()

    assert RAN == ["now"]
    assert time.monotonic() - began < 30


@task(priority=wakeup.URGENT_PRIORITY)
def urgent(name: str) -> None:
    RAN.append(name)


@pytest.mark.django_db(transaction=True)
def test_an_urgent_task_wakes_the_idle_worker_of_its_process_at_once() -> None:
    worker = make_worker(interval=60)  # would look again only after a minute

    def work() -> None:
        try:
            worker.run()
        finally:
            connections.close_all()  # the thread's own connection, or the test database stays in use

    thread = threading.Thread(target=work, daemon=True)
    thread.start()
    time.sleep(0.2)  # it looked, found nothing, and waits

    urgent.enqueue("reply")
    deadline = time.monotonic() + 20
    while RAN != ["reply"] and time.monotonic() < deadline:
        time.sleep(0.02)
    worker.running = False
    wakeup.urgent_committed()
    thread.join(5)

    assert RAN == ["reply"]
    assert not thread.is_alive()


@task(priority=wakeup.RUN_HERE_PRIORITY)
def push(name: str) -> None:
    RAN.append(f"{name} on {threading.current_thread().name}")


@pytest.mark.django_db(transaction=True)
def test_a_busy_embedded_worker_leaves_a_run_here_task_to_the_thread_that_commits_it() -> None:
    worker = make_worker()  # not waiting for work: busy
    taskloop.set_local_worker(worker)
    try:
        with transaction.atomic():
            queued = push.enqueue("answer")
            assert RAN == []  # not before the commit
        assert list(RAN) == [f"answer on {threading.current_thread().name}"]
    finally:
        taskloop.set_local_worker(None)
    row = DBTaskResult.objects.get(pk=queued.id)
    assert row.status == TaskResultStatus.SUCCESSFUL
    assert row.worker_ids == [worker.worker_id]  # its claim, under the worker's lease


@pytest.mark.django_db(transaction=True)
def test_an_idle_embedded_worker_is_woken_for_a_run_here_task_instead() -> None:
    worker = make_worker(batch=True, interval=0)
    worker.idle = True  # waiting for work: it claims the task as soon as it is woken
    taskloop.set_local_worker(worker)
    try:
        queued = push.enqueue("answer")
    finally:
        taskloop.set_local_worker(None)
    assert RAN == []
    assert DBTaskResult.objects.get(pk=queued.id).status == TaskResultStatus.READY


def test_a_task_the_worker_has_claimed_already_is_not_run_again_here() -> None:
    queued = remember.using(priority=wakeup.RUN_HERE_PRIORITY).enqueue("once")
    worker = make_worker()
    claimed = worker.claim()

    assert claimed is not None and str(claimed.pk) == str(queued.id)
    assert worker.run_here(queued.id) is False
    assert RAN == []


def test_a_worker_in_another_process_hears_an_urgent_commit_through_redis(settings) -> None:
    settings.REDIS_URL = os.environ.get("SANGDAM_TEST_REDIS", "redis://127.0.0.1:6379") + "/11"
    waiter = wakeup.Waiter()
    waiter.wait(0.05)  # subscribed, idle
    woke = threading.Event()

    def idle() -> None:
        waiter.wait(60)
        woke.set()

    thread = threading.Thread(target=idle, daemon=True)
    thread.start()
    wakeup.publish(settings.REDIS_URL)  # what a web process does at commit: no local event

    assert woke.wait(20)
    waiter.close()


def test_a_task_not_due_yet_is_not_run_here_before_its_time() -> None:
    later = remember.using(
        priority=wakeup.RUN_HERE_PRIORITY, run_after=timezone.now() + dt.timedelta(hours=1)
    ).enqueue("later")

    assert make_worker().run_here(later.id) is False
    assert RAN == []
    assert DBTaskResult.objects.get(pk=later.id).status == TaskResultStatus.READY
