"""Reads for the app API: a customer's inquiries with unread counts, and their threads.

The app shows the customer only what was said to them: public messages, never internal
notes or system lines. "Unread" is an agent's public reply newer than the customer's
read marker.
"""

from __future__ import annotations

import datetime as dt

from django.db.models import Count, F, OuterRef, Q, QuerySet, Subquery

from sangdam.connectors.app.models import ReadMarker
from sangdam.customers.models import Customer
from sangdam.tickets.models import Direction, Message, MessageKind, Ticket
from sangdam.tickets.selectors import MAX_PAGE_SIZE, InvalidQuery, decode_cursor, encode_cursor


def _position(cursor: str) -> tuple[dt.datetime, int]:
    """(created_at, id) from a cursor; anything else is an invalid query (422)."""
    at, pk = decode_cursor(cursor)
    try:
        when = dt.datetime.fromisoformat(str(at))
    except ValueError as exc:
        raise InvalidQuery("cursor is not valid") from exc
    if when.tzinfo is None or not isinstance(pk, int) or isinstance(pk, bool):
        raise InvalidQuery("cursor is not valid")
    return when, pk


_UNREAD = Q(messages__direction=Direction.OUT, messages__kind=MessageKind.PUBLIC) & (
    Q(read_at__isnull=True) | Q(messages__created_at__gt=F("read_at"))
)


def _with_unread(qs: QuerySet[Ticket]) -> QuerySet[Ticket]:
    marker = ReadMarker.objects.filter(ticket=OuterRef("pk")).values("read_at")[:1]
    return qs.annotate(read_at=Subquery(marker)).annotate(
        unread_count=Count("messages", filter=_UNREAD)
    )


def inquiry_page(
    *, customer: Customer | None, cursor: str = "", limit: int = 20
) -> tuple[list[Ticket], str | None]:
    """The customer's inquiries, newest first, keyset-paged on (created_at, id)."""
    position = _position(cursor) if cursor else None
    if customer is None:
        return [], None
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    qs = Ticket.objects.filter(customer=customer).select_related("topic")
    if position:
        when, pk = position
        qs = qs.filter(Q(created_at__lt=when) | Q(created_at=when, id__lt=pk))
    items = list(_with_unread(qs).order_by("-created_at", "-id")[: limit + 1])
    if len(items) <= limit:
        return items, None
    items = items[:limit]
    return items, encode_cursor([items[-1].created_at.isoformat(), items[-1].pk])


def inquiry_of(*, customer: Customer | None, ticket_id: int) -> Ticket | None:
    """One of the customer's inquiries; someone else's is the same as none (404)."""
    if customer is None:
        return None
    qs = Ticket.objects.filter(customer=customer, pk=ticket_id).select_related("topic")
    return _with_unread(qs).first()


def unread_count(*, ticket: Ticket) -> int:
    marker = ReadMarker.objects.filter(ticket=ticket).values_list("read_at", flat=True).first()
    qs = ticket.messages.filter(direction=Direction.OUT, kind=MessageKind.PUBLIC)
    if marker is not None:
        qs = qs.filter(created_at__gt=marker)
    return qs.count()


def total_unread(*, customer: Customer) -> int:
    """Across every inquiry: the badge number on the app icon."""
    return sum(int(getattr(t, "unread_count", 0)) for t in _with_unread(customer_tickets(customer)))


def customer_tickets(customer: Customer) -> QuerySet[Ticket]:
    return Ticket.objects.filter(customer=customer)


def thread_page(
    *, ticket: Ticket, cursor: str = "", limit: int = 50
) -> tuple[list[Message], str | None]:
    """Public messages oldest first, keyset-paged on (created_at, id)."""
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    qs = (
        ticket.messages.filter(kind=MessageKind.PUBLIC)
        .select_related("author_user")
        .prefetch_related("attachments")
    )
    if cursor:
        when, pk = _position(cursor)
        qs = qs.filter(Q(created_at__gt=when) | Q(created_at=when, id__gt=pk))
    items = list(qs.order_by("created_at", "id")[: limit + 1])
    if len(items) <= limit:
        return items, None
    items = items[:limit]
    return items, encode_cursor([items[-1].created_at.isoformat(), items[-1].pk])
