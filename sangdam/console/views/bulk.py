"""The inbox's bulk actions: parse, call :func:`sangdam.console.bulk.apply_bulk`, report."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.utils.translation import ngettext
from django.views.decorators.http import require_POST

from sangdam.console.bulk import apply_bulk
from sangdam.console.permissions import agent_of, agent_required
from sangdam.tickets.actor import Actor
from sangdam.tickets.errors import DomainError

# Failures listed one by one in the summary; the rest are counted.
LISTED_FAILURES = 10


@require_POST
@agent_required
def bulk(request: HttpRequest) -> HttpResponse:
    back = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(back, allowed_hosts={request.get_host()}):
        back = "/"
    ids = [int(v) for v in request.POST.getlist("ids") if v.isdigit()]
    if not ids:
        messages.error(request, _("Select at least one ticket."))
        return redirect(back)
    try:
        outcome = apply_bulk(
            ticket_ids=ids,
            actor=Actor.agent(agent_of(request)),
            op=request.POST.get("op", ""),
            text=request.POST.get("text", ""),
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect(back)
    if outcome.done:
        count = len(outcome.done)
        messages.success(
            request,
            ngettext("%(count)d ticket updated.", "%(count)d tickets updated.", count)
            % {"count": count},
        )
    if outcome.failed:
        count = len(outcome.failed)
        messages.error(
            request,
            ngettext("%(count)d ticket not changed:", "%(count)d tickets not changed:", count)
            % {"count": count},
        )
        for reference, reason in outcome.failed[:LISTED_FAILURES]:
            messages.error(request, f"{reference}: {reason}")
    return redirect(back)
