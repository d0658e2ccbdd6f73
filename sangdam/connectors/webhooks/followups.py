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
from sangdam.service.hours import is_open, next_opening
from sangdam.service.selectors import hours_for_channel
from sangdam.tickets import actions
from sangdam.tickets.actor import Actor
from sangdam.tickets.models import Message, Ticket

OUTSIDE_HOURS = "outside_hours_until"
ACTOR = Actor("system:outside-hours")


def after_intake(result: IntakeResult) -> None:
    """Enqueue the follow-ups of a new inbound message."""
    if (result.message.metadata or {}).get("automatic"):
        return  # never answer a machine
    answer_outside_hours.enqueue(result.message.pk)


@task()
def answer_outside_hours(message_id: int) -> None:
    """Outside the channel's hours, tell the customer when we open again: once per
    conversation (ticket) per closed period."""
    message = Message.objects.select_related("ticket", "channel").filter(pk=message_id).first()
    if message is None or message.channel is None:
        return
    hours = hours_for_channel(message.channel.pk)
    if hours is None:
        return
    now = timezone.now()
    if is_open(hours, now):
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
        actions.do_reply(
            ticket=ticket,
            actor=ACTOR,
            text=text,
            automatic=True,
            metadata={OUTSIDE_HOURS: period},
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
