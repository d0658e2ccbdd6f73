"""The agent's notification list: tickets assigned to them, customers' replies."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from sangdam.console.notifications import mark_read, recent
from sangdam.console.permissions import agent_of, agent_required


@agent_required
def notifications(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "console/notifications.html",
        {"items": recent(user_id=agent_of(request).pk), "section": "notifications"},
    )


@require_POST
@agent_required
def read_all(request: HttpRequest) -> HttpResponse:
    mark_read(user=agent_of(request))
    return redirect("console:notifications")
