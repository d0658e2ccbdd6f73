"""The one way an inquiry enters Sangdam: ``receive(InboundMessage)``.

In one transaction it dedupes on (channel, external id), resolves the customer, threads
the message onto the right ticket, stores message and attachments, writes audit events
and enqueues follow-ups. Connectors acknowledge their provider only after it returns.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import logging
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import IntegrityError, connection, transaction
from django.db.models import Case, Q, QuerySet, When
from django.utils import timezone
from django.utils.translation import gettext as _

from sangdam.connectors.base import InboundMessage, WouldOpenTicket
from sangdam.connectors.models import Channel
from sangdam.core.compiled import MARKER, MARKER_2, CompiledQuery
from sangdam.core.html import html_to_text, sanitize_html
from sangdam.core.language import detect_language
from sangdam.core.memo import Memo
from sangdam.customers.actions import normalize_identity, resolve_customer
from sangdam.customers.models import Customer
from sangdam.tickets import actions, dispatch, selectors
from sangdam.tickets.actor import Actor
from sangdam.tickets.attachments import AttachmentRejected, CheckedAttachment, check_attachment
from sangdam.tickets.models import Direction, Message, Status, Ticket
from sangdam.tickets.selectors import HELD_SENDER_TAG

log = logging.getLogger(__name__)
_channels = Memo(Channel)

ATTEMPTS = 3
# Channel.config["mismatched_sender"]: "new_ticket" (default) or "hold".
HOLD = "hold"
HELD_TAG = HELD_SENDER_TAG


@dataclass(frozen=True)
class IntakeResult:
    ticket: Ticket
    message: Message
    created_ticket: bool = False
    duplicate: bool = False
    refused_attachments: list[str] = field(default_factory=list)


def _existing(inbound: InboundMessage) -> Message | None:
    return (
        Message.objects.select_related("ticket")
        .filter(channel_id=inbound.channel_id, external_id=inbound.external_id)
        .first()
    )


def _channel(pk: int) -> Channel:
    """The channel, kept per process for a few seconds (core/memo.py): one query less."""
    return _channels.get(pk, lambda: Channel.objects.get(pk=pk))


def receive(
    inbound: InboundMessage, then: Callable[[IntakeResult], object] | None = None
) -> IntakeResult:
    """Accept one inbound message; a repeat of an accepted one is a no-op.

    ``then`` runs inside the intake's transaction for a newly accepted message (the
    portal enqueues its confirmation mail there), so the caller needs no transaction
    (and no savepoint) of its own. A repeat is found by the unique (channel, external id)
    index when the message is inserted, not by a query before: repeats are rare.
    """
    accepted: list[CheckedAttachment] = []
    refused: list[str] = []
    for item in inbound.attachments[: settings.ATTACHMENT_MAX_COUNT]:
        try:
            accepted.append(
                CheckedAttachment(
                    item.filename, item.content_type, item.content, item.sha256, item.path
                )
                if item.sha256
                else check_attachment(item.filename, item.content, path=item.path)
            )
        except AttachmentRejected as exc:
            # The inquiry is kept; the agent sees which file was refused and why.
            refused.append(exc.message)
    refused += [
        f"{a.filename}: too many files"
        for a in inbound.attachments[settings.ATTACHMENT_MAX_COUNT :]
    ]

    html = sanitize_html(inbound.html)
    text = inbound.text.strip() or html_to_text(html)
    language = inbound.language or detect_language(f"{inbound.subject}\n{text}")

    for attempt in range(ATTEMPTS):
        try:
            with transaction.atomic(), dispatch.one_insert():
                result = _receive(inbound, text, html, language, accepted, refused)
                if then is not None:
                    then(result)
            return result
        except IntegrityError:
            existing = _existing(inbound)
            if existing is not None:
                # A concurrent delivery of the same message won the race.
                return IntakeResult(ticket=existing.ticket, message=existing, duplicate=True)
            if attempt == ATTEMPTS - 1:
                raise
            log.info("intake retry after identity race on %s", inbound.external_id)
    raise AssertionError("unreachable")


def _lock_conversation(inbound: InboundMessage) -> None:
    """Serialise intakes of one conversation until commit (PostgreSQL).

    Two messages of one conversation taken in at the same moment (an email and its reply,
    two chat lines) would each find no ticket and open one: the conversation would split.
    A transaction-scoped advisory lock on (channel, conversation) makes the second wait
    for the first to commit; its thread lookup then sees the first one's ticket. SQLite
    needs nothing: IMMEDIATE transactions already take intakes one at a time.
    """
    key = inbound.thread_key or inbound.ticket_reference
    if not key or connection.vendor != "postgresql":
        return
    digest = hashlib.sha256(f"{inbound.channel_id}:{key}".encode()).digest()
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_advisory_xact_lock(%s)", [int.from_bytes(digest[:8], "big", signed=True)]
        )


def _receive(
    inbound: InboundMessage,
    text: str,
    html: str,
    language: str,
    accepted: list[CheckedAttachment],
    refused: list[str],
) -> IntakeResult:
    _lock_conversation(inbound)
    channel = _channel(inbound.channel_id)
    actor = Actor(f"connector:{channel.kind}")
    customer = resolve_customer(
        identities=[(i.kind, i.value) for i in inbound.identities],
        name=inbound.sender_name,
        language=language,
    )
    received_at = inbound.received_at or timezone.now()
    automatic = inbound.automatic
    ticket, follows = _thread(channel, customer, inbound, received_at, automatic=automatic)
    created = ticket is None
    if created and not inbound.opens_ticket:
        raise WouldOpenTicket(inbound.external_id)
    hold = follows is not None and (
        (follows.customer_id != customer.pk and _holds(channel))
        or bool(inbound.unverified_claim and follows.reference == inbound.ticket_reference)
    )
    if ticket is None:
        topic = selectors.topic_by_slug(slug=inbound.topic_slug) if inbound.topic_slug else None
        ticket = actions.do_open_ticket(
            actor=actor,
            channel=channel,
            customer=customer,
            # One line: a subject ends up in mail headers and list rows.
            subject=" ".join(inbound.subject.split())
            or (text.splitlines()[0][:120] if text else ""),
            topic=topic,
            language=language,
            thread_key=inbound.thread_key,
            metadata=inbound.metadata,
            follows=follows,
            now=received_at,
        )
    metadata: dict[str, object] = dict(inbound.message_metadata)
    if refused:
        # A connector may have refused some already (too large to fetch from the provider).
        earlier = metadata.get("refused_attachments")
        metadata["refused_attachments"] = [
            *(earlier if isinstance(earlier, list) else []),
            *refused,
        ]
    if inbound.identities:
        # Who wrote this message: replies go back to this address even when the
        # customer has others (a customer may have several email addresses).
        first = inbound.identities[0]
        metadata["sender"] = {
            "kind": first.kind,
            "value": normalize_identity(first.kind, first.value),
        }
    message = actions.do_add_inbound_message(
        ticket=ticket,
        actor=actor,
        channel=channel,
        customer=customer,
        text=text,
        html=html,
        external_id=inbound.external_id,
        language=language,
        attachments=accepted,
        metadata=metadata,
        received_at=received_at,
        automatic=automatic,
    )
    if hold and follows is not None:
        _hold_for_agent(ticket, follows, actor, inbound.unverified_claim)
    return IntakeResult(
        ticket=ticket, message=message, created_ticket=created, refused_attachments=refused
    )


def _holds(channel: Channel) -> bool:
    config = channel.config if isinstance(channel.config, dict) else {}
    return config.get("mismatched_sender") == HOLD


def _hold_for_agent(ticket: Ticket, original: Ticket, actor: Actor, unverified: str) -> None:
    """Park a message that points at a ticket it may not join until an agent decides.

    Its sender is not that ticket's customer (the channel's ``mismatched_sender`` is
    "hold"), or it claims the ticket by reference or plus-address without being
    authenticated (``unverified``: the verdicts, always held). The new ticket waits
    (pending, tagged) with a note, and the console offers "append to the original" or
    "keep separate". Nothing is appended to the original ticket without an agent.
    """
    if unverified:
        note = _(
            "Held for an agent: this message claims %(reference)s, but its sender could "
            "not be authenticated (%(verdicts)s): the From address may be forged. Append "
            "it to %(reference)s or keep it as a separate ticket."
        ) % {"reference": original.reference, "verdicts": unverified}
    else:
        note = _(
            "Held for an agent: this message refers to %(reference)s, but its sender is "
            "not that ticket's customer (a forwarded mail, a colleague, or a forged "
            "sender). Append it to %(reference)s or keep it as a separate ticket."
        ) % {"reference": original.reference}
    actions.do_hold_for_agent(ticket=ticket, actor=actor, tag=HELD_TAG, note=note)


# The threading lookups run for every mail: compiled once (core/compiled.py), the
# replied-to one for each count of channels and of referenced Message-IDs.
_THREAD = CompiledQuery(
    Ticket,
    lambda channel, key, customer: (
        Ticket.objects.filter(channel_id=channel, thread_key=key)
        # Prefer the sender's own conversation when several share the key.
        .order_by(Case(When(customer_id=customer, then=0), default=1), "-created_at", "-id")[:1]
    ),
    MARKER,
    "\x00thread key",
    MARKER_2,
)


@functools.lru_cache(maxsize=64)
def _replied(channels: int, references: int) -> CompiledQuery[Message]:
    channel_markers = [MARKER - 10 - n for n in range(channels)]
    reference_markers = [f"\x00reference {n}" for n in range(references)]

    def build(*values: object) -> QuerySet[Message]:
        ids, refs, channel = values[:channels], values[channels:-1], values[-1]
        return (
            Message.objects.select_related("ticket")
            # Every channel is named so the (channel, external id) index serves the
            # lookup (there are few channels): our own replies count whatever channel
            # they left by, since a web-form ticket is answered by email and the
            # customer's email reply points at that mail.
            .filter(channel_id__in=ids, external_id__in=refs)
            .filter(Q(channel_id=channel) | Q(direction=Direction.OUT))
            .order_by("-created_at")[:1]
        )

    return CompiledQuery(Message, build, *channel_markers, *reference_markers, MARKER_2)


def _thread(
    channel: Channel,
    customer: Customer,
    inbound: InboundMessage,
    now: dt.datetime,
    *,
    automatic: bool = False,
) -> tuple[Ticket | None, Ticket | None]:
    """(ticket to append to, or None; ticket a new one follows up, or None).

    A message that points at someone else's ticket (a forwarded mail, a colleague's
    reply, a forged sender) is never appended as that ticket's customer: it opens a new
    ticket of its own, linked to the one it points at, so an agent sees both (and, when
    the channel says so, held for the agent's decision: :func:`_hold_for_agent`).
    An automatic answer (out-of-office) to a solved ticket joins it whatever its age:
    it neither reopens it nor opens a follow-up nobody needs.
    """
    candidate: Ticket | None = None
    claimed: Ticket | None = None
    if inbound.ticket_reference:
        candidate = Ticket.objects.filter(reference=inbound.ticket_reference).first()
        if inbound.unverified_claim:
            # A reference anyone can type, from a sender nobody vouched for: only what
            # the real recipient knows (our Message-IDs) may join the ticket.
            claimed, candidate = candidate, None
    if candidate is None and inbound.in_reply_to:
        ids: list[int] = _channels.get(
            "ids", lambda: list(Channel.objects.values_list("id", flat=True))
        )
        references = list(inbound.in_reply_to)
        replied = _replied(len(ids), len(references)).objects(*ids, *references, channel.pk)
        candidate = replied[0].ticket if replied else None
    if candidate is None and inbound.thread_key:
        candidate = next(iter(_THREAD.objects(channel.pk, inbound.thread_key, customer.pk)), None)
    if candidate is None:
        return None, claimed
    seen: set[int] = set()
    while candidate.merged_into_id and candidate.pk not in seen:
        seen.add(candidate.pk)
        candidate = Ticket.objects.get(pk=candidate.merged_into_id)
    if candidate.customer_id != customer.pk:
        return None, candidate
    if candidate.is_open:
        return candidate, None
    window = dt.timedelta(days=settings.REOPEN_WINDOW_DAYS)
    if candidate.status == Status.SOLVED and (
        automatic or (candidate.solved_at and now - candidate.solved_at <= window)
    ):
        return candidate, None
    return None, candidate
