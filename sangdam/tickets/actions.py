"""The one door for every change to a ticket.

Each ``do_*`` function runs in a transaction and records typed domain events
(:mod:`sangdam.tickets.events`) with the actor: they become the audit trail, and after
commit their listeners react (live push, SLA clocks, ...: :mod:`sangdam.tickets.dispatch`).
Views, the API, connectors and tasks call these; nothing else saves tickets or messages.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.files.base import ContentFile, File
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from sangdam.accounts.models import Team, User
from sangdam.connectors.models import Channel
from sangdam.core.compiled import MARKER, CompiledQuery
from sangdam.core.inserts import insert
from sangdam.core.references import next_reference
from sangdam.core.sentinels import UNCHANGED, Unchanged
from sangdam.core.updates import update
from sangdam.customers.models import Customer
from sangdam.tickets.actor import SYSTEM, Actor
from sangdam.tickets.attachments import CheckedAttachment
from sangdam.tickets.dispatch import record
from sangdam.tickets.errors import DomainError, InvalidTransition, PermissionDenied
from sangdam.tickets.events import (
    AgentReplied,
    Assigned,
    ChatEnded,
    CustomerReplied,
    DeliveryChanged,
    DomainEvent,
    FieldsChanged,
    MergedFrom,
    MergedInto,
    NoteAdded,
    StatusChanged,
    TicketLinked,
    TicketOpened,
)
from sangdam.tickets.models import (
    Attachment,
    DeliveryState,
    Direction,
    Message,
    MessageKind,
    Priority,
    Status,
    Ticket,
    TicketLink,
    Topic,
)
from sangdam.tickets.selectors import ticket_for_update

ALLOWED_TRANSITIONS: dict[str, set[str]] = {
    Status.NEW: {Status.OPEN, Status.PENDING, Status.SOLVED, Status.CLOSED},
    Status.OPEN: {Status.PENDING, Status.SOLVED, Status.CLOSED},
    Status.PENDING: {Status.OPEN, Status.SOLVED, Status.CLOSED},
    Status.SOLVED: {Status.OPEN, Status.CLOSED},
    Status.CLOSED: set(),
}


def _check_can_write(actor: Actor) -> None:
    if actor.user is not None and not actor.user.can_write:
        raise PermissionDenied(_("Read-only users cannot change tickets."))


def _store_attachments(message: Message, attachments: Iterable[CheckedAttachment]) -> None:
    for item in attachments:
        attachment = Attachment(
            message=message,
            filename=item.filename,
            content_type=item.content_type,
            size=item.size,
            sha256=item.sha256,
        )
        if item.path:
            # A large mail's file, decoded to disk: copied to the store in pieces.
            with open(item.path, "rb") as file:
                attachment.file.save(item.sha256, File(file), save=False)
        else:
            attachment.file.save(item.sha256, ContentFile(item.content), save=False)
        insert(attachment)


# --- creating tickets and inbound messages -------------------------------------------


def do_open_ticket(
    *,
    actor: Actor,
    channel: Channel,
    customer: Customer,
    subject: str,
    topic: Topic | None = None,
    priority: str = Priority.NORMAL,
    language: str = "",
    thread_key: str = "",
    metadata: dict[str, Any] | None = None,
    follows: Ticket | None = None,
    now: dt.datetime | None = None,
) -> Ticket:
    """Open a new ticket (no message yet: the caller adds the first one).

    Team and assignee are routing's business (``sangdam.routing`` listens to
    :class:`TicketOpened`), not the opening's."""
    now = now or timezone.now()
    with transaction.atomic(savepoint=False):  # the intake's hot path: no savepoint
        ticket = insert(
            Ticket(
                reference=next_reference(),
                subject=(subject.strip() or _("(no subject)"))[:300],
                topic=topic,
                priority=priority,
                channel=channel,
                customer=customer,
                language=language,
                thread_key=thread_key,
                metadata=metadata or {},
                last_activity_at=now,
                created_at=now,
            )
        )
        events: list[DomainEvent] = [
            TicketOpened(ticket_id=ticket.pk, channel=channel.kind, reference=ticket.reference)
        ]
        if follows is not None:
            TicketLink.objects.create(
                from_ticket=ticket, to_ticket=follows, kind=TicketLink.Kind.FOLLOW_UP
            )
            events.append(TicketLinked(ticket_id=ticket.pk, follows=follows.reference))
        record(events, actor=actor)
    return ticket


def do_add_inbound_message(
    *,
    ticket: Ticket,
    actor: Actor,
    channel: Channel,
    customer: Customer,
    text: str,
    html: str = "",
    external_id: str | None = None,
    language: str = "",
    attachments: Iterable[CheckedAttachment] = (),
    metadata: dict[str, Any] | None = None,
    received_at: dt.datetime | None = None,
    automatic: bool = False,
) -> Message:
    """Append a customer's message; a pending or recently solved ticket opens again,
    unless a machine wrote it (``automatic``: an out-of-office, a list, a bot) — "I am out
    of office" must not pull a solved ticket back into the agents' queue."""
    now = received_at or timezone.now()
    if automatic:
        metadata = {**(metadata or {}), "automatic": True}
    with transaction.atomic(savepoint=False):  # the intake's hot path: no savepoint
        message = insert(
            Message(
                ticket=ticket,
                direction=Direction.IN,
                kind=MessageKind.PUBLIC,
                author_customer=customer,
                channel=channel,
                external_id=external_id,
                text=text,
                html=html,
                language=language,
                delivery_state=DeliveryState.RECEIVED,
                metadata=metadata or {},
                created_at=now,
            )
        )
        _store_attachments(message, attachments)
        events: list[DomainEvent] = [
            CustomerReplied(ticket_id=ticket.pk, message_id=message.pk, automatic=automatic)
        ]
        # A ticket opened for this very message already carries its time: no UPDATE.
        fields = [] if ticket.last_activity_at == now else ["last_activity_at", "updated_at"]
        ticket.last_activity_at = now
        if ticket.status in (Status.PENDING, Status.SOLVED) and not automatic:
            events.append(StatusChanged(ticket_id=ticket.pk, old=ticket.status, new=Status.OPEN))
            ticket.status = Status.OPEN
            ticket.solved_at = None
            fields += ["status", "solved_at", "updated_at"]
        if fields:
            update(ticket, fields)
        record(events, actor=actor)
    return message


# --- agent replies and notes ---------------------------------------------------------


def do_reply(
    *,
    ticket: Ticket,
    actor: Actor,
    text: str,
    html: str = "",
    note: bool = False,
    attachments: Iterable[CheckedAttachment] = (),
    status: str | None = None,
    automatic: bool = False,
    metadata: dict[str, Any] | None = None,
) -> Message:
    """An agent's public reply (queued for delivery) or internal note (never sent).

    ``automatic``: Sangdam answers by itself (the outside-hours reply): it is sent like a
    reply but is no agent's first response and leaves the status alone."""
    # The delivery glue lives with the connectors; imported here, not at load time, as
    # it imports this module.
    from sangdam.connectors.delivery import answer_priority, deliver_message

    _check_can_write(actor)
    if not text.strip():
        raise DomainError(_("A reply needs some text."), code="empty_reply")
    if ticket.status == Status.CLOSED and not note:
        raise InvalidTransition(_("A closed ticket cannot be replied to."))
    now = timezone.now()
    with transaction.atomic():
        ticket = ticket_for_update(ticket_id=ticket.pk)
        last_inbound = None if note else _last_inbound(ticket)
        message = insert(
            Message(
                ticket=ticket,
                direction=Direction.OUT,
                kind=MessageKind.NOTE if note else MessageKind.PUBLIC,
                author_user=actor.user,
                channel=None if note else _reply_channel(ticket, last_inbound),
                text=text,
                html=html,
                delivery_state=DeliveryState.NONE if note else DeliveryState.QUEUED,
                metadata={**(metadata or {}), **({"automatic": True} if automatic else {})},
                created_at=now,
            )
        )
        _store_attachments(message, attachments)
        kind = NoteAdded if note else AgentReplied
        record([kind(ticket_id=ticket.pk, message_id=message.pk)], actor=actor)
        fields = ["last_activity_at", "updated_at"]
        ticket.last_activity_at = now
        if not note:
            if ticket.first_responded_at is None and not automatic:
                ticket.first_responded_at = now
                fields.append("first_responded_at")
            # Someone's answer is urgent; Sangdam's own (an acknowledgement) can wait.
            queued = (
                deliver_message
                if automatic
                else deliver_message.using(priority=answer_priority(message.channel, last_inbound))
            )
            queued.enqueue(message.pk)
        update(ticket, fields)
        new_status = status or (
            Status.OPEN if not note and not automatic and ticket.status == Status.NEW else None
        )
        if new_status and new_status != ticket.status:
            do_change_status(ticket=ticket, actor=actor, status=new_status)
    return message


def _last_inbound(ticket: Ticket) -> Message | None:
    """The customer's latest message that came by a channel (with it)."""
    return next(iter(_LAST_INBOUND_CHANNEL.objects(ticket.pk)), None)


def _reply_channel(ticket: Ticket, last_inbound: Message | None) -> Channel:
    """Reply where the customer last wrote; the ticket's origin if they never wrote."""
    return last_inbound.channel if last_inbound and last_inbound.channel else ticket.channel


# Read for every reply: compiled once (core/compiled.py).
_LAST_INBOUND_CHANNEL = CompiledQuery(
    Message,
    lambda ticket: (
        Message.objects.filter(ticket=ticket, direction=Direction.IN, channel__isnull=False)
        .select_related("channel")
        .order_by("-created_at", "-id")[:1]
    ),
    MARKER,
)


def do_record_delivery(
    *,
    message: Message,
    state: str,
    error: str = "",
    external_id: str = "",
    recipient: str = "",
    actor: Actor = SYSTEM,
    channel: Channel | None = None,
) -> None:
    """The delivery task reports what happened to an outbound message.

    ``channel``: the channel that carried it, when it is not the message's own (an 알림톡
    sent for a note), so the provider's later receipts find it."""
    with transaction.atomic():
        fields = ["delivery_state", "delivery_error", "delivery_attempts"]
        if channel is not None:
            message.channel = channel
            fields.append("channel")
        message.delivery_state = state
        message.delivery_error = error[:2000]
        if external_id:
            message.external_id = external_id
            fields.append("external_id")
        if recipient:
            # Watermark receipts ("read up to 10:02") name the recipient, not the message.
            message.metadata = {**(message.metadata or {}), "recipient": recipient}
            fields.append("metadata")
        if state in (DeliveryState.SENT, DeliveryState.DELIVERED):
            message.sent_at = timezone.now()
            fields.append("sent_at")
        update(message, fields)
        event = DeliveryChanged(
            ticket_id=message.ticket_id,
            state=state,
            message_id=message.pk,
            error=error[:500],
            attempts=message.delivery_attempts,
        )
        record([event], actor=actor)


# Receipts only move a message forward: a late "delivered" never undoes "read".
_RECEIPT_ORDER: dict[str, int] = {
    DeliveryState.QUEUED: 0,
    DeliveryState.SENT: 1,
    DeliveryState.DELIVERED: 2,
    DeliveryState.READ: 3,
}


def do_record_receipt(
    *,
    channel: Channel,
    state: str,
    external_id: str = "",
    recipient: str = "",
    watermark: dt.datetime | None = None,
    error: str = "",
) -> list[Message]:
    """The provider says our outbound message(s) were delivered, read or failed.

    One message by its provider id, or (``recipient`` + ``watermark``) every message to
    that recipient on the channel sent up to the watermark. Returns the messages changed.
    """
    if state not in (DeliveryState.DELIVERED, DeliveryState.READ, DeliveryState.FAILED):
        raise DomainError(f"unknown receipt state: {state}", code="unknown_receipt_state")
    messages = Message.objects.select_related("ticket").filter(
        channel=channel, direction=Direction.OUT
    )
    if external_id:
        messages = messages.filter(external_id=external_id)
    elif recipient and watermark is not None:
        messages = messages.filter(
            sent_at__lte=watermark,
            metadata__recipient=recipient,
            delivery_state__in=[DeliveryState.SENT, DeliveryState.DELIVERED],
        )
    else:
        return []
    changed: list[Message] = []
    with transaction.atomic():
        for message in messages.select_for_update().order_by("id")[:500]:
            old = message.delivery_state
            if state != DeliveryState.FAILED and _RECEIPT_ORDER.get(old, 9) >= _RECEIPT_ORDER.get(
                state, 0
            ):
                continue
            message.delivery_state = state
            message.delivery_error = error[:2000]
            update(message, ["delivery_state", "delivery_error"])
            changed.append(message)
        record(
            [
                DeliveryChanged(
                    ticket_id=message.ticket_id,
                    state=state,
                    message_id=message.pk,
                    error=error[:500],
                    attempts=message.delivery_attempts,
                    receipt=True,
                )
                for message in changed
            ],
            actor=Actor(f"connector:{channel.kind}"),
        )
    return changed


# --- ticket fields ------------------------------------------------------------------


def do_change_status(*, ticket: Ticket, actor: Actor, status: str) -> Ticket:
    """Move a ticket through new → open → pending → solved → closed; refuse the rest."""
    _check_can_write(actor)
    if status not in Status.values:
        raise DomainError(
            _("Unknown status: %(status)s") % {"status": status}, code="unknown_status"
        )
    if status == ticket.status:
        return ticket
    if status not in ALLOWED_TRANSITIONS[ticket.status]:
        raise InvalidTransition(
            _("A %(old)s ticket cannot become %(new)s.")
            % {"old": Status(ticket.status).label, "new": Status(status).label}
        )
    with transaction.atomic():
        record([_set_status(ticket, status)], actor=actor)
    return ticket


def _set_status(ticket: Ticket, status: str) -> StatusChanged:
    now = timezone.now()
    old = ticket.status
    ticket.status = status
    ticket.solved_at = (
        now if status == Status.SOLVED else (ticket.solved_at if status == Status.CLOSED else None)
    )
    ticket.closed_at = now if status == Status.CLOSED else None
    ticket.last_activity_at = now
    update(ticket, ["status", "solved_at", "closed_at", "last_activity_at", "updated_at"])
    return StatusChanged(ticket_id=ticket.pk, old=old, new=status)


def do_end_chat(*, ticket: Ticket, actor: Actor) -> bool:
    """The customer ends a live conversation: the ticket is solved and the audit trail says
    who ended it (an agent's ticket page hears it like any status change). Ending a chat
    that is already solved or closed changes nothing; returns whether it ended now."""
    with transaction.atomic():
        locked = ticket_for_update(ticket_id=ticket.pk)
        if locked.status not in (Status.NEW, Status.OPEN, Status.PENDING):
            return False
        old = locked.status
        record(
            [_set_status(locked, Status.SOLVED), ChatEnded(ticket_id=locked.pk, status=old)],
            actor=actor,
        )
    ticket.status = locked.status
    return True


def do_assign(
    *,
    ticket: Ticket,
    actor: Actor,
    assignee: User | None,
    team: Team | Unchanged | None = UNCHANGED,
) -> Ticket:
    """Assign to an agent (or nobody) and optionally a team (``UNCHANGED`` leaves it)."""
    _check_can_write(actor)
    if assignee is not None and not assignee.is_active:
        raise DomainError(
            _("%(name)s is not an active agent.") % {"name": assignee}, code="inactive_agent"
        )
    with transaction.atomic():
        assignee_change = team_change = None
        if ticket.assignee_id != (assignee.pk if assignee else None):
            assignee_change = (ticket.assignee_id, assignee.pk if assignee else None)
            ticket.assignee = assignee
        if team is not UNCHANGED and ticket.team_id != (team.pk if team else None):
            team_change = (ticket.team_id, team.pk if team else None)
            ticket.team = team
        if assignee_change is None and team_change is None:
            return ticket
        ticket.save(update_fields=["assignee", "team", "updated_at"])
        record(
            [Assigned(ticket_id=ticket.pk, assignee=assignee_change, team=team_change)],
            actor=actor,
        )
    return ticket


def do_update_fields(
    *,
    ticket: Ticket,
    actor: Actor,
    priority: str | None = None,
    topic: Topic | Unchanged | None = UNCHANGED,
    subject: str | None = None,
    tags: list[str] | None = None,
) -> Ticket:
    """Change priority, topic, subject or tags, with one audit event naming each change."""
    _check_can_write(actor)
    if priority is not None and priority not in Priority.values:
        raise DomainError(_("Unknown priority: %(p)s") % {"p": priority}, code="unknown_priority")
    changes: dict[str, tuple[Any, Any]] = {}
    if priority is not None and priority != ticket.priority:
        changes["priority"] = (ticket.priority, priority)
        ticket.priority = priority
    if topic is not UNCHANGED and ticket.topic_id != (topic.pk if topic else None):
        changes["topic"] = (ticket.topic_id, topic.pk if topic else None)
        ticket.topic = topic
    if subject is not None and subject.strip() and subject.strip() != ticket.subject:
        changes["subject"] = (ticket.subject, subject.strip()[:300])
        ticket.subject = subject.strip()[:300]
    if tags is not None:
        clean = sorted({t.strip()[:50] for t in tags if t.strip()})
        if clean != sorted(ticket.tags):
            changes["tags"] = (ticket.tags, clean)
            ticket.tags = clean
    if not changes:
        return ticket
    with transaction.atomic():
        ticket.save(update_fields=["priority", "topic", "subject", "tags", "updated_at"])
        event = FieldsChanged(
            ticket_id=ticket.pk,
            priority=changes.get("priority"),
            topic=changes.get("topic"),
            subject=changes.get("subject"),
            tags=changes.get("tags"),
        )
        record([event], actor=actor)
    return ticket


def do_hold_for_agent(*, ticket: Ticket, actor: Actor, tag: str, note: str) -> Message:
    """Park a ticket until an agent decides: tagged, pending, with an internal note.

    One transaction: a message held because its sender is not the ticket's customer, or
    because it claims a ticket without authentication, is never seen half-held (tagged
    but open, or pending with no note saying why).
    """
    _check_can_write(actor)
    now = timezone.now()
    with transaction.atomic():
        ticket = ticket_for_update(ticket_id=ticket.pk)
        old_tags, old_status = list(ticket.tags), ticket.status
        ticket.tags = sorted({*old_tags, tag})
        ticket.status = Status.PENDING
        ticket.last_activity_at = now
        ticket.save(update_fields=["tags", "status", "last_activity_at", "updated_at"])
        message = insert(
            Message(
                ticket=ticket,
                direction=Direction.OUT,
                kind=MessageKind.NOTE,
                author_user=actor.user,
                text=note,
                delivery_state=DeliveryState.NONE,
                created_at=now,
            )
        )
        events: list[DomainEvent] = [
            FieldsChanged(ticket_id=ticket.pk, tags=(old_tags, ticket.tags)),
            NoteAdded(ticket_id=ticket.pk, message_id=message.pk),
        ]
        if old_status != Status.PENDING:
            events.insert(1, StatusChanged(ticket_id=ticket.pk, old=old_status, new=Status.PENDING))
        record(events, actor=actor)
    return message


def do_merge_tickets(*, source: Ticket, target: Ticket, actor: Actor) -> Ticket:
    """Merge a duplicate into another ticket: its messages move, it closes, both are linked."""
    _check_can_write(actor)
    if source.pk == target.pk:
        raise DomainError(_("A ticket cannot be merged into itself."), code="merge_into_self")
    if target.status == Status.CLOSED or target.merged_into_id:
        raise DomainError(
            _("Cannot merge into a closed or merged ticket."), code="merge_target_closed"
        )
    if source.merged_into_id:
        raise DomainError(_("This ticket was already merged."), code="already_merged")
    now = timezone.now()
    with transaction.atomic():
        moved = Message.objects.filter(ticket=source).update(ticket=target)
        source.merged_into = target
        source.status = Status.CLOSED
        source.closed_at = now
        source.save(update_fields=["merged_into", "status", "closed_at", "updated_at"])
        target.last_activity_at = now
        target.save(update_fields=["last_activity_at", "updated_at"])
        TicketLink.objects.create(from_ticket=source, to_ticket=target, kind=TicketLink.Kind.MERGED)
        record(
            [
                MergedInto(ticket_id=source.pk, target=target.reference, messages=moved),
                MergedFrom(ticket_id=target.pk, source=source.reference, messages=moved),
            ],
            actor=actor,
        )
    return target
