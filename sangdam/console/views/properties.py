"""The ticket page's properties panel: each control saves at once, with an undo toast.

htmx posts one property at a time and swaps the panel (and the header summary) with the
answer; without JavaScript the same form posts, and the page reloads with a message.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from sangdam.console.permissions import agent_of, agent_required
from sangdam.console.properties import Change, change_property, panel_context
from sangdam.console.seen import mark_seen
from sangdam.console.views.ticket import ticket_or_404
from sangdam.tickets.actor import Actor
from sangdam.tickets.errors import DomainError
from sangdam.tickets.models import Ticket
from sangdam.tickets.selectors import ticket_detail


def _render_panel(
    request: HttpRequest, ticket: Ticket, *, change: Change | None = None, error: str = ""
) -> HttpResponse:
    context = panel_context(ticket)
    context.update(change=change, error=error, oob=True, undone=bool(request.POST.get("undo")))
    return render(request, "console/partials/properties.html", context)


@agent_required
def properties(request: HttpRequest, ticket_id: int) -> HttpResponse:
    """The panel alone, for the live refresh when a colleague changed the ticket."""
    return _render_panel(request, ticket_or_404(ticket_id))


@require_POST
@agent_required
def change(request: HttpRequest, ticket_id: int) -> HttpResponse:
    ticket = ticket_or_404(ticket_id)
    field = request.POST.get("field", "")
    result: Change | None = None
    error = ""
    try:
        result = change_property(
            ticket=ticket,
            actor=Actor.agent(agent_of(request)),
            field=field,
            value=request.POST.get("value", ""),
        )
    except DomainError as exc:
        error = exc.message
    mark_seen(user_id=agent_of(request).pk, ticket_id=ticket.pk)  # my own change is no news
    if not request.headers.get("HX-Request"):
        if error:
            messages.error(request, error)
        return redirect("console:ticket", ticket_id=ticket.pk)
    fresh = ticket_detail(ticket_id=ticket.pk) or ticket
    return _render_panel(request, fresh, change=result, error=error)
