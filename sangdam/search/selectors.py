"""The read side: a search box's text and filters to ranked, highlighted tickets."""

from __future__ import annotations

import html
import re
from dataclasses import dataclass, field

from django.utils.safestring import SafeString, mark_safe

from sangdam.search.analyzer import Query, parse_query
from sangdam.search.backends import get_backend
from sangdam.search.backends.base import SearchFilters
from sangdam.tickets.models import Message, Ticket

MAX_LIMIT = 100
COUNT_LIMIT = 1000
SNIPPET_CHARS = 180


@dataclass
class SearchHit:
    ticket: Ticket
    snippet: SafeString  # HTML: escaped text with <mark> around what matched
    subject: SafeString


@dataclass
class SearchResult:
    query: Query
    hits: list[SearchHit] = field(default_factory=list)
    total: int = 0
    more: bool = False  # more than ``total`` matched (counting stopped)


def search_tickets(
    *, q: str, filters: SearchFilters | None = None, limit: int = 25, offset: int = 0
) -> SearchResult:
    """Tickets matching ``q`` (every word, in any inflected form), best first."""
    query = parse_query(q)
    result = SearchResult(query=query)
    if not query:
        return result
    limit = max(1, min(limit, MAX_LIMIT))
    found = get_backend().search(
        query,
        filters=filters or SearchFilters(),
        limit=limit,
        offset=max(0, offset),
        count_limit=COUNT_LIMIT,
    )
    result.total, result.more = found.total, found.more
    if not found.ids:
        return result
    tickets = (
        Ticket.objects.filter(pk__in=found.ids)
        .select_related("customer", "channel", "topic", "assignee", "team")
        .defer("channel__secrets", "channel__config", "customer__notes")
        .in_bulk()
    )
    texts: dict[int, list[str]] = {}
    # Ordered here, not in SQL: ORDER BY id can make SQLite walk every message in id order
    # instead of using the ticket index.
    rows = Message.objects.filter(ticket_id__in=found.ids).order_by()
    for ticket_id, _id, text in sorted(
        rows.values_list("ticket_id", "id", "text"), key=lambda row: row[1]
    ):
        texts.setdefault(ticket_id, []).append(text)
    pattern = mark_pattern(query)
    for pk in found.ids:
        ticket = tickets.get(pk)
        if ticket is None:
            continue  # deleted since it was indexed
        result.hits.append(
            SearchHit(
                ticket=ticket,
                snippet=snippet(texts.get(pk, []), pattern),
                subject=highlight(ticket.subject, pattern),
            )
        )
    return result


def mark_pattern(query: Query) -> re.Pattern[str] | None:
    """What to mark: the query's words and the stems they yield (``환불했어요`` marks
    ``환불`` in ``환불했는데``), longest first."""
    # One-syllable stems (오 of 와요, 안) would mark every 안녕하세요: left out.
    words = sorted({m for m in query.marks if len(m.strip()) > 1}, key=len, reverse=True)
    if not words:
        return None
    return re.compile("|".join(re.escape(w) for w in words), re.IGNORECASE)


def highlight(text: str, pattern: re.Pattern[str] | None) -> SafeString:
    if pattern is None:
        return mark_safe(html.escape(text))  # noqa: S308 (escaped)
    out: list[str] = []
    last = 0
    for match in pattern.finditer(text):
        out.append(html.escape(text[last : match.start()]))
        out.append(f"<mark>{html.escape(match.group())}</mark>")
        last = match.end()
    out.append(html.escape(text[last:]))
    return mark_safe("".join(out))  # noqa: S308 (every part escaped)


def snippet(texts: list[str], pattern: re.Pattern[str] | None) -> SafeString:
    """A window of the message that matches most of the query, marked."""
    best, best_score, at = "", -1, 0
    for text in texts:
        if pattern is None:
            score, first = 0, 0
        else:
            matches = list(pattern.finditer(text))
            score = len({m.group().lower() for m in matches})
            first = matches[0].start() if matches else 0
        if score > best_score:
            best, best_score, at = text, score, first
    start = max(0, at - SNIPPET_CHARS // 3)
    window = " ".join(best[start : start + SNIPPET_CHARS].split())
    prefix = "… " if start > 0 else ""
    suffix = " …" if start + SNIPPET_CHARS < len(best) else ""
    return mark_safe(prefix + highlight(window, pattern) + suffix)  # noqa: S308


def filters_for_view(
    *,
    view: str,
    user_id: int | None,
    status: str = "",
    channel: str = "",
    assignee: int | None = None,
    **rest: object,
) -> SearchFilters:
    """The inbox's views (``mine``, ``open``, ...) as search filters, for the API's ``q``."""
    from sangdam.tickets.selectors import OPEN_STATUSES

    statuses: tuple[str, ...] = ()
    if view == "mine":
        statuses, assignee = tuple(OPEN_STATUSES), user_id
    elif view == "unassigned":
        statuses, assignee = tuple(OPEN_STATUSES), 0
    elif view == "open":
        statuses = tuple(OPEN_STATUSES)
    elif view == "pending":
        statuses = ("pending",)
    elif view == "solved":
        statuses = ("solved", "closed")
    if status:
        statuses = tuple(s for s in statuses if s == status) if statuses else (status,)
        if not statuses:
            statuses = ("-",)  # a view and a status that exclude each other: nothing
    return SearchFilters(statuses=statuses, channel=channel, assignee=assignee, **rest)  # type: ignore[arg-type]
