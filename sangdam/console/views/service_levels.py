"""Admin pages for service levels: schedules (with a 14-day preview) and SLA policies."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from sangdam.console.permissions import admin_required
from sangdam.console.service_forms import ScheduleForm, SlaPolicyForm
from sangdam.service.actions import PreviewDay, preview, service_levels_changed
from sangdam.service.models import Schedule, SlaPolicy
from sangdam.service.selectors import schedule_book


@admin_required
def schedules(request: HttpRequest) -> HttpResponse:
    rows = Schedule.objects.select_related("channel", "team").order_by("name")
    return render(
        request, "console/admin/schedules.html", {"schedules": rows, "section": "schedules"}
    )


def _schedule_form(request: HttpRequest, schedule: Schedule | None) -> HttpResponse:
    form = ScheduleForm(request.POST or None, instance=schedule)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            saved = form.save()
            service_levels_changed()
        messages.success(request, _("Schedule saved."))
        return redirect("console:admin_schedule_edit", saved.pk)
    days: list[PreviewDay] = []
    if schedule is not None:
        hours = schedule_book().hours_of(schedule)
        if hours is not None:
            days = preview(hours, timezone.now().astimezone(hours.zone).date())
    title = _("Edit %(name)s") % {"name": schedule.name} if schedule else _("New schedule")
    context: dict[str, Any] = {
        "form": form,
        "title": title,
        "section": "schedules",
        "back": "console:admin_schedules",
        "preview": days,
        "schedule": schedule,
    }
    return render(request, "console/admin/schedule_form.html", context)


@admin_required
def schedule_create(request: HttpRequest) -> HttpResponse:
    return _schedule_form(request, None)


@admin_required
def schedule_edit(request: HttpRequest, schedule_id: int) -> HttpResponse:
    return _schedule_form(request, get_object_or_404(Schedule, pk=schedule_id))


@admin_required
def policies(request: HttpRequest) -> HttpResponse:
    rows = SlaPolicy.objects.prefetch_related("topics", "channels").order_by("position", "id")
    return render(request, "console/admin/sla_policies.html", {"policies": rows, "section": "sla"})


def _policy_form(request: HttpRequest, policy: SlaPolicy | None) -> HttpResponse:
    form = SlaPolicyForm(request.POST or None, instance=policy)
    if request.method == "POST" and form.is_valid():
        with transaction.atomic():
            form.save()
            service_levels_changed()
        messages.success(request, _("SLA policy saved."))
        return redirect("console:admin_sla_policies")
    title = _("Edit %(name)s") % {"name": policy.name} if policy else _("New SLA policy")
    return render(
        request,
        "console/admin/form.html",
        {"form": form, "title": title, "section": "sla", "back": "console:admin_sla_policies"},
    )


@admin_required
def policy_create(request: HttpRequest) -> HttpResponse:
    return _policy_form(request, None)


@admin_required
def policy_edit(request: HttpRequest, policy_id: int) -> HttpResponse:
    return _policy_form(request, get_object_or_404(SlaPolicy, pk=policy_id))
