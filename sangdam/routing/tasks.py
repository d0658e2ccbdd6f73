"""Routing's periodic job: lapsed offers go to the next agent, waiting tickets find one."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django_tasks import task

from sangdam.routing import engine
from sangdam.routing.models import Offer


def sweep(now: dt.datetime | None = None) -> dict[str, int]:
    """Offers past their timeout are taken back and offered to the next agent; unassigned
    tickets of automatic teams are routed again (an agent came online or has room now).
    Idempotent: a second run at the same instant finds nothing to do."""
    now = now or timezone.now()
    expired = 0
    due = Offer.objects.filter(state=Offer.State.PENDING, expires_at__lte=now).order_by(
        "expires_at"
    )
    for offer_id in list(due.values_list("pk", flat=True)[:200]):
        expired += engine.expire_offer(offer_id=offer_id, now=now)
    assigned = 0
    for ticket_id in engine.waiting_tickets():
        assigned += engine.route_ticket(ticket_id=ticket_id, explain_waiting=False) is not None
    return {"expired": expired, "assigned": assigned}


@task()
def sweep_routing() -> dict[str, int]:
    """Run by the scheduler every minute."""
    return sweep()
