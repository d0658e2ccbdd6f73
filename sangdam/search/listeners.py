"""Keeping the index up to date: a task listener on the tickets' domain events.

It runs in the task worker right after the action's transaction commits (the intake's
too): the Korean analysis costs milliseconds of CPU per message, which the intake's
transaction should not hold its lock for. The task row is written in that transaction,
so no change is lost; `sangdam reindex_search` rebuilds everything from the tickets.
"""

from __future__ import annotations

from collections.abc import Sequence

from sangdam.search import indexer
from sangdam.tickets.dispatch import listener
from sangdam.tickets.events import (
    AgentReplied,
    CustomerMerged,
    CustomerReplied,
    DomainEvent,
    FieldsChanged,
    MergedFrom,
    MergedInto,
    NoteAdded,
    TicketOpened,
)
from sangdam.tickets.models import Ticket


@listener(
    TicketOpened,
    CustomerReplied,
    AgentReplied,
    NoteAdded,
    FieldsChanged,
    MergedInto,
    MergedFrom,
    CustomerMerged,
    batch=True,
    # A backlog's tickets indexed together: one read of tickets, messages and contacts,
    # one upsert (what changed is read from the tickets, not from the events' order).
    across=True,
)
def update_search_index(events: Sequence[DomainEvent]) -> None:
    """New messages are appended; a subject change, a merge or a customer merge rebuilds."""
    append: set[int] = set()
    rebuild: set[int] = set()
    heads: set[int] = set()
    opened = {e.ticket_id for e in events if isinstance(e, TicketOpened) and e.ticket_id}
    for event in events:
        if isinstance(event, CustomerMerged):
            heads.update(
                Ticket.objects.filter(customer_id=event.target).values_list("id", flat=True)
            )
        elif event.ticket_id is None:
            continue
        elif isinstance(event, MergedFrom | MergedInto):
            rebuild.add(event.ticket_id)  # messages moved: order changed; or gone
        elif isinstance(event, FieldsChanged):
            if event.subject is not None:
                heads.add(event.ticket_id)
        else:
            append.add(event.ticket_id)
    if rebuild:
        indexer.index_tickets(rebuild, rebuild=True)
    if append - rebuild:
        indexer.index_tickets(append - rebuild, opened=opened)
    if heads - rebuild:
        indexer.refresh_heads(heads - rebuild)
