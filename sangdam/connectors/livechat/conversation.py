"""What the chat socket and page do with the database, synchronous and in one place.

A visitor's messages enter only through :func:`sangdam.connectors.intake.receive`; their
external id is ``<visitor>:<client id>``, so a message the widget sends again after a
dropped connection hits the intake's unique (channel, external id) index and is answered
with the stored message instead of being stored twice.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.utils import timezone

from sangdam.accounts.avatars import colour, initials
from sangdam.accounts.models import Presence, Role, User
from sangdam.connectors.base import InboundAttachment, InboundMessage, SenderIdentity
from sangdam.connectors.intake import IntakeResult, receive
from sangdam.connectors.models import Channel, ChannelKind, ChatRating
from sangdam.core.compiled import MARKER, CompiledQuery
from sangdam.service.hours import is_open, next_opening
from sangdam.service.selectors import schedule_book
from sangdam.tickets import actions
from sangdam.tickets.models import (
    Attachment,
    DeliveryState,
    Direction,
    Message,
    MessageKind,
    Status,
)

HISTORY_LIMIT = 200
ENDED = (Status.SOLVED, Status.CLOSED)  # a chat in these statuses has ended
# Shown in the chat as pictures (the rest as links to download).
INLINE_IMAGES = frozenset({"image/jpeg", "image/png", "image/gif", "image/webp"})
# Outbound messages a visitor may see: everything that is or was on its way to them.
VISIBLE_OUT = (
    DeliveryState.QUEUED,
    DeliveryState.SENT,
    DeliveryState.DELIVERED,
    DeliveryState.READ,
)


def find_channel(key: str) -> Channel | None:
    return next(iter(_CHANNEL.objects(key)), None)


# Read for every socket that says hello: compiled once (core/compiled.py).
_CHANNEL = CompiledQuery(
    Channel,
    lambda key: Channel.objects.filter(key=key, kind=ChannelKind.LIVECHAT, enabled=True)[:1],
    "\x00channel key",
)


def thread_key(visitor: str) -> str:
    return f"livechat:{visitor}"


def external_id(visitor: str, client_id: str) -> str:
    return f"{visitor}:{client_id}"


@dataclass(frozen=True)
class Visit:
    """What the widget tells about where the visitor is (shown to the agent)."""

    page_url: str = ""
    browser: str = ""
    language: str = ""
    name: str = ""
    email: str = ""
    topic: str = ""
    # A user id the website's backend signed (verified by the socket): the same person as
    # the app's user of that id.
    user_id: str = ""

    def ticket_metadata(self) -> dict[str, str]:
        found = {
            "page_url": self.page_url[:500],
            "browser": self.browser[:300],
            "widget_language": self.language[:16],
        }
        return {k: v for k, v in found.items() if v}


def take_message(
    *,
    channel: Channel,
    visitor: str,
    client_id: str,
    text: str,
    visit: Visit,
    attachments: tuple[InboundAttachment, ...] = (),
    offline: bool = False,
) -> IntakeResult:
    """Hand one visitor message to the intake (a repeat returns the stored one)."""
    identities = [SenderIdentity("livechat", visitor)]
    if visit.user_id:
        identities.append(SenderIdentity("app_user", visit.user_id))
    if visit.email:
        identities.append(SenderIdentity("email", visit.email))
    return receive(
        InboundMessage(
            channel_id=channel.pk,
            external_id=external_id(visitor, client_id),
            identities=tuple(identities),
            text=text,
            sender_name=visit.name,
            attachments=attachments,
            thread_key=thread_key(visitor),
            topic_slug=visit.topic,
            metadata=visit.ticket_metadata(),
            # The connector answers an offline message by email (the ticket goes on there).
            message_metadata={"offline_email": visit.email} if offline and visit.email else {},
        )
    )


def message_json(message: Message, files: Sequence[Attachment] | None = None) -> dict[str, Any]:
    """``files``: the message's attachments when the caller knows them (none read then)."""
    mine = message.direction == Direction.IN
    data: dict[str, Any] = {
        "id": message.pk,
        "from": "visitor" if mine else "agent",
        "text": message.text,
        "at": message.created_at.isoformat(),
    }
    shown = [
        {
            "id": a.pk,
            "name": a.filename,
            "type": a.content_type,
            "size": a.size,
            "image": a.content_type in INLINE_IMAGES,
        }
        for a in (message.attachments.all() if files is None else files)
    ]
    if shown:
        data["attachments"] = shown
    if mine and message.external_id and ":" in message.external_id:
        data["client_id"] = message.external_id.split(":", 1)[1]
    if not mine:
        author = message.author_user
        # Only the display name: an agent's email address is not the visitor's business.
        data["author"] = (author.display_name if author else "") or ""
        if author is not None and author.display_name:
            data["avatar"] = agent_avatar(author)
        data["state"] = message.delivery_state
    return data


def agent_avatar(agent: User) -> dict[str, str]:
    """The agent's face in the chat: initials on a colour, and their picture if uploaded."""
    face = {"initials": initials(agent.display_name), "colour": colour(agent.display_name)}
    if agent.avatar:
        name = agent.avatar.name.rsplit("/", 1)[-1]
        face["url"] = f"/chat/agents/{agent.pk}/{name}"
    return face


def history(*, channel: Channel, visitor: str, after: int = 0) -> list[dict[str, Any]]:
    """The visitor's public conversation after message ``after`` (oldest first)."""
    messages = (
        Message.objects.filter(
            ticket__channel=channel,
            ticket__thread_key=thread_key(visitor),
            kind=MessageKind.PUBLIC,
            pk__gt=after,
        )
        .exclude(direction=Direction.OUT, delivery_state__in=[DeliveryState.FAILED])
        .select_related("author_user")
        .prefetch_related("attachments")
        .order_by("-id")[:HISTORY_LIMIT]
    )
    return [message_json(m) for m in reversed(list(messages))]


# Read to deliver every agent answer: compiled once (core/compiled.py).
_OUTBOUND = CompiledQuery(
    Message, lambda pk: Message.objects.select_related("author_user").filter(pk=pk), MARKER
)
_FILES = CompiledQuery(
    Attachment, lambda message: Attachment.objects.filter(message=message), MARKER
)
_LATEST_INBOUND = CompiledQuery(
    Message,
    lambda ticket: (
        Message.objects.filter(ticket=ticket, direction=Direction.IN)
        .order_by("-created_at", "-id")
        .only("metadata")[:1]
    ),
    MARKER,
)


def outbound_for_visitor(message_id: int) -> Message | None:
    return next(iter(_OUTBOUND.objects(message_id)), None)


def files_of(message: Message) -> list[Attachment]:
    return _FILES.objects(message.pk)


def offline_email(message: Message) -> str:
    """The email an offline form left, when it is the visitor's latest word on the ticket."""
    return offline_email_in(next(iter(_LATEST_INBOUND.objects(message.ticket_id)), None))


def offline_email_in(inbound: Message | None) -> str:
    """The email an offline form left with this visitor's message ("" for a chat's)."""
    return str(((inbound.metadata if inbound else None) or {}).get("offline_email") or "")


def record_seen(*, channel: Channel, visitor: str, ids: list[int], state: str) -> int:
    """The widget showed (delivered) or the visitor saw (read) these agent messages."""
    if state not in (DeliveryState.DELIVERED, DeliveryState.READ):
        return 0
    owned = Message.objects.filter(
        pk__in=ids[:100],
        channel=channel,
        direction=Direction.OUT,
        ticket__thread_key=thread_key(visitor),
    ).values_list("external_id", flat=True)
    changed = 0
    for ext in owned:
        if ext:
            changed += len(actions.do_record_receipt(channel=channel, state=state, external_id=ext))
    return changed


@dataclass(frozen=True)
class Chat:
    """The visitor's latest chat ticket (none: ``ticket_id`` None), read in one query."""

    ticket_id: int | None = None
    status: str = ""
    rated: bool = False

    @property
    def ended(self) -> bool:
        """Solved or closed and not rated yet: the widget asks for a rating."""
        return self.status in ENDED and not self.rated

    @property
    def going_on(self) -> bool:
        """Not solved or closed: "End chat" is offered."""
        return self.status in (Status.NEW, Status.OPEN, Status.PENDING)


def latest_chat(*, channel: Channel, visitor: str) -> Chat:
    from sangdam.tickets.models import Ticket

    row = (
        Ticket.objects.filter(channel=channel, thread_key=thread_key(visitor))
        .order_by("-id")
        .values_list("pk", "status", "chat_rating")
        .first()
    )
    if row is None:
        return Chat()
    return Chat(ticket_id=row[0], status=row[1], rated=row[2] is not None)


def open_ticket_id(*, channel: Channel, visitor: str) -> int | None:
    return latest_chat(channel=channel, visitor=visitor).ticket_id


def ended(*, channel: Channel, visitor: str) -> bool:
    return latest_chat(channel=channel, visitor=visitor).ended


def end_chat(*, channel: Channel, visitor: str) -> bool:
    """The visitor ends their open chat (the widget's "End chat"); False: none is open."""
    from sangdam.tickets.actor import CUSTOMER
    from sangdam.tickets.models import Ticket

    ticket_id = open_ticket_id(channel=channel, visitor=visitor)
    ticket = Ticket.objects.filter(pk=ticket_id).first() if ticket_id else None
    if ticket is None:
        return False
    return actions.do_end_chat(ticket=ticket, actor=CUSTOMER)


def rate(*, channel: Channel, visitor: str, score: int, comment: str) -> bool:
    """Store the visitor's rating of their latest chat (CSAT); False: no chat to rate."""
    ticket_id = open_ticket_id(channel=channel, visitor=visitor)
    if ticket_id is None:
        return False
    ChatRating.objects.update_or_create(
        ticket_id=ticket_id, defaults={"score": score, "comment": comment[:2000]}
    )
    return True


@dataclass(frozen=True)
class Availability:
    open_now: bool  # within the channel's schedule (True when it has none)
    agents_online: bool
    opens_at: dt.datetime | None

    @property
    def available(self) -> bool:
        return self.open_now and self.agents_online

    def as_json(self) -> dict[str, Any]:
        return {
            "available": self.available,
            "open": self.open_now,
            "agents_online": self.agents_online,
            "opens_at": self.opens_at.isoformat() if self.opens_at else None,
        }


def availability(channel: Channel, now: dt.datetime | None = None) -> Availability:
    """Open by the channel's schedule and at least one agent online (routing's presence)."""
    now = now or timezone.now()
    book = schedule_book()
    hours = book.hours_of(book.schedule_for(channel_id=channel.pk, team_id=None))
    open_now = is_open(hours, now) if hours else True
    agents = (
        User.objects.filter(is_active=True, presence=Presence.ONLINE)
        .exclude(role=Role.READONLY)
        .exists()
    )
    return Availability(
        open_now=open_now,
        agents_online=agents,
        opens_at=next_opening(hours, now) if hours and not open_now else None,
    )
