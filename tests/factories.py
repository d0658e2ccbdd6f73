"""Small factories and named personas for tests.

Personas: Minji Kim (Korean customer, email), John Park (English customer, Telegram),
Seoyeon (agent, Korean/English), Alex (agent, English/Japanese), Admin (admin role).
"""

from __future__ import annotations

import itertools
from typing import Any

from sangdam.accounts.models import Role, Team, User
from sangdam.connectors.base import InboundAttachment, InboundMessage, SenderIdentity
from sangdam.connectors.intake import IntakeResult, receive
from sangdam.connectors.models import Channel
from sangdam.service.models import SlaClock
from sangdam.tickets.models import Ticket, Topic

_seq = itertools.count(1)

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00\x00\x00\rIHDR" + b"\x00" * 64
PASSWORD = "correct-horse-battery"


def make_channel(kind: str = "email", **fields: Any) -> Channel:
    defaults: dict[str, Any] = {"name": f"{kind} {next(_seq)}"}
    if kind == "email":
        defaults["address"] = "support@example.com"
    defaults.update(fields)
    return Channel.objects.create(kind=kind, **defaults)


def make_agent(name: str = "Seoyeon", *, role: str = Role.AGENT, **fields: Any) -> User:
    email = fields.pop("email", f"{name.lower()}{next(_seq)}@example.com")
    return User.objects.create_user(email, PASSWORD, display_name=name, role=role, **fields)


def make_admin(name: str = "Admin") -> User:
    return make_agent(name, role=Role.ADMIN)


def make_team(name: str = "Customer Care") -> Team:
    return Team.objects.create(name=f"{name} {next(_seq)}")


def make_topic(slug: str = "payment", **names: str) -> Topic:
    topic, _ = Topic.objects.get_or_create(
        slug=slug, defaults={"names": names or {"ko": "결제", "en": "Payment"}}
    )
    return topic


def inbound(
    channel: Channel,
    *,
    text: str = "결제가 두 번 되었어요. 환불 부탁드립니다.",
    sender: tuple[str, str] = ("email", "minji@example.com"),
    external_id: str | None = None,
    **fields: Any,
) -> InboundMessage:
    attachments = tuple(
        InboundAttachment(name, "application/octet-stream", content)
        for name, content in fields.pop("files", [])
    )
    extra_ids = tuple(SenderIdentity(k, v) for k, v in fields.pop("also", []))
    return InboundMessage(
        channel_id=channel.pk,
        external_id=external_id or f"ext-{next(_seq)}",
        identities=(SenderIdentity(*sender), *extra_ids),
        text=text,
        attachments=attachments,
        **fields,
    )


def customer_writes(channel: Channel, **fields: Any) -> IntakeResult:
    """A customer's message goes through the real intake pipeline."""
    return receive(inbound(channel, **fields))


def due_times(ticket: Ticket | int) -> SlaClock:
    """The ticket's SLA clock row as stored now (an empty one when it has none)."""
    pk = ticket if isinstance(ticket, int) else ticket.pk
    return SlaClock.objects.filter(ticket_id=pk).first() or SlaClock(ticket_id=pk)
