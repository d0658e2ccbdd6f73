"""How long after a customer's last message a reply may still be sent on a channel.

Meta allows a page to answer within 24 hours of the customer's last message (the standard
messaging window), and a human agent up to 7 days with the ``HUMAN_AGENT`` tag; after that
nothing can be sent until the customer writes again. The connector enforces it before it
calls the provider (:func:`window_for`), and the ticket page shows it before the agent
types (:func:`window_for_ticket`), from the same rules.
"""

from __future__ import annotations

import dataclasses
import datetime as dt
from dataclasses import dataclass

from django.db.models import Max
from django.utils import timezone

from sangdam.connectors.models import Channel
from sangdam.connectors.registry import get_connector

OPEN = "open"  # within the standard window
TAGGED = "tagged"  # past it, within the human-agent window: sent with the tag
CLOSED = "closed"  # nothing can be sent until the customer writes again


@dataclass(frozen=True)
class ReplyWindow:
    state: str
    last_inbound_at: dt.datetime | None
    # When the current state ends: the standard window's end (OPEN), the extended one's
    # (TAGGED); None when CLOSED.
    until: dt.datetime | None
    standard: dt.timedelta
    extended: dt.timedelta | None
    channel_label: str = ""  # "Facebook Messenger", for the agent's eye
    ended_at: dt.datetime | None = None  # the provider ended the conversation (CLOSED)

    @property
    def can_send(self) -> bool:
        return self.state != CLOSED

    @property
    def standard_hours(self) -> int:
        return int(self.standard.total_seconds() // 3600)


def window_state(
    *,
    last_inbound_at: dt.datetime | None,
    standard: dt.timedelta,
    extended: dt.timedelta | None,
    now: dt.datetime,
) -> ReplyWindow:
    """Pure: the window at ``now`` given the customer's last message time."""
    if last_inbound_at is None:
        return ReplyWindow(CLOSED, None, None, standard, extended)
    if now <= last_inbound_at + standard:
        return ReplyWindow(OPEN, last_inbound_at, last_inbound_at + standard, standard, extended)
    if extended is not None and now <= last_inbound_at + extended:
        return ReplyWindow(TAGGED, last_inbound_at, last_inbound_at + extended, standard, extended)
    return ReplyWindow(CLOSED, last_inbound_at, None, standard, extended)


def last_inbound_at(*, channel_id: int, customer_id: int) -> dt.datetime | None:
    """When this customer last wrote on this channel (any of their tickets)."""
    from sangdam.tickets.models import Direction, Message

    value = Message.objects.filter(
        channel_id=channel_id, direction=Direction.IN, ticket__customer_id=customer_id
    ).aggregate(last=Max("created_at"))["last"]
    return value if isinstance(value, dt.datetime) else None


def window_for(
    channel: Channel,
    *,
    customer_id: int | None,
    now: dt.datetime | None = None,
    automatic: bool = False,
) -> ReplyWindow | None:
    """The reply window of ``channel`` for this customer; None when the channel has none.

    ``automatic``: for a message Sangdam sends by itself, which gets no extended window
    (Meta's HUMAN_AGENT tag is for people)."""
    connector = get_connector(channel.kind)
    limits = getattr(connector, "reply_window_limits", None)
    pair = limits(channel) if limits is not None else None
    if pair is None:
        return None
    standard, extended = pair
    if automatic:
        extended = None
    last = (
        last_inbound_at(channel_id=channel.pk, customer_id=customer_id)
        if customer_id is not None
        else None
    )
    window = window_state(
        last_inbound_at=last, standard=standard, extended=extended, now=now or timezone.now()
    )
    # A conversation the provider ended (KakaoTalk's 상담톡 session) takes no reply before
    # the customer writes again, however recent their last message.
    ended = getattr(connector, "conversation_ended_at", None)
    ended_at = ended(channel, customer_id) if ended is not None and customer_id else None
    if ended_at is not None and (last is None or ended_at >= last):
        window = ReplyWindow(CLOSED, last, None, standard, extended, ended_at=ended_at)
    return dataclasses.replace(window, channel_label=str(channel.get_kind_display()))


def window_for_reply(
    channel: Channel, *, message_id: int, automatic: bool = False
) -> ReplyWindow | None:
    """The window an outbound message falls in on ``channel``: its ticket's customer's
    (the lookup every connector with a window makes before sending)."""
    from sangdam.tickets.models import Message

    customer_id = (
        Message.objects.filter(pk=message_id).values_list("ticket__customer_id", flat=True).first()
    )
    return window_for(channel, customer_id=customer_id, automatic=automatic)


def window_for_ticket(ticket: object) -> ReplyWindow | None:
    """The window a reply on this ticket falls in (the channel the customer last wrote on)."""
    from sangdam.tickets.models import Direction, Message, Ticket

    assert isinstance(ticket, Ticket)
    last = (
        Message.objects.filter(ticket=ticket, direction=Direction.IN, channel__isnull=False)
        .select_related("channel")
        .order_by("-created_at", "-id")
        .first()
    )
    channel = last.channel if last is not None else ticket.channel
    if channel is None:
        return None
    return window_for(channel, customer_id=ticket.customer_id)
