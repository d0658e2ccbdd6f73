"""The ticket's timeline: its messages interleaved with what happened around them.

Messages come from :func:`ticket_messages`, changes (assigned, status, merged, delivery
failed, SLA breached, routing, automations) from the audit trail told as sentences by
:mod:`sangdam.console.activity`. One list in time order, so an agent reads "the customer
wrote, Minho took it, the reply failed, the SLA was breached" as it happened.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sangdam.console.activity import ActivityLine, ticket_activity
from sangdam.tickets.models import Message, Ticket
from sangdam.tickets.selectors import ticket_messages


@dataclass(frozen=True)
class Entry:
    at: dt.datetime
    message: Message | None = None
    change: ActivityLine | None = None


def ticket_timeline(*, ticket: Ticket) -> list[Entry]:
    """Oldest first; at the same instant a message comes before the change it caused
    (a reply that also solves the ticket)."""
    entries = [Entry(at=m.created_at, message=m) for m in ticket_messages(ticket=ticket)]
    entries += [Entry(at=line.at, change=line) for line in ticket_activity(ticket_id=ticket.pk)]
    entries.sort(key=lambda e: (e.at, e.message is None))
    return entries


def last_message_id(entries: list[Entry]) -> int:
    """The newest message the agent has in front of them (the reply form's ``last_seen``)."""
    return max((e.message.pk for e in entries if e.message is not None), default=0)
