"""What follows a new customer message that came through the webhook door.

Generic for every messenger: nothing here knows a provider. The answer goes out through
the actions layer and the delivery task like any reply, on the channel it came from.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import transaction
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from sangdam.connectors.intake import IntakeResult
from sangdam.service import promise
from sangdam.service.clocks import active_rules
from sangdam.service.hours import is_open, next_opening
from sangdam.service.selectors import hours_for_channel, schedule_book
from sangdam.tickets import actions
from sangdam.tickets.actor import Actor
from sangdam.tickets.models import Message, Ticket

OUTSIDE_HOURS = "outside_hours_until"
# Marks the in-hours answer that says when to expect a reply (once per ticket).
EXPECTED_REPLY = "expected_reply"
ACTOR = Actor("system:outside-hours")


def _has_work(result: IntakeResult) -> bool:
    """Whether :func:`answer_outside_hours` could answer this message (it checks again).

    Closed: it may. Open: only a ticket no agent answered yet, and only if some policy has
    a first-response target to promise. Most messages in opening hours thus cost no task.
    """
    hours = schedule_book().hours_for(channel_id=result.message.channel_id)
    if hours is None:
        return False
    if not is_open(hours, timezone.now()):
        return True
    promises = any(r.targets.first_response for r in active_rules())
    return promises and result.ticket.first_responded_at is None


def after_intake(result: IntakeResult) -> None:
    """Enqueue the follow-ups of a new inbound message."""
    if (result.message.metadata or {}).get("automatic"):
        return  # never answer a machine
    if _has_work(result):
        answer_outside_hours.enqueue(result.message.pk)


@task()
def answer_outside_hours(message_id: int) -> None:
    """Outside the channel's hours, tell the customer when we open again: once per
    conversation (ticket) per closed period, with the reply time we promise. In hours,
    when an SLA policy promises a first response, say so once per ticket ("We usually
    reply within 2 business hours. Today we are open until 18:00.")."""
    message = Message.objects.select_related("ticket", "channel").filter(pk=message_id).first()
    if message is None or message.channel is None:
        return
    hours = hours_for_channel(message.channel.pk)
    if hours is None:
        return
    now = timezone.now()
    if is_open(hours, now):
        _tell_expected_reply(message.ticket_id, now)
        return
    opening = next_opening(hours, now)
    period = opening.isoformat() if opening else "closed"
    with transaction.atomic():
        # Serialises two messages of one conversation arriving in the same closed period.
        ticket = Ticket.objects.select_for_update().get(pk=message.ticket_id)
        if ticket.messages.filter(**{f"metadata__{OUTSIDE_HOURS}": period}).exists():
            return
        with translation.override(ticket.language or settings.LANGUAGE_CODE):
            text = _text(opening, hours.zone)
            expected = promise.for_ticket(ticket, now=now, with_hours=False)
        if expected:
            text = f"{text} {expected}"
        actions.do_reply(
            ticket=ticket,
            actor=ACTOR,
            text=text,
            automatic=True,
            metadata={OUTSIDE_HOURS: period},
        )


def _tell_expected_reply(ticket_id: int, now: dt.datetime) -> None:
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().select_related("customer").get(pk=ticket_id)
        if ticket.first_responded_at is not None:
            return  # an agent already answered
        if ticket.messages.filter(**{f"metadata__{EXPECTED_REPLY}": True}).exists():
            return
        with translation.override(ticket.language or settings.LANGUAGE_CODE):
            if not promise.for_ticket(ticket, now=now, with_hours=False):
                return  # no first-response target: nothing to promise
            text = promise.for_ticket(ticket, now=now)
        actions.do_reply(
            ticket=ticket, actor=ACTOR, text=text, automatic=True, metadata={EXPECTED_REPLY: True}
        )


def _text(opening: dt.datetime | None, zone: dt.tzinfo) -> str:
    if opening is None:
        return _(
            "Thank you for your message. We are closed at the moment; we will answer you as soon as we can."
        )
    local = opening.astimezone(zone)
    when = formats.date_format(local, "DATETIME_FORMAT")
    return _(
        "Thank you for your message. We are closed now and open again on %(when)s; "
        "we will answer you then, right here."
    ) % {"when": when}
