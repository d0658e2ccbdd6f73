"""The ticket's timeline: its messages interleaved with what happened around them.

Messages come from :func:`ticket_messages`, changes (assigned, status, merged, delivery
failed, SLA breached, routing, automations) from the audit trail told as sentences by
:mod:`sangdam.console.activity`. One list in time order, so an agent reads "the customer
wrote, Minho took it, the reply failed, the SLA was breached" as it happened.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils.translation import gettext as _

from sangdam.console.activity import ActivityLine, actor_name, ticket_activity
from sangdam.service.models import SlaMetric
from sangdam.tickets.models import Event, Message, Ticket
from sangdam.tickets.selectors import ticket_messages

# Told here rather than by the activity list, which leaves deliveries to the messages.
ALARMS = ("delivery_failed", "sla_breached")


@dataclass(frozen=True)
class Entry:
    at: dt.datetime
    message: Message | None = None
    change: ActivityLine | None = None


def ticket_timeline(*, ticket: Ticket) -> list[Entry]:
    """Oldest first; at the same instant a message comes before the change it caused
    (a reply that also solves the ticket)."""
    entries = [Entry(at=m.created_at, message=m) for m in ticket_messages(ticket=ticket)]
    entries += [
        Entry(at=line.at, change=line)
        for line in ticket_activity(ticket_id=ticket.pk, limit=200)
        if line.kind not in ALARMS
    ]
    entries += [Entry(at=line.at, change=line) for line in _alarms(ticket)]
    entries.sort(key=lambda e: (e.at, e.message is None))
    return entries


def _alarms(ticket: Ticket) -> list[ActivityLine]:
    events = Event.objects.filter(ticket=ticket, kind__in=ALARMS).select_related("actor_user")
    lines = []
    for event in events:
        data = event.data or {}
        if event.kind == "sla_breached":
            metric = data.get("metric")
            label = SlaMetric(metric).label if metric in SlaMetric.values else metric
            text = _("SLA breached: %(metric)s") % {"metric": label}
        else:
            text = _("Delivery failed: %(error)s") % {"error": data.get("error") or "—"}
        lines.append(
            ActivityLine(at=event.created_at, who=actor_name(event), text=text, kind=event.kind)
        )
    return lines


def last_message_id(entries: list[Entry]) -> int:
    """The newest message the agent has in front of them (the reply form's ``last_seen``)."""
    return max((e.message.pk for e in entries if e.message is not None), default=0)
