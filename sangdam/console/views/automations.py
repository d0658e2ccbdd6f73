"""Admin pages for triggers, time rules and macros; macros are also read by agents."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.db import transaction
from django.db.models import Model
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sangdam.automations.models import Macro, TimeRule, Trigger
from sangdam.automations.rules import ACTION_TYPES, CONDITION_FIELDS, OPERATORS, shown_value
from sangdam.console.automation_forms import MacroForm, TimeRuleForm, TriggerForm
from sangdam.console.permissions import admin_required

KINDS: dict[str, tuple[type[Model], Any, str]] = {
    "triggers": (Trigger, TriggerForm, "console:admin_triggers"),
    "time-rules": (TimeRule, TimeRuleForm, "console:admin_time_rules"),
    "macros": (Macro, MacroForm, "console:admin_macros"),
}


def _kind(kind: str) -> tuple[type[Model], Any, str]:
    if kind not in KINDS:
        raise Http404
    return KINDS[kind]


def _summary(items: list[dict[str, Any]]) -> list[str]:
    lines = []
    for item in items:
        if "field" in item:
            lines.append(
                f"{CONDITION_FIELDS.get(item['field'], item['field'])} "
                f"{OPERATORS.get(item['op'], item['op'])} “{shown_value(item)}”"
            )
        else:
            value = shown_value(item)
            label = ACTION_TYPES.get(item.get("type", ""), item.get("type"))
            lines.append(f"{label}: {value[:80]}" if value else str(label))
    return lines


@admin_required
def triggers(request: HttpRequest) -> HttpResponse:
    rows = [
        {"item": t, "conditions": _summary(t.conditions), "actions": _summary(t.actions)}
        for t in Trigger.objects.all()
    ]
    return render(request, "automations/triggers.html", {"rows": rows, "section": "automations"})


@admin_required
def time_rules(request: HttpRequest) -> HttpResponse:
    rows = [
        {"item": r, "conditions": _summary(r.conditions), "actions": _summary(r.actions)}
        for r in TimeRule.objects.all()
    ]
    return render(request, "automations/time_rules.html", {"rows": rows, "section": "automations"})


@admin_required
def macros(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "automations/macros.html",
        {"macros": Macro.objects.all(), "section": "automations"},
    )


@admin_required
def edit(request: HttpRequest, kind: str, item_id: int | None = None) -> HttpResponse:
    model, form_class, back = _kind(kind)
    item = get_object_or_404(model, pk=item_id) if item_id else None
    form = form_class(request.POST or None, instance=item)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Saved."))
        return redirect(back)
    titles = {
        "triggers": (_("New trigger"), _("Edit trigger")),
        "time-rules": (_("New time rule"), _("Edit time rule")),
        "macros": (_("New macro"), _("Edit macro")),
    }
    title = titles[kind][1 if item else 0]
    template = "console/admin/form.html" if kind == "macros" else "automations/rule_form.html"
    return render(
        request,
        template,
        {"form": form, "title": title, "section": "automations", "back": back},
    )


@admin_required
@require_POST
def delete(request: HttpRequest, kind: str, item_id: int) -> HttpResponse:
    model, _form, back = _kind(kind)
    get_object_or_404(model, pk=item_id).delete()
    messages.success(request, _("Deleted."))
    return redirect(back)


@admin_required
@require_POST
def move(request: HttpRequest, kind: str, item_id: int) -> HttpResponse:
    """Up or down one place: positions are renumbered 10, 20, 30 ... in the new order."""
    model, _form, back = _kind(kind)
    with transaction.atomic():
        items = list(model.objects.select_for_update().all())  # type: ignore[attr-defined]
        index = next((i for i, x in enumerate(items) if x.pk == item_id), None)
        if index is not None:
            step = -1 if request.POST.get("direction") == "up" else 1
            other = index + step
            if 0 <= other < len(items):
                items[index], items[other] = items[other], items[index]
            for position, x in enumerate(items, start=1):
                if x.position != position * 10:
                    x.position = position * 10
                    x.save(update_fields=["position"])
    return redirect(back)
