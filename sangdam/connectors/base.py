r"""The contract between the shared pipeline and every channel connector.

A connector verifies its caller, parses the provider's payload into an
:class:`InboundMessage` (or a :class:`DeliveryReceipt`), and sends an
:class:`OutboundMessage`. It never touches tickets: :func:`sangdam.connectors.intake.receive`,
the delivery task and the receipt action do.

Providers that call us over HTTP come through one door (``/hooks/<kind>/<channel key>``,
:mod:`sangdam.connectors.webhooks`): their connectors are :class:`WebhookConnector`\ s.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, ClassVar

from pydantic import BaseModel

if TYPE_CHECKING:
    from sangdam.connectors.models import Channel, InboundEvent
    from sangdam.tickets.models import Message


@dataclass(frozen=True)
class SenderIdentity:
    kind: str  # a customers.IdentityKind value
    value: str


@dataclass(frozen=True)
class InboundAttachment:
    filename: str
    content_type: str
    content: bytes
    # Outbound only: where the customer (and the provider, for platforms such as LINE that
    # fetch media by URL) can download it — the customer's status page; "" when none.
    url: str = ""
    # Set by a face that already checked the file (``tickets.attachments.check_attachment``:
    # size, type sniffed from the content, SHA-256): the intake then does not do it again.
    sha256: str = ""
    # Inbound only: the content is in this file instead (``content`` is then b""): a
    # large mail's file, decoded to disk (connectors/email/spool.py).
    path: str = ""


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
    # A machine wrote it (an out-of-office, a mailing list, a bot): it never reopens a
    # solved ticket and gets no automatic answer.
    automatic: bool = False
    # False: it may join a conversation but never opens a ticket (an out-of-office with
    # nothing to answer); the intake then raises :class:`WouldOpenTicket`.
    opens_ticket: bool = True
    # Non-empty: ``ticket_reference`` comes from something anyone can write (a subject, a
    # plus-address) and the sender is not authenticated; the text says why (the verdicts).
    # Such a claim joins nothing by itself: the message is held for an agent.
    unverified_claim: str = ""


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


class WouldOpenTicket(Exception):
    """The intake refused a message that may not open a ticket and found none to join;
    nothing was stored (the connector keeps it elsewhere, e.g. held mail)."""


class TemporaryRefusal(Exception):
    """Not taken in *for now* (a sender over its rate limit): nothing was stored, and the
    transport must make the sender keep the message and retry (SMTP ``451``, an IMAP
    message left unseen, HTTP ``429``) rather than acknowledge it."""


class DeliveryError(Exception):
    """Sending failed. ``permanent`` says whether retrying can help."""

    def __init__(self, message: str, *, permanent: bool = False) -> None:
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class DeliveryReceipt:
    """What the provider tells us about one of our outbound messages.

    Either ``external_id`` names the message (what ``send()`` returned), or ``recipient`` +
    ``watermark`` cover every outbound message to that recipient on the channel sent up to
    the watermark (Meta's delivery/read watermarks).
    """

    channel_id: int
    external_id: str = ""
    state: str = "delivered"  # "delivered" | "read" | "failed"
    error: str = ""
    occurred_at: dt.datetime | None = None
    recipient: str = ""
    watermark: dt.datetime | None = None


@dataclass(frozen=True)
class Ignored:
    """A provider event that carries nothing for the inbox (a typing notice, an unknown type)."""

    reason: str


Parsed = InboundMessage | DeliveryReceipt | Ignored


@dataclass(frozen=True)
class Capabilities:
    attachments: bool = False
    typing: bool = False
    read_receipts: bool = False
    # How long after the customer's last message a reply may still be sent (Meta: 24 h);
    # None: no window.
    reply_window: dt.timedelta | None = None
    # False: agents cannot answer in writing on this channel (a phone line), so no
    # automatic written answer (outside hours, expected reply) is sent there either.
    replies: bool = True


class Connector:
    """Base class of a channel kind's connector."""

    kind: ClassVar[str]
    config_class: ClassVar[type[BaseModel] | None] = None
    # The identity kind this channel addresses customers by.
    identity_kind: ClassVar[str]
    capabilities: ClassVar[Capabilities] = Capabilities()

    def send(self, channel: Channel, message: OutboundMessage) -> str:
        """Send through the provider; return the provider's id for the message."""
        raise DeliveryError(f"the {self.kind} channel cannot send replies yet", permanent=True)

    def sends_instantly(self, last_inbound: Message | None) -> bool:
        """True when ``send`` of an answer to ``last_inbound`` waits on nothing but this
        database and the channel layer (a push to a socket), so the process that commits
        the answer may send it (connectors/delivery.py ``answer_priority``)."""
        return False

    def chat_link(self, channel: Channel) -> str:
        """The link that opens a chat with the company on this channel ("" when none)."""
        return ""


# --- the webhook door ------------------------------------------------------------------


class _Headers(dict[str, str]):
    """Header names compared case-insensitively (stored lower-case)."""

    def __init__(self, items: Mapping[str, str] | None = None) -> None:
        super().__init__({k.lower(): v for k, v in (items or {}).items()})

    def __getitem__(self, key: str) -> str:
        return super().__getitem__(key.lower())

    def get(self, key: str, default: Any = None) -> Any:
        return super().get(key.lower(), default)

    def __contains__(self, key: object) -> bool:
        return isinstance(key, str) and super().__contains__(key.lower())


@dataclass(frozen=True)
class WebhookRequest:
    """A provider's HTTP call, as the door hands it to the connector."""

    # The stored event keeps headers, not the URL: the door files the sub-path (below)
    # among the event's headers under this name (and drops a caller's header of that name).
    SUBPATH_HEADER: ClassVar[str] = "x-sangdam-subpath"

    method: str  # "GET" | "POST"
    url: str  # absolute URL as the provider called it (Twilio signs it)
    headers: Mapping[str, str]  # case-insensitive
    query: Mapping[str, str]
    body: bytes  # raw body, exactly as received: verify signatures on this
    form: Mapping[str, str] = field(default_factory=dict)  # x-www-form-urlencoded body, else {}
    # What follows the channel key in the URL (``/hooks/<kind>/<key>/<subpath>``): providers
    # that append their own paths to the address they are given (a 상담톡 dealer posts to
    # ``<address>/message``); "" for the plain URL.
    subpath: str = ""

    def __post_init__(self) -> None:
        object.__setattr__(self, "headers", _Headers(self.headers))


@dataclass(frozen=True)
class WebhookAnswer:
    status: int = 200
    content_type: str = "text/plain"
    body: bytes = b"ok"


class WebhookRejected(Exception):
    """Verification failed: the door answers ``status`` and stores nothing."""

    def __init__(self, message: str, *, status: int = 403) -> None:
        super().__init__(message)
        self.status = status


class MalformedEvent(Exception):
    """A stored event that can never be parsed (not JSON, not the documented shape).

    Processing marks it "ignored" with this reason instead of retrying it.
    """


def json_body(event: InboundEvent) -> Any:
    """The stored event's body as JSON, or :class:`MalformedEvent`."""
    try:
        return json.loads(bytes(event.body))
    except (ValueError, UnicodeDecodeError) as exc:
        raise MalformedEvent(f"the body is not JSON: {exc}") from exc


class WebhookConnector(Connector):
    r"""A connector whose provider calls ``/hooks/<kind>/<channel key>``.

    The door calls ``handshake`` (GET challenges), ``verify`` on the raw body, stores the
    event unique on ``event_id``, answers with ``acknowledge`` and, in a task, ``parse``\ s
    the stored event into messages and receipts.
    """

    # config_class (Connector): non-secret settings, validated into Channel.config.
    secrets_class: ClassVar[type[BaseModel] | None] = None  # tokens (Channel.secrets, encrypted)
    # Calls to ``/hooks/<kind>/<key>/<subpath>`` are taken (``WebhookRequest.subpath``);
    # False: the door answers them 404.
    accepts_subpaths: ClassVar[bool] = False

    # The provider needs content back *and* the event processed (a voice call's TwiML):
    # the door asks :meth:`answer` before storing, keeps that answer with the event, and a
    # retry of the same event gets the kept answer, byte for byte, storing nothing again.
    keeps_answer: ClassVar[bool] = False

    # The provider's POSTs need nothing of the HTTP call but its headers and raw body (no
    # URL, query or form) and get a fixed acknowledgement: the ASGI server takes them
    # without Django's request cycle (connectors/webhooks/lane.py).
    lean_lane: ClassVar[bool] = False

    def answers_in_door(self, request: WebhookRequest) -> bool:
        """True: :meth:`acknowledge` does all the work (a Kakao skill turn) and there is
        nothing for a task to do; the door stores the event without a processing task and
        marks it processed, or failed with the error when ``acknowledge`` raises."""
        return False

    def needs_task(self, request: WebhookRequest, answer: WebhookAnswer) -> bool:
        """For ``keeps_answer`` connectors: False when the stored event is only kept (a
        call step its later events read back) and :meth:`parse` has nothing to do; the
        door then stores it processed, without a task."""
        return True

    def handshake(self, channel: Channel, request: WebhookRequest) -> WebhookAnswer | None:
        """Answer a provider's set-up challenge (Meta's GET hub.challenge); None: not one."""
        return None

    def verify(self, channel: Channel, request: WebhookRequest) -> None:
        """Raise :class:`WebhookRejected` unless the caller is the provider.

        Compare secrets and signatures with ``hmac.compare_digest`` only.
        """
        raise WebhookRejected("this channel cannot verify webhooks", status=403)

    def event_id(self, channel: Channel, request: WebhookRequest) -> str:
        """The provider's id of this delivery (a retry carries the same); default: body hash."""
        return hashlib.sha256(request.body).hexdigest()

    def acknowledge(
        self, channel: Channel, request: WebhookRequest, event: InboundEvent
    ) -> WebhookAnswer:
        """The answer the provider gets (after the event is stored)."""
        return WebhookAnswer()

    def answer(self, channel: Channel, request: WebhookRequest) -> WebhookAnswer:
        """The content the provider needs back, for connectors that set ``keeps_answer``.

        Computed before the event is stored and only read (customers, schedules): it may
        run again for a retry whose kept answer is then sent instead, so it changes
        nothing; what the event means is done later by :meth:`parse`.
        """
        raise NotImplementedError

    def parse(self, channel: Channel, event: InboundEvent) -> list[Parsed]:
        """Turn a stored event (``event.body`` is the raw bytes) into messages and receipts.

        Parsing the same event twice must give the same external ids (the intake dedupes).
        Raise to have the event retried; return :class:`Ignored` for what is not for us.
        """
        raise NotImplementedError

    def test_connection(self, channel: Channel) -> str:
        """Call the provider with the channel's credentials; a summary, or DeliveryError."""
        raise DeliveryError(f"the {self.kind} channel has no connection test", permanent=True)

    def register_webhook(self, channel: Channel, url: str) -> None:
        """Tell the provider where to call (Telegram's setWebhook); most need the console."""
        return None
