"""Callback requests: a customer asks to be called back within a window of opening hours.

A request is an inbound message on the phone channel's "call back" conversation of that
number (``callback:<E164>``, the one missed calls join), carrying its window; the console's
call back queue lists open call back tickets by the time promised (missed calls: as soon as
possible, from when they came in).
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sangdam.connectors import intake
from sangdam.connectors.base import InboundMessage, SenderIdentity
from sangdam.connectors.models import Channel
from sangdam.customers.actions import normalize_identity
from sangdam.service.hours import WeeklyHours, closes_at, is_open
from sangdam.tickets.errors import DomainError
from sangdam.tickets.models import Ticket

REQUEST = "callback_request"


def check_window(
    hours: WeeklyHours | None, start: dt.datetime, end: dt.datetime, now: dt.datetime
) -> None:
    """Raise :class:`DomainError` unless [start, end] lies in one opening span, in the future."""
    if start.tzinfo is None or end.tzinfo is None:
        raise DomainError(_("Give the times with their UTC offset."), code="bad_window")
    if end <= start:
        raise DomainError(_("The window must end after it starts."), code="bad_window")
    if start < now:
        raise DomainError(_("The window must be in the future."), code="bad_window")
    if hours is None:
        return
    closing = closes_at(hours, start) if is_open(hours, start) else None
    if closing is None or end > closing:
        raise DomainError(_("Please choose a time within our opening hours."), code="outside_hours")


def request_callback(
    *,
    channel: Channel,
    hours: WeeklyHours | None,
    number: str,
    name: str,
    start: dt.datetime,
    end: dt.datetime,
    language: str,
    source: str,
    also: tuple[SenderIdentity, ...] = (),
) -> Ticket:
    """Take a customer's request to be called back between ``start`` and ``end``.

    ``also``: how the requester is known elsewhere (the app's user), so the request lands
    with the customer who asked and not only with the number."""
    number = normalize_identity("phone", number)
    if not number.startswith("+"):
        raise DomainError(_("Please give a phone number we can call."), code="bad_number")
    check_window(hours, start, end, timezone.now())
    zone = hours.zone if hours else dt.UTC
    with translation.override(language or "ko"):
        text = _("Please call me back between %(start)s and %(end)s.") % {
            "start": start.astimezone(zone).strftime("%Y-%m-%d %H:%M"),
            "end": end.astimezone(zone).strftime("%H:%M"),
        }
        subject = _("Call back %(number)s") % {"number": number}
    window = {"start": start.isoformat(), "end": end.isoformat(), "source": source}
    result = intake.receive(
        InboundMessage(
            channel_id=channel.pk,
            external_id=f"callback-request:{uuid.uuid4().hex}",
            identities=(SenderIdentity("phone", number), *also),
            sender_name=name,
            subject=subject,
            text=text,
            thread_key=f"callback:{number}",
            language=language,
            metadata={REQUEST: window},
            message_metadata={REQUEST: window},
        )
    )
    return result.ticket


@dataclass(frozen=True)
class QueuedCallback:
    ticket: Ticket
    number: str
    promised: dt.datetime  # the window's start, or when the missed call came in
    until: dt.datetime | None  # the window's end (None: as soon as possible)


def callback_queue(*, limit: int = 100) -> list[QueuedCallback]:
    """Open call back tickets, the earliest promise first."""
    tickets = (
        Ticket.objects.filter(thread_key__startswith="callback:", merged_into__isnull=True)
        .exclude(status__in=("solved", "closed"))
        .select_related("customer")
        .prefetch_related("messages")[:limit]
    )
    queued = []
    for ticket in tickets:
        windows = [
            m.metadata[REQUEST]
            for m in ticket.messages.all()
            if isinstance(m.metadata, dict) and isinstance(m.metadata.get(REQUEST), dict)
        ]
        if windows:
            first = min(windows, key=lambda w: w["start"])
            promised = dt.datetime.fromisoformat(first["start"])
            until: dt.datetime | None = dt.datetime.fromisoformat(first["end"])
        else:
            promised, until = ticket.created_at, None
        queued.append(
            QueuedCallback(
                ticket=ticket,
                number=ticket.thread_key.removeprefix("callback:"),
                promised=promised,
                until=until,
            )
        )
    return sorted(queued, key=lambda q: q.promised)
