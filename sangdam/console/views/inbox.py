"""The unified inbox: every channel in one queue, filtered, sorted, paged by cursor."""

from __future__ import annotations

import time
from dataclasses import dataclass

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils import timezone
from django.utils.formats import number_format
from django.utils.http import urlencode
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _

from sangdam.accounts.models import User
from sangdam.connectors.models import ChannelKind
from sangdam.console.bulk import operations
from sangdam.console.forms import InboxFilterForm
from sangdam.console.inbox_rows import optgroups_html, rows_html
from sangdam.console.permissions import agent_of, agent_required
from sangdam.console.seen import markers
from sangdam.console.views.saved_views import current_query, visible_views
from sangdam.service.sla import sla_state
from sangdam.tickets.listing import ListedTicket
from sangdam.tickets.models import Priority, Status
from sangdam.tickets.selectors import (
    COUNT_CAP,
    MAX_PAGE_SIZE,
    InvalidQuery,
    TicketFilters,
    listed_page,
    ticket_count,
)

PAGE_SIZE = 50
LARGE_TOTAL, TOTAL_SECONDS = 1_000, 10.0
_totals: dict[tuple[object, ...], tuple[float, int]] = {}  # key -> (valid until, total)
TABS = [
    ("mine", gettext_lazy("Mine")),
    ("unassigned", gettext_lazy("Unassigned")),
    ("open", gettext_lazy("All open")),
    ("pending", gettext_lazy("Pending")),
    ("solved", gettext_lazy("Solved")),
]


# The inbox's channel icons (symbols in partials/icons.html); messengers share "chat".
CHANNEL_ICONS = {
    "email": "mail",
    "webform": "globe",
    "app": "device",
    "phone": "phone",
    "api": "code",
}


@dataclass(frozen=True)
class Row:
    """One inbox line, prepared in Python: per-row template tags ({% url %}, |date,
    get_*_display) cost ~0.3 ms a row, a third of a 100-row page (bench/inbox.py)."""

    ticket: ListedTicket
    url: str
    channel: str
    icon: str
    topic: str
    status: str
    priority: str
    iso_time: str
    time: str
    sla: str  # breached, due_soon, ok, paused, none
    sla_label: str
    due_iso: str
    due: str
    marker: str  # unread, updated or ""


def _rows(tickets: list[ListedTicket], marks: dict[int, str]) -> list[Row]:
    url = reverse("console:ticket", args=[987654321]).replace("987654321", "{}")
    statuses, priorities = dict(Status.choices), dict(Priority.choices)
    channels = {str(k): str(v) for k, v in ChannelKind.choices}
    labels = {
        **{k: str(v) for k, v in statuses.items()},
        **{k: str(v) for k, v in priorities.items()},
    }
    sla_labels = {
        "breached": _("Overdue"),
        "due_soon": _("Due soon"),
        "paused": "",  # the status pill already says pending
        "ok": "",
        "none": "",
    }
    now = timezone.now()
    # Once a page, not once a row: both read a context-local (asgiref) on every call.
    zone, language = timezone.get_current_timezone(), get_language()
    rows = []
    for ticket in tickets:
        local = ticket.last_activity_at.astimezone(zone)
        due = ticket.sla_due_at.astimezone(zone) if ticket.sla_due_at else None
        state = sla_state(status=ticket.status, due=ticket.sla_due_at, now=now)
        rows.append(
            Row(
                ticket=ticket,
                url=url.format(ticket.pk),
                channel=channels.get(ticket.channel.kind, ticket.channel.kind),
                icon=CHANNEL_ICONS.get(ticket.channel.kind, "chat"),
                topic=ticket.topic.name(language) if ticket.topic else "",
                status=labels.get(ticket.status, ticket.status),
                priority=labels.get(ticket.priority, ticket.priority),
                iso_time=local.isoformat(),
                time=local.strftime("%Y-%m-%d %H:%M"),
                sla=state,
                sla_label=sla_labels[state],
                due_iso=due.isoformat() if due else "",
                due=due.strftime("%m-%d %H:%M") if due else "",
                marker=marks.get(ticket.pk, ""),
            )
        )
    return rows


def _page_size(request: HttpRequest) -> int:
    try:
        return max(1, min(int(request.GET.get("limit", PAGE_SIZE)), MAX_PAGE_SIZE))
    except ValueError:
        return PAGE_SIZE


def _start(request: HttpRequest) -> int:
    """How many rows come before this page (carried in the page links next to the cursor)."""
    raw = request.GET.get("start", "0")
    return int(raw) if raw.isascii() and raw.isdigit() and request.GET.get("cursor") else 0


def _count_cap() -> int:
    # A setting so a small deployment can count further (and tests can reach the cap).
    return int(getattr(settings, "INBOX_COUNT_CAP", COUNT_CAP))


def _range_label(*, start: int, shown: int, total: int, cap: int) -> str:
    """ "1–50 of 1,234", or "10,001–10,050 of 10,000+" past the counting cap."""

    def n(value: int) -> str:
        return number_format(value, force_grouping=True)

    of = n(total) if total <= cap else _("%(count)s+") % {"count": n(cap)}
    if not shown:
        return ""
    return _("%(first)s–%(last)s of %(total)s") % {
        "first": n(start + 1),
        "last": n(start + shown),
        "total": of,
    }


def _total(agent: User, filters: TicketFilters, cap: int) -> int:
    """The page's total; a large one is remembered in this process for a few seconds.

    Counting 10,000 matches costs 2-17 ms at 1M tickets, and the live inbox re-renders
    the page of every agent watching a view on each change. "of 7,800" a few seconds
    old is true enough; a total under ``LARGE_TOTAL`` is counted on every page.
    """
    key = (filters, agent.pk if filters.view == "mine" else None, cap)
    now = time.monotonic()
    hit = _totals.get(key)
    if hit is not None and hit[0] > now:
        return hit[1]
    total = ticket_count(user=agent, filters=filters, cap=cap)
    if total >= LARGE_TOTAL:
        if len(_totals) >= 1_000:  # a bound, not an LRU: views are few
            _totals.clear()
        _totals[key] = (now + TOTAL_SECONDS, total)
    return total


def _context(request: HttpRequest) -> dict[str, object]:
    form = InboxFilterForm(request.GET or None)
    filters = form.filters()
    error = ""
    cap = _count_cap()
    # Counted first: the count tells a filtered page how to read its rows.
    total = _total(agent_of(request), filters, cap)
    try:
        page = listed_page(
            user=agent_of(request),
            filters=filters,
            cursor=request.GET.get("cursor", ""),
            limit=_page_size(request),
            total=total,
        )
    except InvalidQuery:
        # A stale or hand-edited cursor: show the first page rather than nothing.
        error = _("That page link is no longer valid; showing the first page.")
        page = listed_page(
            user=agent_of(request), filters=filters, limit=_page_size(request), total=total
        )
    start = _start(request) if not error else 0
    # Links keep every filter; only the cursor and the position change.
    kept: list[tuple[str, str]] = [
        (k, str(v)) for k, v in request.GET.items() if k not in ("cursor", "start") and v
    ]
    next_url = (
        "?" + urlencode([*kept, ("cursor", page.next_cursor), ("start", start + len(page.items))])
        if page.next_cursor
        else ""
    )
    base = [(k, v) for k, v in kept if k != "view"]
    tabs = [
        {"view": view, "label": label, "url": "?" + urlencode([*base, ("view", view)])}
        for view, label in TABS
    ]
    agent = agent_of(request)
    rows = _rows(page.items, markers(user_id=agent.pk, tickets=page.items))
    return {
        "form": form,
        "page": page,
        "rows": rows,
        "rows_html": rows_html(rows, can_write=agent.can_write),
        "view": filters.view,
        "tabs": tabs,
        "next_url": next_url,
        "first_url": "?" + urlencode(kept) if request.GET.get("cursor") else "",
        "total": total,
        "range_label": _range_label(start=start, shown=len(page.items), total=total, cap=cap),
        "error": error,
    }


# A page filtered by any of these shows the filter form open.
OPEN_FILTERS = ("channel", "topic", "status", "priority", "assignee", "team", "language", "sort")


@agent_required
def inbox(request: HttpRequest) -> HttpResponse:
    context = _context(request)
    context["bulk_ops_html"] = optgroups_html(operations(me=agent_of(request)))
    context["saved_views"] = visible_views(user_id=agent_of(request).pk)
    context["current_query"] = current_query(request)
    context["filters_open"] = any(request.GET.get(k) for k in OPEN_FILTERS)
    return render(request, "console/inbox.html", context)


@agent_required
def inbox_list(request: HttpRequest) -> HttpResponse:
    """The list alone, for the live refresh (htmx swaps it in place)."""
    return render(request, "console/partials/inbox_list.html", _context(request))
