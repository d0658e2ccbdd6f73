"""Reads of tickets for the inbox, the ticket page and the API.

Inbox pages use keyset pagination on (sort key, id): the cost of a page does not grow
with how deep the agent scrolls, and the query count does not grow with page size.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any, TypeVar

from django.db.models import Q, QuerySet

from sangdam.accounts.models import User
from sangdam.core.compiled import MARKER, CompiledQuery
from sangdam.core.memo import Memo
from sangdam.tickets import inbox_plan
from sangdam.tickets.listing import ListedTicket, channel_ids, listed, topic_ids
from sangdam.tickets.models import Attachment, Message, Status, Ticket, TicketLink, Topic

VIEWS = ("mine", "unassigned", "open", "pending", "solved", "all")
OPEN_STATUSES = (Status.NEW, Status.OPEN, Status.PENDING)
SORTS = ("activity", "due")
MAX_PAGE_SIZE = 100
COUNT_CAP = 10_000  # inbox totals beyond this show as "10,000+"


class InvalidQuery(ValueError):
    """A filter, sort or cursor the caller sent does not make sense."""


@dataclass(frozen=True)
class TicketFilters:
    view: str = "open"
    channel: str = ""  # channel kind
    topic: str = ""  # topic slug
    status: str = ""
    priority: str = ""
    assignee: int | None = None
    team: int | None = None
    language: str = ""
    customer: int | None = None
    sort: str = "activity"


@dataclass
class TicketPage:
    items: list[Ticket]
    next_cursor: str | None
    filters: TicketFilters = field(default_factory=TicketFilters)


@dataclass
class ListedPage:
    items: list[ListedTicket]
    next_cursor: str | None
    filters: TicketFilters = field(default_factory=TicketFilters)


def encode_cursor(values: list[Any]) -> str:
    raw = json.dumps(values, default=str, separators=(",", ":")).encode()
    return base64.urlsafe_b64encode(raw).decode().rstrip("=")


def decode_cursor(cursor: str) -> list[Any]:
    try:
        padded = cursor + "=" * (-len(cursor) % 4)
        values = json.loads(base64.urlsafe_b64decode(padded.encode()))
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidQuery("cursor is not valid") from exc
    if not isinstance(values, list) or len(values) != 2 or type(values[1]) is not int:
        raise InvalidQuery("cursor is not valid")
    return values


def _filtered(user: User | None, f: TicketFilters) -> QuerySet[Ticket]:
    if f.view not in VIEWS:
        raise InvalidQuery(f"unknown view {f.view!r}")
    qs = Ticket.objects.filter(merged_into__isnull=True)
    if f.view == "mine":
        qs = qs.filter(assignee=user, status__in=OPEN_STATUSES)
    elif f.view == "unassigned":
        qs = qs.filter(assignee__isnull=True, status__in=OPEN_STATUSES)
    elif f.view == "open":
        qs = qs.filter(status__in=OPEN_STATUSES)
    elif f.view == "pending":
        qs = qs.filter(status=Status.PENDING)
    elif f.view == "solved":
        qs = qs.filter(status__in=(Status.SOLVED, Status.CLOSED))
    if f.status:
        if f.status not in Status.values:
            raise InvalidQuery(f"unknown status {f.status!r}")
        qs = qs.filter(status=f.status)
    # By ids the capped count stays an index-only scan; a join to channels or topics made
    # it read the tickets (bench/inbox.py at 1M: "open+email+high" count 9 -> 7.5 ms).
    if f.channel:
        qs = qs.filter(channel_id__in=channel_ids(f.channel))
    if f.topic:
        qs = qs.filter(topic_id__in=topic_ids(f.topic))
    if f.priority:
        qs = qs.filter(priority=f.priority)
    if f.assignee is not None:
        qs = qs.filter(assignee_id=f.assignee)
    if f.team is not None:
        qs = qs.filter(team_id=f.team)
    if f.language:
        qs = qs.filter(language=f.language)
    if f.customer is not None:
        qs = qs.filter(customer_id=f.customer)
    return qs


def ticket_page(
    *, user: User | None, filters: TicketFilters, cursor: str = "", limit: int = 50
) -> TicketPage:
    """One page of tickets (the API's), newest activity first (or soonest due first).

    A page filtered by a column no index is ordered by is counted first (capped), as the
    inbox does: the count picks how its rows are read (:mod:`sangdam.tickets.inbox_plan`).
    """
    total = None
    if filters.sort == "activity" and _beyond_order(filters):
        total = ticket_count(user=user, filters=filters)
    items, next_cursor = _page(user, filters, cursor, limit, _tickets, _clock_due, total)
    return TicketPage(items=items, next_cursor=next_cursor, filters=filters)


def listed_page(
    *,
    user: User | None,
    filters: TicketFilters,
    cursor: str = "",
    limit: int = 50,
    total: int | None = None,
) -> ListedPage:
    """The same page as :func:`ticket_page`, as inbox rows (:mod:`sangdam.tickets.listing`).

    ``total``, the page's :func:`ticket_count` when the caller has it, lets a filtered
    page choose how to read its rows (:mod:`sangdam.tickets.inbox_plan`).
    """
    items, next_cursor = _page(user, filters, cursor, limit, listed, _listed_due, total)
    return ListedPage(items=items, next_cursor=next_cursor, filters=filters)


T = TypeVar("T", Ticket, ListedTicket)


def _page(
    user: User | None,
    filters: TicketFilters,
    cursor: str,
    limit: int,
    fetch: Callable[[QuerySet[Ticket], int], list[T]],
    due_of: Callable[[T], dt.datetime | None],
    total: int | None = None,
) -> tuple[list[T], str | None]:
    if filters.sort not in SORTS:
        raise InvalidQuery(f"unknown sort {filters.sort!r}")
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    qs = _filtered(user, filters)
    keys: list[dt.datetime | None]
    if filters.sort == "activity":
        if cursor:
            at, pk = decode_cursor(cursor)
            when = _parse_time(at)
            qs = qs.filter(Q(last_activity_at__lt=when) | Q(last_activity_at=when, id__lt=pk))
        if (
            total is not None
            and _beyond_order(filters)
            and inbox_plan.walk_in_order(matches=total, page=limit + 1, db=qs.db)
        ):
            qs = qs.filter(pk__in=inbox_plan.ids_in_order(qs, limit + 1))
        items = fetch(qs.order_by("-last_activity_at", "-id"), limit + 1)
        keys = [item.last_activity_at for item in items]
    else:
        items, keys = _soonest_due(qs, cursor, limit + 1, fetch, due_of)
    if len(items) <= limit:
        return items, None
    key = keys[limit - 1]
    return items[:limit], encode_cursor([key.isoformat() if key else None, items[limit - 1].pk])


def _soonest_due(
    qs: QuerySet[Ticket],
    cursor: str,
    count: int,
    fetch: Callable[[QuerySet[Ticket], int], list[T]],
    due_of: Callable[[T], dt.datetime | None],
) -> tuple[list[T], list[dt.datetime | None]]:
    """Up to ``count`` tickets, soonest SLA due time first (the earliest running clock:
    next reply or resolution), then the tickets without one, by id; with their keys.

    Two queries, not one ordered with NULLS LAST: the due times live on the clock rows,
    and only the tickets that have one can be read in the order of the clocks' index.
    """
    due, pk = decode_cursor(cursor) if cursor else (None, 0)
    items: list[T] = []
    keys: list[dt.datetime | None] = []
    if not cursor or due is not None:
        timed = qs.filter(sla_clock__sla_due_at__isnull=False)
        if cursor:
            when = _parse_time(due)
            timed = timed.filter(
                Q(sla_clock__sla_due_at__gt=when) | Q(sla_clock__sla_due_at=when, id__gt=pk)
            )
        items = fetch(timed.order_by("sla_clock__sla_due_at", "id"), count)
        keys = [due_of(item) for item in items]
        pk = 0  # the untimed tickets start from the first
    if len(items) < count:
        untimed = qs.filter(sla_clock__sla_due_at__isnull=True, id__gt=pk).order_by("id")
        rest = fetch(untimed, count - len(items))
        items += rest
        keys += [None] * len(rest)
    return items, keys


def _tickets(qs: QuerySet[Ticket], count: int) -> list[Ticket]:
    # A channel's settings are never shown here; loading them decrypted its secrets.
    qs = qs.select_related(
        "customer", "channel", "topic", "assignee", "team", "sla_clock__policy"
    ).defer("channel__secrets", "channel__config", "customer__notes")
    return list(qs[:count])


def _clock_due(ticket: Ticket) -> dt.datetime | None:
    return ticket.sla_clock.sla_due_at  # a timed ticket: it has a clock


def _listed_due(item: ListedTicket) -> dt.datetime | None:
    return item.sla_due_at


def ticket_count(*, user: User | None, filters: TicketFilters, cap: int = COUNT_CAP) -> int:
    """How many tickets the filters match, counted exactly up to ``cap``.

    Returns ``cap + 1`` when there are more. ``COUNT(*)`` over a LIMIT subquery stops
    after ``cap + 1`` index entries: a busy "all open" view at 1M tickets costs the
    same as a small one, where a plain count would walk every matching row.
    """
    qs = _filtered(user, filters)
    if _beyond_order(filters):
        return inbox_plan.capped_count(qs, cap)
    return qs.order_by().values("id")[: cap + 1].count()


def _beyond_order(f: TicketFilters) -> bool:
    """Filtered by a column no index is ordered by (a customer's tickets are few anyway)."""
    return f.customer is None and inbox_plan.filtered_beyond_order(
        channel=f.channel, topic=f.topic, priority=f.priority, language=f.language
    )


def _parse_time(value: Any) -> dt.datetime:
    try:
        return dt.datetime.fromisoformat(str(value))
    except ValueError as exc:
        raise InvalidQuery("cursor is not valid") from exc


def ticket_detail(*, ticket_id: int) -> Ticket | None:
    """The ticket with what its pages show (customer, channel, topic, people, SLA clock),
    by the compiled lookup: compiling the seven joins was three quarters of the thank-you
    page's query (a quarter of the server's CPU in bench/form.py, whose every submission
    opens its thank-you page)."""
    if ticket_id > MAX_ID:
        return None
    found = _LOOKUPS[True, True].objects(ticket_id)
    return found[0] if found else None


def ticket_by_reference(*, reference: str) -> Ticket | None:
    return Ticket.objects.select_related("customer", "channel").filter(reference=reference).first()


def ticket_messages(*, ticket: Ticket, include_notes: bool = True) -> list[Message]:
    qs = ticket.messages.select_related(
        "author_user", "author_customer", "channel"
    ).prefetch_related("attachments")
    if not include_notes:
        qs = qs.exclude(kind="note")
    return list(qs.order_by("created_at", "id"))


def customer_tickets(
    *, customer_id: int, exclude: int | None = None, limit: int = 20
) -> list[Ticket]:
    """The customer's tickets on every channel, newest first."""
    qs = Ticket.objects.filter(customer_id=customer_id).select_related("channel")
    if exclude is not None:
        qs = qs.exclude(pk=exclude)
    return list(qs.order_by("-created_at", "-id")[:limit])


def attachment_detail(*, attachment_id: int) -> Attachment | None:
    """An attachment with its message's ticket, for the download view."""
    return Attachment.objects.select_related("message__ticket").filter(pk=attachment_id).first()


def ticket_lookup(*, key: str, shape: bool = True) -> Ticket | None:
    """A ticket by id ("123") or reference ("SD-240123"). ``shape``: with what the API's
    ticket shape shows (seven joins); without, the row alone, for writing to the ticket
    or reading its messages (compiling the joins was a third of a reply's CPU)."""
    by_id = key.isascii() and key.isdigit()  # "²".isdigit() is True, but int() refuses it
    value = int(key) if by_id else key.strip()
    if by_id and int(value) > MAX_ID:
        return None  # no row has it (the ORM knew; a compiled query hands it to the driver)
    found = _LOOKUPS[shape, by_id].objects(value)
    return found[0] if found else None


def _lookup(shape: bool, by_id: bool) -> CompiledQuery[Ticket]:
    def build(value: int | str) -> QuerySet[Ticket]:
        qs = (
            Ticket.objects.select_related(
                "customer",
                "channel",
                "topic",
                "assignee",
                "team",
                "merged_into",
                "sla_clock__policy",
            )
            if shape
            else Ticket.objects.all()
        )
        return qs.filter(pk=value) if by_id else qs.filter(reference=value)

    return CompiledQuery(Ticket, build, MARKER if by_id else "\x00reference")


MAX_ID = 2**63 - 1  # BigAutoField
# Every API call on a ticket and every reply reads these: compiled once (core/compiled.py).
_LOOKUPS = {
    (shape, by_id): _lookup(shape, by_id) for shape in (True, False) for by_id in (True, False)
}
_LOCKED = CompiledQuery(Ticket, lambda pk: Ticket.objects.select_for_update().filter(pk=pk), MARKER)


def ticket_for_update(*, ticket_id: int) -> Ticket:
    """The ticket row, locked until the caller's transaction ends (call inside one)."""
    found = _LOCKED.objects(ticket_id)
    if not found:
        raise Ticket.DoesNotExist(f"no ticket {ticket_id}")
    return found[0]


def message_page(
    *, ticket: Ticket, cursor: str = "", limit: int = 50, include_notes: bool = True
) -> tuple[list[Message], str | None]:
    """A ticket's messages oldest first, keyset-paged on (created_at, id)."""
    limit = max(1, min(limit, MAX_PAGE_SIZE))
    qs = ticket.messages.select_related("author_user", "author_customer").prefetch_related(
        "attachments"
    )
    if not include_notes:
        qs = qs.exclude(kind="note")
    if cursor:
        at, pk = decode_cursor(cursor)
        when = _parse_time(at)
        qs = qs.filter(Q(created_at__gt=when) | Q(created_at=when, id__gt=pk))
    items = list(qs.order_by("created_at", "id")[: limit + 1])
    if len(items) <= limit:
        return items, None
    items = items[:limit]
    return items, encode_cursor([items[-1].created_at.isoformat(), items[-1].pk])


_topics = Memo(Topic)


def _all_topics() -> list[Topic]:
    return _topics.get("all", lambda: list(Topic.objects.order_by("position", "slug")))


def topic_list(*, include_inactive: bool = False) -> list[Topic]:
    """Topics in form order (kept per process for a few seconds: core/memo.py)."""
    return [t for t in _all_topics() if include_inactive or t.active]


def topic_by_slug(*, slug: str) -> Topic | None:
    return next((t for t in _all_topics() if t.slug == slug), None)


# A message whose sender is not the customer of the ticket it refers to, held for an
# agent (Channel.config["mismatched_sender"] == "hold", see connectors/intake.py).
HELD_SENDER_TAG = "held-sender-mismatch"


def held_original(*, ticket: Ticket) -> Ticket | None:
    """The ticket a held message refers to (its sender is not that ticket's customer), while
    the message waits for an agent's decision; None when nothing is held."""
    if HELD_SENDER_TAG not in (ticket.tags or []) or ticket.merged_into_id:
        return None
    link = (
        TicketLink.objects.filter(from_ticket=ticket, kind=TicketLink.Kind.FOLLOW_UP)
        .select_related("to_ticket")
        .order_by("-id")
        .first()
    )
    if link is None:
        return None
    original = link.to_ticket
    seen: set[int] = set()
    while original.merged_into_id and original.pk not in seen:
        # The original was merged since: the message belongs with what it became.
        seen.add(original.pk)
        original = Ticket.objects.get(pk=original.merged_into_id)
    return original


def messages_since(*, ticket: Ticket, after_id: int, excluding_author: int | None) -> list[Message]:
    """Messages added to the ticket after ``after_id`` by anyone but ``excluding_author``:
    what a colleague or the customer wrote while an agent was typing a reply."""
    qs = (
        ticket.messages.filter(pk__gt=after_id)
        .exclude(kind="system")
        .select_related("author_user", "author_customer", "channel")
        .prefetch_related("attachments")
    )
    if excluding_author is not None:
        qs = qs.exclude(author_user_id=excluding_author)
    return list(qs.order_by("created_at", "id"))
