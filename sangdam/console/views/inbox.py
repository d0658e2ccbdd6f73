"""The unified inbox: every channel in one queue, filtered, sorted, paged by cursor."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sangdam.console.forms import InboxFilterForm
from sangdam.console.permissions import agent_of, agent_required
from sangdam.tickets.selectors import MAX_PAGE_SIZE, InvalidQuery, ticket_page

PAGE_SIZE = 50
TABS = [
    ("mine", gettext_lazy("Mine")),
    ("unassigned", gettext_lazy("Unassigned")),
    ("open", gettext_lazy("All open")),
    ("pending", gettext_lazy("Pending")),
    ("solved", gettext_lazy("Solved")),
]


def _page_size(request: HttpRequest) -> int:
    try:
        return max(1, min(int(request.GET.get("limit", PAGE_SIZE)), MAX_PAGE_SIZE))
    except ValueError:
        return PAGE_SIZE


def _context(request: HttpRequest) -> dict[str, object]:
    form = InboxFilterForm(request.GET or None)
    filters = form.filters()
    error = ""
    try:
        page = ticket_page(
            user=agent_of(request),
            filters=filters,
            cursor=request.GET.get("cursor", ""),
            limit=_page_size(request),
        )
    except InvalidQuery:
        # A stale or hand-edited cursor: show the first page rather than nothing.
        error = _("That page link is no longer valid; showing the first page.")
        page = ticket_page(user=agent_of(request), filters=filters, limit=_page_size(request))
    # Links keep every filter; only the cursor changes.
    kept: list[tuple[str, str]] = [
        (k, str(v)) for k, v in request.GET.items() if k != "cursor" and v
    ]
    next_url = "?" + urlencode([*kept, ("cursor", page.next_cursor)]) if page.next_cursor else ""
    base = [(k, v) for k, v in kept if k != "view"]
    tabs = [
        {"view": view, "label": label, "url": "?" + urlencode([*base, ("view", view)])}
        for view, label in TABS
    ]
    return {
        "form": form,
        "page": page,
        "view": filters.view,
        "tabs": tabs,
        "next_url": next_url,
        "first_url": "?" + urlencode(kept) if request.GET.get("cursor") else "",
        "error": error,
    }


@agent_required
def inbox(request: HttpRequest) -> HttpResponse:
    return render(request, "console/inbox.html", _context(request))


@agent_required
def inbox_list(request: HttpRequest) -> HttpResponse:
    """The list alone, for the live refresh (htmx swaps it in place)."""
    return render(request, "console/partials/inbox_list.html", _context(request))
