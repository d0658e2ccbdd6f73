"""Task workers hold a lease while they live; tasks of a worker that died run again.

django-tasks-db marks a task RUNNING when a worker claims it and leaves it so if that
worker is killed (SIGKILL, a power cut, the OOM killer): nothing ever runs it again, and
a reply whose delivery was cut off would stay "queued" for good. So every worker keeps a
lease (``worker:<id>`` in :class:`~sangdam.core.models.Lease`) renewed by a heartbeat
thread, and each heartbeat also hands back to the queue the RUNNING tasks whose worker's
lease has run out. A task may thus run more than once (at least once, never never): the
tasks check their own state first (``deliver_message`` sends only a message still
queued). A task that took down its worker ``MAX_CLAIMS`` times is failed instead, so one
poisonous task cannot crash workers forever.
"""

from __future__ import annotations

import datetime as dt
import logging
import threading

from django.db import DatabaseError, close_old_connections
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from sangdam.core.env import env_int
from sangdam.core.models import Lease
from sangdam.core.scheduler import acquire_lease, release_lease

log = logging.getLogger(__name__)

PREFIX = "worker:"
# A worker silent this long is taken for dead; it renews three times per period.
LEASE_SECONDS = env_int("TASK_WORKER_LEASE_SECONDS", 30)
MAX_CLAIMS = 5


def lease_name(worker_id: str) -> str:
    return f"{PREFIX}{worker_id}"[:64]


def requeue_orphaned_tasks(now: dt.datetime | None = None, *, own: str = "") -> int:
    """Put RUNNING tasks whose worker's lease ran out back in the queue; how many.

    ``own`` is the calling worker, alive by definition even if its lease lapsed (a
    heartbeat starved of CPU or kept waiting for SQLite's lock): its tasks stay.

    Safe from any number of processes at once: each row changes only while it is still
    RUNNING under the same worker list, so a task is handed back once.
    """
    now = now or timezone.now()
    alive = set(
        Lease.objects.filter(name__startswith=PREFIX, expires_at__gte=now).values_list(
            "name", flat=True
        )
    )
    requeued = 0
    for task in DBTaskResult.objects.running().only("id", "worker_ids", "task_path"):
        workers = list(task.worker_ids or [])
        if workers and (workers[-1] == own or lease_name(str(workers[-1])) in alive):
            continue
        still = DBTaskResult.objects.filter(
            pk=task.pk, status=TaskResultStatus.RUNNING, worker_ids=workers
        )
        if len(workers) >= MAX_CLAIMS:
            changed = still.update(
                status=TaskResultStatus.FAILED,
                finished_at=now,
                exception_class_path="sangdam.core.workers.WorkerDied",
                traceback=f"Its worker died {len(workers)} times while running it.",
            )
            if changed:
                log.error(
                    "task %s (%s) failed: it killed its worker each time", task.pk, task.task_path
                )
            continue
        if still.update(status=TaskResultStatus.READY):
            requeued += 1
            log.warning(
                "task %s (%s) was running on worker %s, which is gone: queued again",
                task.pk,
                task.task_path,
                workers[-1] if workers else "?",
            )
    Lease.objects.filter(name__startswith=PREFIX, expires_at__lt=now).delete()
    return requeued


class Heartbeat:
    """Renews one worker's lease and recovers dead workers' tasks, on a thread of its own."""

    def __init__(self, worker_id: str, *, seconds: int | None = None) -> None:
        self.worker_id = worker_id
        self.seconds = seconds or LEASE_SECONDS
        self.stop_event = threading.Event()
        self.ready = threading.Event()
        self.thread = threading.Thread(target=self._run, name="sangdam-heartbeat", daemon=True)

    def beat(self, *, recover: bool = True) -> None:
        acquire_lease(self.worker_id, name=lease_name(self.worker_id), seconds=self.seconds)
        if recover:
            requeue_orphaned_tasks(own=self.worker_id)

    def start(self) -> None:
        """Beat at once and then every third of the lease, on the heartbeat's own thread.

        The worker waits for the first beat (:meth:`wait_ready`) before it claims a task,
        so a task it runs is never taken for orphaned. (A thread, also because the
        embedded server starts its services from inside the event loop.)
        """
        self.thread.start()

    def wait_ready(self, timeout: float = 30) -> None:
        self.ready.wait(timeout)

    def _run(self) -> None:
        beats = 0
        while True:
            try:
                # The look for orphans (no index serves RUNNING rows) once per lease period.
                self.beat(recover=beats % 3 == 0)
                beats += 1
            except DatabaseError:
                log.warning("worker heartbeat: database unavailable", exc_info=True)
            finally:
                close_old_connections()
                self.ready.set()
            if self.stop_event.wait(self.seconds / 3):
                return

    def stop(self) -> None:
        self.stop_event.set()
        self.thread.join(10)
        try:
            release_lease(self.worker_id, name=lease_name(self.worker_id))
        except DatabaseError:
            pass
        finally:
            close_old_connections()
