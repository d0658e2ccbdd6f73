"""The contract between the shared pipeline and every channel connector.

A connector verifies its caller, parses the provider's payload into an
:class:`InboundMessage`, and sends an :class:`OutboundMessage`. It never touches
tickets: :func:`sangdam.connectors.intake.receive` and the delivery task do.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel

if TYPE_CHECKING:
    from sangdam.connectors.models import Channel


@dataclass(frozen=True)
class SenderIdentity:
    kind: str  # a customers.IdentityKind value
    value: str


@dataclass(frozen=True)
class InboundAttachment:
    filename: str
    content_type: str
    content: bytes


@dataclass(frozen=True)
class InboundMessage:
    """One customer message, as every connector hands it to the intake."""

    channel_id: int
    external_id: str
    # The first identity is the one this channel knows the sender by; others (an email
    # given in a form, a verified phone) help find the same customer elsewhere.
    identities: tuple[SenderIdentity, ...]
    text: str
    sender_name: str = ""
    subject: str = ""
    html: str = ""
    attachments: tuple[InboundAttachment, ...] = ()
    # Thread hints, strongest first: an explicit ticket reference the customer is
    # allowed to use, provider ids this message replies to, the conversation key.
    ticket_reference: str = ""
    in_reply_to: tuple[str, ...] = ()
    thread_key: str = ""
    topic_slug: str = ""
    language: str = ""
    metadata: dict[str, Any] = field(default_factory=dict)
    received_at: dt.datetime | None = None
    # Stored on the message itself (``metadata`` above goes to a new ticket): the email
    # channel keeps Message-IDs, authentication results and the full text here.
    message_metadata: dict[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class OutboundMessage:
    """What the delivery task hands a connector to send."""

    message_id: int
    ticket_reference: str
    subject: str
    text: str
    html: str
    recipient: str  # the customer's address on this channel (email, chat id, ...)
    recipient_name: str
    in_reply_to: tuple[str, ...]
    attachments: tuple[InboundAttachment, ...] = ()
    # The customer's status page (a magic link) and its label in the customer's language;
    # channels that can carry a link append it (empty: no link).
    status_url: str = ""
    status_label: str = ""
    # Sent by Sangdam itself, not typed by an agent (an acknowledgement, a reminder):
    # marked Auto-Submitted so the customer's autoresponder does not answer it.
    automatic: bool = False


class DeliveryError(Exception):
    """Sending failed. ``permanent`` says whether retrying can help."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


class Connector:
    """Base class of a channel kind's connector."""

    kind: ClassVar[str]
    config_class: ClassVar[type[BaseModel] | None] = None
    # The identity kind this channel addresses customers by.
    identity_kind: ClassVar[str]

    def send(self, channel: Channel, message: OutboundMessage) -> str:
        """Send through the provider; return the provider's id for the message."""
        raise DeliveryError(f"the {self.kind} channel cannot send replies yet", permanent=True)
