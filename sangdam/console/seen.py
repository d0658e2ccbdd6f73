"""Unread and updated markers: when each agent last had each ticket open."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from sangdam.console.models import TicketSeen
from sangdam.tickets.listing import ListedTicket


def mark_seen(*, user_id: int, ticket_id: int) -> None:
    """One upsert per ticket page view (and per in-place change, which is a view too)."""
    TicketSeen.objects.update_or_create(
        user_id=user_id, ticket_id=ticket_id, defaults={"seen_at": timezone.now()}
    )


def markers(*, user_id: int, tickets: list[ListedTicket]) -> dict[int, str]:
    """``unread`` (never opened), ``updated`` (activity since last opened) or nothing,
    for one inbox page: one query on the (user, ticket) index."""
    seen: dict[int, dt.datetime] = dict(
        TicketSeen.objects.filter(
            user_id=user_id, ticket_id__in=[t.pk for t in tickets]
        ).values_list("ticket_id", "seen_at")
    )
    result = {}
    for ticket in tickets:
        at = seen.get(ticket.pk)
        if at is None:
            if ticket.is_open:  # an old solved ticket nobody opened is no news
                result[ticket.pk] = "unread"
        elif ticket.last_activity_at > at:
            result[ticket.pk] = "updated"
    return result
