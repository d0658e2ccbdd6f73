"""Background work of the service levels: recomputing due times, detecting breaches."""

from __future__ import annotations

import logging

from django_tasks import task

from sangdam.service import clocks

log = logging.getLogger(__name__)


@task()
def recompute_due_times() -> None:
    """After a schedule or policy change: every open ticket's due times, set-wise."""
    changed = clocks.recompute_open_tickets()
    log.info("SLA recompute: %s tickets' due times moved", changed)


@task()
def detect_sla_breaches() -> None:
    """Run by the scheduler every minute: missed targets become breach rows and events."""
    found = clocks.detect_breaches()
    if found:
        log.info("SLA: %s new breaches", found)
