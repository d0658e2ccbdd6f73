"""Admin pages of the console: agents, teams and topics (role admin only).

Django's own admin stays at /django-admin/ for superusers; these pages are the
everyday setup screens, translated and limited to what an admin changes.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db.models import Count
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp.plugins.otp_totp.models import TOTPDevice

from sangdam.accounts import lockout, twofactor
from sangdam.accounts.models import Team, User
from sangdam.console.admin_forms import AgentForm, TeamForm, TopicAdminForm
from sangdam.console.permissions import admin_required, agent_of
from sangdam.tickets.models import Topic


@admin_required
def home(request: HttpRequest) -> HttpResponse:
    return redirect("console:admin_agents")


@admin_required
@require_POST
def agent_reset_two_factor(request: HttpRequest, user_id: int) -> HttpResponse:
    """A lost phone: remove the agent's authenticator and backup codes; they enrol again."""
    user = get_object_or_404(User, pk=user_id)
    twofactor.reset(user)
    messages.success(request, _("Two-factor login of %(name)s was reset.") % {"name": user.name})
    return redirect("console:admin_agents")


@admin_required
def agents(request: HttpRequest) -> HttpResponse:
    users = list(User.objects.prefetch_related("teams").order_by("display_name", "email"))
    locked = lockout.locked_out_emails([u.email for u in users])
    enrolled = set(
        TOTPDevice.objects.filter(confirmed=True, user__in=users).values_list("user_id", flat=True)
    )
    return render(
        request,
        "console/admin/agents.html",
        {"agents": users, "locked": locked, "enrolled": enrolled, "section": "agents"},
    )


@admin_required
@require_POST
def agent_unlock(request: HttpRequest, user_id: int) -> HttpResponse:
    """Lift a login lockout: the agent's failures and those of the addresses they came from."""
    user = get_object_or_404(User, pk=user_id)
    lockout.unlock(user.email)
    messages.success(request, _("%(name)s can log in again.") % {"name": user.name})
    return redirect("console:admin_agents")


def _edit(
    request: HttpRequest,
    form: Any,
    *,
    title: str,
    section: str,
    success: str,
    back: str,
) -> HttpResponse:
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, success)
        return redirect(back)
    return render(
        request,
        "console/admin/form.html",
        {"form": form, "title": title, "section": section, "back": back},
    )


@admin_required
def agent_create(request: HttpRequest) -> HttpResponse:
    form = AgentForm(request.POST or None, request.FILES or None, editor=agent_of(request))
    return _edit(
        request,
        form,
        title=_("New agent"),
        section="agents",
        success=_("Agent created."),
        back="console:admin_agents",
    )


@admin_required
def agent_edit(request: HttpRequest, user_id: int) -> HttpResponse:
    user = get_object_or_404(User, pk=user_id)
    form = AgentForm(
        request.POST or None, request.FILES or None, instance=user, editor=agent_of(request)
    )
    return _edit(
        request,
        form,
        title=_("Edit %(name)s") % {"name": user.name},
        section="agents",
        success=_("Agent saved."),
        back="console:admin_agents",
    )


@admin_required
def teams(request: HttpRequest) -> HttpResponse:
    rows = (
        Team.objects.select_related("routing")
        .annotate(member_count=Count("members"))
        .order_by("name")
    )
    return render(request, "console/admin/teams.html", {"teams": rows, "section": "teams"})


@admin_required
def team_create(request: HttpRequest) -> HttpResponse:
    return _edit(
        request,
        TeamForm(request.POST or None),
        title=_("New team"),
        section="teams",
        success=_("Team created."),
        back="console:admin_teams",
    )


@admin_required
def team_edit(request: HttpRequest, team_id: int) -> HttpResponse:
    team = get_object_or_404(Team, pk=team_id)
    return _edit(
        request,
        TeamForm(request.POST or None, instance=team),
        title=_("Edit %(name)s") % {"name": team.name},
        section="teams",
        success=_("Team saved."),
        back="console:admin_teams",
    )


@admin_required
def topics(request: HttpRequest) -> HttpResponse:
    rows = Topic.objects.select_related("default_team").order_by("position", "slug")
    return render(request, "console/admin/topics.html", {"topics": rows, "section": "topics"})


@admin_required
def topic_create(request: HttpRequest) -> HttpResponse:
    return _edit(
        request,
        TopicAdminForm(request.POST or None),
        title=_("New topic"),
        section="topics",
        success=_("Topic created."),
        back="console:admin_topics",
    )


@admin_required
def topic_edit(request: HttpRequest, topic_id: int) -> HttpResponse:
    topic = get_object_or_404(Topic, pk=topic_id)
    return _edit(
        request,
        TopicAdminForm(request.POST or None, instance=topic),
        title=_("Edit %(name)s") % {"name": topic.name()},
        section="topics",
        success=_("Topic saved."),
        back="console:admin_topics",
    )
