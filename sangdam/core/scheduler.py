"""The periodic-job scheduler: it only enqueues tasks, and only the lease holder does.

Any number of processes may run the scheduler loop; the one holding the ``scheduler``
lease enqueues due jobs, the others wait to take over if it dies (the lease expires).
Cron expressions are parsed by cronsim.
"""

from __future__ import annotations

import datetime as dt
import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass

from cronsim import CronSim
from django.db import close_old_connections, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.module_loading import import_string

from sangdam.core.models import JobRun, Lease

log = logging.getLogger(__name__)

LEASE_NAME = "scheduler"
LEASE_SECONDS = 30
TICK_SECONDS = 5


@dataclass(frozen=True)
class Job:
    name: str
    cron: str
    task_path: str  # dotted path of a django_tasks Task


JOBS: list[Job] = [
    Job("close_solved_tickets", "*/15 * * * *", "sangdam.tickets.tasks.close_solved_tickets"),
    Job("prune_task_results", "17 3 * * *", "sangdam.tickets.tasks.prune_task_results"),
    Job("poll_mailboxes", "* * * * *", "sangdam.connectors.email.tasks.poll_mailboxes"),
    Job("sweep_routing", "* * * * *", "sangdam.routing.tasks.sweep_routing"),
    Job("detect_sla_breaches", "* * * * *", "sangdam.service.tasks.detect_sla_breaches"),
    Job("run_time_rules", "*/5 * * * *", "sangdam.automations.tasks.run_time_rules"),
    Job("prune_app_keys", "41 3 * * *", "sangdam.connectors.app.tasks.prune_idempotency_keys"),
]


def make_holder_id() -> str:
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


def acquire_lease(holder: str, *, name: str = LEASE_NAME, seconds: int = LEASE_SECONDS) -> bool:
    """Take or renew the lease; True when ``holder`` holds it afterwards."""
    now = timezone.now()
    expires = now + dt.timedelta(seconds=seconds)
    with transaction.atomic():
        Lease.objects.get_or_create(name=name, defaults={"holder": holder, "expires_at": expires})
        # One UPDATE decides: it matches only if we already hold it or it has expired.
        taken = (
            Lease.objects.filter(name=name)
            .filter(Q(holder=holder) | Q(expires_at__lt=now))
            .update(holder=holder, expires_at=expires)
        )
    return taken == 1


def release_lease(holder: str, *, name: str = LEASE_NAME) -> None:
    Lease.objects.filter(name=name, holder=holder).delete()


def enqueue_due_jobs(now: dt.datetime | None = None, jobs: list[Job] | None = None) -> list[str]:
    """Enqueue every job whose cron time has come since its last run; return their names."""
    now = now or timezone.now()
    enqueued = []
    for job in jobs if jobs is not None else JOBS:
        with transaction.atomic():
            run, created = JobRun.objects.select_for_update().get_or_create(
                name=job.name, defaults={"last_run_at": now}
            )
            if created:
                continue  # first sight: start counting from now
            due = next(CronSim(job.cron, run.last_run_at.astimezone(dt.UTC)))
            if due > now:
                continue
            import_string(job.task_path).enqueue()
            run.last_run_at = now
            run.save(update_fields=["last_run_at"])
            enqueued.append(job.name)
    return enqueued


def run_scheduler(
    stop: threading.Event | None = None,
    *,
    holder: str | None = None,
    on_tick: Callable[[], None] | None = None,
) -> None:
    """Loop until ``stop`` is set: hold the lease, enqueue due jobs."""
    stop = stop or threading.Event()
    holder = holder or make_holder_id()
    log.info("scheduler %s started", holder)
    try:
        while not stop.is_set():
            close_old_connections()
            try:
                if acquire_lease(holder):
                    names = enqueue_due_jobs()
                    if names:
                        log.info("scheduler enqueued %s", ", ".join(names))
            except Exception:
                log.exception("scheduler tick failed; retrying")
            if on_tick:
                on_tick()
            stop.wait(TICK_SECONDS)
    finally:
        release_lease(holder)
        close_old_connections()
        log.info("scheduler %s stopped", holder)
