"""Forms of the service-level admin pages: schedules and SLA policies.

Weekly hours, closures and special hours are typed as short lines an admin reads at a
glance ("09:00-12:00, 13:00-18:00"; "2026-12-31 09:00-13:00 Year-end") and stored as
the JSON the pure hours module reads.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sangdam.customers.models import Tier
from sangdam.service.hours import parse_spans
from sangdam.service.models import Schedule, SlaPolicy, _validate_country, _validate_zone
from sangdam.tickets.models import Priority

WEEKDAY_NAMES = [
    _("Monday"),
    _("Tuesday"),
    _("Wednesday"),
    _("Thursday"),
    _("Friday"),
    _("Saturday"),
    _("Sunday"),
]


def _spans_text(spans: list[list[str]]) -> str:
    return ", ".join(f"{start}-{end}" for start, end in spans)


def _parse_spans_text(text: str) -> list[list[str]]:
    spans = []
    for part in text.replace(";", ",").split(","):
        part = part.strip()
        if not part:
            continue
        if "-" not in part:
            raise forms.ValidationError(_("Write spans like 09:00-18:00."))
        start, end = (p.strip() for p in part.split("-", 1))
        if end == "24:00":
            end = "00:00"
        spans.append([start, end])
    try:
        parse_spans(spans)
    except ValueError as exc:
        raise forms.ValidationError(str(exc)) from exc
    return spans


def _looks_like_span(word: str) -> bool:
    return "-" in word and ":" in word


class ScheduleForm(forms.ModelForm):
    closures_text = forms.CharField(
        label=_("Closed days"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("One a line: date and an optional name, e.g. 2026-12-31 Inventory."),
    )
    special_text = forms.CharField(
        label=_("Special hours"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_(
            "One a line: date, spans and an optional name, e.g. 2026-12-24 09:00-13:00 Christmas Eve."
        ),
    )

    class Meta:
        model = Schedule
        fields = [
            "name",
            "channel",
            "team",
            "time_zone",
            "holiday_country",
            "effective_from",
            "effective_until",
        ]
        widgets = {
            "effective_from": forms.DateInput(attrs={"type": "date"}),
            "effective_until": forms.DateInput(attrs={"type": "date"}),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["channel"].help_text = _("Empty channel and team: the company default.")
        week = self.instance.week or {}
        for day, label in enumerate(WEEKDAY_NAMES):
            self.fields[f"day_{day}"] = forms.CharField(
                label=label,
                required=False,
                initial=_spans_text(week.get(str(day), [])),
                help_text=_("e.g. 09:00-12:00, 13:00-18:00; empty: closed") if day == 0 else "",
            )
        self.initial["closures_text"] = "\n".join(
            f"{item['date']} {item.get('name', '')}".strip()
            for item in self.instance.closures or []
        )
        self.initial["special_text"] = "\n".join(
            " ".join(
                [
                    str(item["date"]),
                    *(f"{s}-{e}" for s, e in item.get("hours") or []),
                    str(item.get("name") or ""),
                ]
            ).strip()
            for item in self.instance.special_hours or []
        )
        # Put the weekdays right after the zone and country, before closures.
        order = ["name", "channel", "team", "time_zone", "holiday_country"]
        order += [f"day_{d}" for d in range(7)]
        order += ["closures_text", "special_text", "effective_from", "effective_until"]
        self.order_fields(order)

    def clean_time_zone(self) -> str:
        value = str(self.cleaned_data["time_zone"])
        _validate_zone(value)
        return value

    def clean_holiday_country(self) -> str:
        value = str(self.cleaned_data["holiday_country"]).upper()
        _validate_country(value)
        return value

    def clean_closures_text(self) -> list[dict[str, str]]:
        items = []
        for line in str(self.cleaned_data["closures_text"]).splitlines():
            if not line.strip():
                continue
            day, _sep, name = line.strip().partition(" ")
            try:
                dt.date.fromisoformat(day)
            except ValueError as exc:
                raise forms.ValidationError(
                    _("%(day)s is not a date (YYYY-MM-DD).") % {"day": day}
                ) from exc
            items.append({"date": day, "name": name.strip()})
        return items

    def clean_special_text(self) -> list[dict[str, Any]]:
        items = []
        for line in str(self.cleaned_data["special_text"]).splitlines():
            words = line.split()
            if not words:
                continue
            day = words[0]
            try:
                dt.date.fromisoformat(day)
            except ValueError as exc:
                raise forms.ValidationError(
                    _("%(day)s is not a date (YYYY-MM-DD).") % {"day": day}
                ) from exc
            spans = [w for w in words[1:] if _looks_like_span(w)]
            name = " ".join(w for w in words[1:] if not _looks_like_span(w))
            hours = _parse_spans_text(",".join(spans)) if spans else []
            items.append({"date": day, "hours": hours, "name": name})
        return items

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("channel") and data.get("team"):
            raise forms.ValidationError(
                _("A schedule belongs to a channel or to a team, not both.")
            )
        start, end = data.get("effective_from"), data.get("effective_until")
        if start and end and end < start:
            self.add_error("effective_until", _("The end comes before the start."))
        week = {}
        for day in range(7):
            try:
                week[str(day)] = _parse_spans_text(str(data.get(f"day_{day}") or ""))
            except forms.ValidationError as exc:
                self.add_error(f"day_{day}", exc)
        self.instance.week = week
        self.instance.closures = data.get("closures_text") or []
        self.instance.special_hours = data.get("special_text") or []
        if not data.get("channel") and not data.get("team"):
            others = Schedule.objects.filter(channel__isnull=True, team__isnull=True)
            if self.instance.pk:
                others = others.exclude(pk=self.instance.pk)
            if others.exists():
                raise forms.ValidationError(
                    _("There is already a company default; choose a channel or a team.")
                )
        return data


class SlaPolicyForm(forms.ModelForm):
    priorities = forms.MultipleChoiceField(
        label=_("Priorities"),
        required=False,
        choices=Priority.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None checked: any."),
    )
    tiers = forms.MultipleChoiceField(
        label=_("Customer tiers"),
        required=False,
        choices=Tier.choices,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("None checked: any."),
    )

    class Meta:
        model = SlaPolicy
        fields = [
            "name",
            "position",
            "active",
            "priorities",
            "tiers",
            "topics",
            "channels",
            "first_response_minutes",
            "next_response_minutes",
            "resolution_minutes",
        ]
        widgets = {
            "topics": forms.CheckboxSelectMultiple,
            "channels": forms.CheckboxSelectMultiple,
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["position"].help_text = _(
            "The first active policy (lowest position) whose conditions all match applies."
        )
        for name in ("topics", "channels"):
            self.fields[name].help_text = _("None checked: any.")
        self.fields["first_response_minutes"].help_text = _(
            "Business minutes (e.g. 120 is two business hours); empty: no target."
        )
