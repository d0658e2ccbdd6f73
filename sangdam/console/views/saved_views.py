"""Saved inbox views: a filter kept under a name, personal or shared with every agent."""

from __future__ import annotations

from django.contrib import messages
from django.db.models import Q, QuerySet
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sangdam.console.models import SavedView
from sangdam.console.permissions import agent_of, agent_required
from sangdam.core.compiled import MARKER, CompiledQuery


def current_query(request: HttpRequest) -> str:
    """The inbox's query string as a view keeps it: every filter, never the page cursor."""
    return urlencode([(k, str(v)) for k, v in request.GET.items() if k != "cursor" and v])


def _visible(user_id: int) -> QuerySet[SavedView]:
    return SavedView.objects.filter(Q(owner_id=user_id) | Q(shared=True))


# Read on every inbox page: compiled once (core/compiled.py).
_VISIBLE = CompiledQuery(SavedView, _visible, MARKER)


def visible_views(*, user_id: int) -> list[SavedView]:
    """The agent's own views and every shared one, by name."""
    return _VISIBLE.run(user_id)


@require_POST
@agent_required
def save_view(request: HttpRequest) -> HttpResponse:
    name = request.POST.get("name", "").strip()[:80]
    query = request.POST.get("query", "")[:1000].lstrip("?")
    if not name:
        messages.error(request, _("Give the view a name."))
    else:
        SavedView.objects.create(
            owner=agent_of(request), name=name, query=query, shared=bool(request.POST.get("shared"))
        )
        messages.success(request, _("View “%(name)s” saved.") % {"name": name})
    return redirect("/?" + query if query else "/")


@require_POST
@agent_required
def delete_view(request: HttpRequest, view_id: int) -> HttpResponse:
    view = get_object_or_404(SavedView, pk=view_id, owner=agent_of(request))
    view.delete()
    messages.success(request, _("View “%(name)s” deleted.") % {"name": view.name})
    return redirect("console:inbox")
