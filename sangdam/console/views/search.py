"""The search page: one box over references, subjects, messages and customers, with
filters; results ranked and the matching words marked."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone
from django.utils.http import urlencode

from sangdam.connectors.models import ChannelKind
from sangdam.console.permissions import agent_of, agent_required
from sangdam.console.search_forms import SearchForm
from sangdam.search.selectors import COUNT_LIMIT, search_tickets
from sangdam.tickets.models import Status

PAGE_SIZE = 25
# Ranked results are paged by offset; past this, narrow the search instead.
MAX_PAGES = COUNT_LIMIT // PAGE_SIZE


@agent_required
def search(request: HttpRequest) -> HttpResponse:
    form = SearchForm(request.GET or None)
    q = form.query()
    try:
        number = max(1, min(int(request.GET.get("page", "1")), MAX_PAGES))
    except ValueError:
        number = 1
    result = search_tickets(
        q=q,
        filters=form.filters(user_id=agent_of(request).pk),
        limit=PAGE_SIZE,
        offset=(number - 1) * PAGE_SIZE,
    )
    statuses, channels = dict(Status.choices), dict(ChannelKind.choices)
    rows = [
        {
            "hit": hit,
            "status": statuses.get(hit.ticket.status, hit.ticket.status),
            "channel": channels.get(hit.ticket.channel.kind, hit.ticket.channel.kind),
            "time": timezone.localtime(hit.ticket.last_activity_at),
        }
        for hit in result.hits
    ]
    pages = Paginator(range(result.total), PAGE_SIZE)
    kept: list[tuple[str, str]] = [(k, str(v)) for k, v in request.GET.items() if k != "page" and v]
    links = [
        {"number": n, "url": "?" + urlencode([*kept, ("page", str(n))]), "current": n == number}
        for n in pages.get_elided_page_range(number, on_each_side=2, on_ends=1)
        if isinstance(n, int)
    ]
    return render(
        request,
        "console/search.html",
        {
            "form": form,
            "q": q,
            "result": result,
            "rows": rows,
            "page_links": links if pages.num_pages > 1 else [],
            "prev_url": "?" + urlencode([*kept, ("page", str(number - 1))]) if number > 1 else "",
            "next_url": "?" + urlencode([*kept, ("page", str(number + 1))])
            if number < pages.num_pages
            else "",
            "section": "search",
            "filtered": any(request.GET.get(k) for k in form.fields if k != "q"),
        },
    )
