"""Periodic background work of the ticket domain, run by ``sangdam worker``.

Delivery of replies is glue between the domain and the connectors: it lives in
:mod:`sangdam.connectors.delivery`.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.conf import settings
from django.utils import timezone
from django_tasks import task

from sangdam.tickets import actions

log = logging.getLogger(__name__)


@task()
def close_solved_tickets() -> int:
    """Close tickets solved longer ago than the reopen window; a later reply opens a new one."""
    from sangdam.tickets.actor import SYSTEM
    from sangdam.tickets.models import Status, Ticket

    cutoff = timezone.now() - dt.timedelta(days=settings.REOPEN_WINDOW_DAYS)
    closed = 0
    for ticket in Ticket.objects.filter(status=Status.SOLVED, solved_at__lt=cutoff)[:500]:
        actions.do_change_status(ticket=ticket, actor=SYSTEM, status=Status.CLOSED)
        closed += 1
    return closed


@task()
def prune_task_results() -> int:
    """Delete finished task rows older than a week, so the queue table stays small."""
    from django_tasks_db.models import DBTaskResult

    cutoff = timezone.now() - dt.timedelta(days=7)
    deleted, _ = DBTaskResult.objects.finished().filter(finished_at__lt=cutoff).delete()
    return deleted
