"""Agents' notifications: a ticket assigned to me, a customer's reply on my ticket, a
missed SLA target on my ticket or my team's (to the assignee and the team lead), and a
new live chat nobody has taken yet (to every online agent, or the online agents of the
chat's team: a customer is waiting in a chat window).

A task listener on the tickets' domain events writes one :class:`Notification` per agent
and event (unique on the event, so a retried listener adds nothing) and pushes it to the
agent's open console pages after commit; the browser shows it in the header and, if the
agent opted in, as a system notification with a sound.
"""

from __future__ import annotations

from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from sangdam.accounts.models import Presence, Role, Team, User
from sangdam.console.models import Notification
from sangdam.core.compiled import MARKER, CompiledQuery
from sangdam.core.live import publish, user_group
from sangdam.tickets.dispatch import listener
from sangdam.tickets.events import (
    Assigned,
    CustomerReplied,
    DomainEvent,
    SlaBreached,
    TicketOpened,
)
from sangdam.tickets.models import Event, Ticket


def _waiting_chat(ticket: Ticket) -> list[tuple[int, str]]:
    """Who hears of a new chat: nobody once it has an agent (routing gave it to someone,
    who hears "assigned to you"), else the online agents of its team, else all online."""
    if ticket.assignee_id is not None:
        return []
    online = User.objects.filter(is_active=True, presence=Presence.ONLINE).exclude(
        role=Role.READONLY
    )
    people = list(online.filter(teams=ticket.team_id)) if ticket.team_id else []
    people = people or list(online)
    return [(p.pk, Notification.Kind.NEW_CHAT) for p in people]


def _recipients(event: DomainEvent, ticket: Ticket) -> list[tuple[int, str]]:
    if isinstance(event, TicketOpened):
        return _waiting_chat(ticket) if event.channel == "livechat" else []
    if isinstance(event, SlaBreached):
        lead = None
        if ticket.team_id is not None:
            lead = Team.objects.filter(pk=ticket.team_id).values_list("lead_id", flat=True).first()
        people = {p for p in (ticket.assignee_id, lead) if p is not None}
        return [(p, Notification.Kind.SLA_BREACHED) for p in sorted(people)]
    found = _recipient(event, ticket)
    return [found] if found else []


def _recipient(event: DomainEvent, ticket: Ticket) -> tuple[int, str] | None:
    actor = event.meta.actor_user_id if event.meta else None
    if isinstance(event, Assigned):
        new = event.assignee[1] if event.assignee else None
        if new and new != actor:  # taking a ticket yourself is no news
            return int(new), Notification.Kind.ASSIGNED
    elif isinstance(event, CustomerReplied) and not event.automatic and ticket.assignee_id:
        # The listener runs a moment later in the worker: the ticket must have had an
        # assignee before this message came (a new inquiry assigned since is not a reply).
        assigned_before = Event.objects.filter(
            ticket_id=ticket.pk, kind=Assigned.kind, pk__lt=event.meta.event_id if event.meta else 0
        ).exists()
        if assigned_before:
            return ticket.assignee_id, Notification.Kind.CUSTOMER_REPLIED
    return None


# Read for every customer reply: compiled once (core/compiled.py).
_TICKET = CompiledQuery(
    Ticket,
    lambda pk: Ticket.objects.only("id", "reference", "subject", "assignee_id", "team_id").filter(
        pk=pk
    ),
    MARKER,
)


@listener(Assigned, CustomerReplied, SlaBreached, TicketOpened, batch=True)
def notify_agent(events: list[DomainEvent]) -> None:
    # Only a chat's opening is news, and a message on a ticket opened in this very
    # transaction, with nobody assigned since, is nobody's reply: a new inquiry reads
    # nothing here.
    unassigned: set[int] = set()
    for event in events:
        if event.ticket_id is None or event.meta is None:
            continue
        if isinstance(event, TicketOpened):
            unassigned.add(event.ticket_id)
            if event.channel != "livechat":
                continue
        elif isinstance(event, Assigned):
            unassigned.discard(event.ticket_id)
        elif isinstance(event, CustomerReplied) and (
            event.automatic or event.ticket_id in unassigned
        ):
            continue
        ticket = next(iter(_TICKET.objects(event.ticket_id)), None)
        if ticket is not None:
            for user_id, kind in _recipients(event, ticket):
                _notify(event, ticket, user_id, kind)


def _notify(event: DomainEvent, ticket: Ticket, user_id: int, kind: str) -> None:
    assert event.meta is not None
    _notification, created = Notification.objects.get_or_create(
        user_id=user_id,
        event_id=event.meta.event_id,
        defaults={"ticket": ticket, "kind": kind},
    )
    if not created:
        return
    payload = {
        "event": "notification",
        "kind": kind,
        "label": str(Notification.Kind(kind).label),
        "ticket_id": ticket.pk,
        "reference": ticket.reference,
        "subject": ticket.subject,
        "unread": unread(user_id=user_id).count(),
    }
    transaction.on_commit(lambda: publish([user_group(user_id)], payload))


def unread(*, user_id: int) -> QuerySet[Notification]:
    return Notification.objects.filter(user_id=user_id, read_at__isnull=True)


def recent(*, user_id: int, limit: int = 50) -> list[Notification]:
    return list(
        Notification.objects.filter(user_id=user_id)
        .select_related("ticket")
        .order_by("-created_at", "-id")[:limit]
    )


# The count as console/session_user.py reads it with the session's user.
UNREAD_FIELD = "unread_notifications"


def unread_count(user: User) -> int:
    """The header's count: read with the session's user (console/session_user.py) when it
    was, counted otherwise."""
    known = getattr(user, UNREAD_FIELD, None)
    if known is not None:
        return int(known)
    return unread(user_id=user.pk).count()


def mark_read(*, user: User, ticket_id: int | None = None) -> int:
    """Mark the agent's unread notifications read (those of one ticket, or all)."""
    qs = unread(user_id=user.pk)
    if ticket_id is not None:
        qs = qs.filter(ticket_id=ticket_id)
    done = qs.update(read_at=timezone.now())
    if done:
        setattr(user, UNREAD_FIELD, None)  # this page's header counts again
    return done
