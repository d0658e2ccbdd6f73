"""The tickets domain's own reactions to its events.

The live push to agents' browsers runs right after commit in the acting process rather
than as a task: it is a few microseconds of channel-layer sends, it is best effort (a
browser that misses one sees the change on its next refresh), and a task would make every
inbox wait for a worker round trip and add a task row to each change, the intake's too.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from sangdam.core.live import INBOX_GROUP, publish, ticket_group
from sangdam.tickets.dispatch import listener
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
    TicketOpened,
)
from sangdam.tickets.models import Status

# What a browser hears, by event type; the first that applies wins when one action
# records several events on a ticket (a reopening reply is one "message_added").
LIVE_KINDS: tuple[tuple[tuple[type[DomainEvent], ...], str], ...] = (
    ((TicketOpened,), "ticket_created"),
    ((CustomerReplied, AgentReplied, NoteAdded), "message_added"),
    ((DeliveryChanged,), "delivery_changed"),
    ((StatusChanged, ChatEnded, Assigned, FieldsChanged, MergedInto, MergedFrom), "ticket_updated"),
)
LIVE_TYPES = tuple(t for types, _kind in LIVE_KINDS for t in types)


@listener(*LIVE_TYPES, on_commit=True, batch=True)
def push_live(events: Sequence[DomainEvent]) -> None:
    """One push per ticket and action to the inbox and to that ticket's page."""
    by_ticket: dict[int, list[DomainEvent]] = {}
    for event in events:
        if event.ticket_id is not None:
            by_ticket.setdefault(event.ticket_id, []).append(event)
    for ticket_id, mine in by_ticket.items():
        payload = _payload(ticket_id, mine)
        if payload is not None:
            publish([INBOX_GROUP, ticket_group(ticket_id)], payload)


def _payload(ticket_id: int, events: list[DomainEvent]) -> dict[str, Any] | None:
    for types, kind in LIVE_KINDS:
        event = next((e for e in events if isinstance(e, types)), None)
        if event is None:
            continue
        payload: dict[str, Any] = {"event": kind, "ticket_id": ticket_id}
        if isinstance(event, TicketOpened):
            payload["reference"] = event.reference
            # The opening message, when it came in the same action (an inquiry): the one
            # push the inbox gets for it.
            first = next((e for e in events if isinstance(e, CustomerReplied)), None)
            if first is not None:
                payload["message_id"] = first.message_id
        elif isinstance(event, CustomerReplied | AgentReplied | NoteAdded):
            payload["message_id"] = event.message_id
        elif isinstance(event, DeliveryChanged):
            payload.update(message_id=event.message_id, state=event.state)
        status = _new_status(events)
        if status:
            payload["status"] = status
        return payload
    return None


def _new_status(events: list[DomainEvent]) -> str:
    """The status the action left the ticket in, when it changed one (a chat's socket
    asks the database whether the chat ended only then)."""
    for event in reversed(events):
        if isinstance(event, StatusChanged):
            return event.new
        if isinstance(event, ChatEnded):
            return Status.SOLVED
        if isinstance(event, MergedInto):
            return Status.CLOSED
    return ""
