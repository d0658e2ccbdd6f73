"""Presence, offers and routing rules in the console.

Presence is the agent's own state (read-only users may set it too: it changes no
ticket). Offers are answered by the agent they were made to. Rules are admin setup.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse, HttpResponseBadRequest
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sangdam.accounts.actions import do_set_presence
from sangdam.accounts.models import Presence
from sangdam.console.admin_forms import RoutingRuleForm
from sangdam.console.permissions import admin_required, agent_of, agent_required
from sangdam.routing import engine
from sangdam.routing.models import RoutingRule


@require_POST
@login_required
def set_presence(request: HttpRequest) -> HttpResponse:
    """Online, away or offline, from the console header; stored on the agent."""
    presence = request.POST.get("presence", "")
    if presence not in Presence.values:
        return HttpResponseBadRequest()
    do_set_presence(agent=agent_of(request), presence=presence)
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        target = "/"
    return redirect(target)


@require_POST
@agent_required
def answer_offer(request: HttpRequest, ticket_id: int) -> HttpResponse:
    agent = agent_of(request)
    if request.POST.get("answer") == "decline":
        done = engine.decline_offer(ticket_id=ticket_id, agent=agent)
        text = _("You gave the ticket back; it goes to the next agent.")
    else:
        done = engine.accept_offer(ticket_id=ticket_id, agent=agent)
        text = _("The ticket is yours.")
    if done:
        messages.success(request, text)
    else:
        messages.error(request, _("This offer is no longer waiting for you."))
    return redirect("console:ticket", ticket_id=ticket_id)


@admin_required
def rules(request: HttpRequest) -> HttpResponse:
    rows = RoutingRule.objects.select_related("topic", "channel", "team")
    return render(request, "routing/rules.html", {"rules": rows, "section": "routing"})


def _rule_form(request: HttpRequest, rule: RoutingRule | None) -> HttpResponse:
    form = RoutingRuleForm(request.POST or None, instance=rule)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Routing rule saved."))
        return redirect("console:admin_routing")
    title = _("Edit routing rule") if rule else _("New routing rule")
    return render(
        request,
        "console/admin/form.html",
        {"form": form, "title": title, "section": "routing", "back": "console:admin_routing"},
    )


@admin_required
def rule_create(request: HttpRequest) -> HttpResponse:
    return _rule_form(request, None)


@admin_required
def rule_edit(request: HttpRequest, rule_id: int) -> HttpResponse:
    return _rule_form(request, get_object_or_404(RoutingRule, pk=rule_id))


@admin_required
@require_POST
def rule_delete(request: HttpRequest, rule_id: int) -> HttpResponse:
    get_object_or_404(RoutingRule, pk=rule_id).delete()
    messages.success(request, _("Routing rule deleted."))
    return redirect("console:admin_routing")
