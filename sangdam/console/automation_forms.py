"""Forms of the automation admin pages: triggers, time rules and macros.

Conditions and actions are edited as a fixed number of rows (field, operator, value /
action, value); empty rows are ignored. Values are typed as people know them (a team's
name, an agent's email, a macro's name) and checked by :mod:`sangdam.automations.rules`,
which stores ids where names may change.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sangdam.automations.models import Macro, Since, TimeRule, Trigger
from sangdam.automations.rules import (
    ACTION_TYPES,
    CONDITION_FIELDS,
    OPERATORS,
    RuleError,
    clean_action,
    clean_condition,
    shown_value,
)
from sangdam.tickets.models import Status

CONDITION_ROWS = 5
ACTION_ROWS = 5


class _RowsForm(forms.ModelForm):
    """Adds condition and action rows to a trigger's or a time rule's form."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        conditions = list(self.instance.conditions or []) if self.instance.pk else []
        actions = list(self.instance.actions or []) if self.instance.pk else []
        field_choices = [("", "—"), *CONDITION_FIELDS.items()]
        for i in range(CONDITION_ROWS):
            self.fields[f"cond_{i}_field"] = forms.ChoiceField(
                label=_("Condition %(n)s") % {"n": i + 1}, choices=field_choices, required=False
            )
            self.fields[f"cond_{i}_op"] = forms.ChoiceField(
                label=_("Operator %(n)s") % {"n": i + 1},
                choices=list(OPERATORS.items()),
                required=False,
            )
            self.fields[f"cond_{i}_value"] = forms.CharField(
                label=_("Value %(n)s") % {"n": i + 1},
                required=False,
                max_length=500,
                widget=forms.TextInput(attrs={"list": "rule-values"}),
            )
            if i < len(conditions):
                item = conditions[i]
                self.initial[f"cond_{i}_field"] = item.get("field")
                self.initial[f"cond_{i}_op"] = item.get("op")
                self.initial[f"cond_{i}_value"] = shown_value(item)
        type_choices = [("", "—"), *ACTION_TYPES.items()]
        for i in range(ACTION_ROWS):
            self.fields[f"act_{i}_type"] = forms.ChoiceField(
                label=_("Action %(n)s") % {"n": i + 1}, choices=type_choices, required=False
            )
            self.fields[f"act_{i}_value"] = forms.CharField(
                label=_("Action value %(n)s") % {"n": i + 1},
                required=False,
                max_length=5000,
                widget=forms.TextInput(attrs={"list": "rule-values"}),
            )
            if i < len(actions):
                self.initial[f"act_{i}_type"] = actions[i].get("type")
                self.initial[f"act_{i}_value"] = shown_value(actions[i])

    def value_suggestions(self) -> list[str]:
        """What a value box may hold, offered as the admin types (a <datalist>): team and
        macro names, agents' emails, topic slugs, statuses, priorities, channel kinds."""
        from sangdam.accounts.models import Team, User
        from sangdam.connectors.models import ChannelKind
        from sangdam.tickets.models import Priority, Topic

        return [
            *Team.objects.order_by("name").values_list("name", flat=True),
            *User.objects.filter(is_active=True).order_by("email").values_list("email", flat=True),
            *Topic.objects.filter(active=True).order_by("position").values_list("slug", flat=True),
            *Macro.objects.filter(active=True).order_by("position").values_list("name", flat=True),
            *Status.values,
            *Priority.values,
            *ChannelKind.values,
            "open",
            "closed",
            "assignee",
            "team",
        ]

    def condition_rows(self) -> list[tuple[Any, Any, Any]]:
        return [
            (self[f"cond_{i}_field"], self[f"cond_{i}_op"], self[f"cond_{i}_value"])
            for i in range(CONDITION_ROWS)
        ]

    def action_rows(self) -> list[tuple[Any, Any]]:
        return [(self[f"act_{i}_type"], self[f"act_{i}_value"]) for i in range(ACTION_ROWS)]

    def main_fields(self) -> list[Any]:
        return [self[name] for name in self.Meta.fields]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        conditions, actions = [], []
        for i in range(CONDITION_ROWS):
            field = data.get(f"cond_{i}_field")
            if not field:
                continue
            try:
                conditions.append(
                    clean_condition(
                        field, data.get(f"cond_{i}_op") or "is", data.get(f"cond_{i}_value") or ""
                    )
                )
            except RuleError as exc:
                self.add_error(f"cond_{i}_value", str(exc))
        for i in range(ACTION_ROWS):
            kind = data.get(f"act_{i}_type")
            if not kind:
                continue
            try:
                actions.append(clean_action(kind, data.get(f"act_{i}_value") or ""))
            except RuleError as exc:
                self.add_error(f"act_{i}_value", str(exc))
        if not actions and not self.errors:
            self.add_error(None, _("Add at least one action."))
        self.cleaned_conditions, self.cleaned_actions = conditions, actions
        return data

    def save(self, commit: bool = True) -> Any:
        item = super().save(commit=False)
        item.conditions = self.cleaned_conditions
        item.actions = self.cleaned_actions
        if commit:
            item.save()
        return item


class TriggerForm(_RowsForm):
    class Meta:
        model = Trigger
        fields = ["name", "when", "position", "active"]
        labels = {
            "name": _("Name"),
            "when": _("When"),
            "position": _("Position"),
            "active": _("Active"),
        }


class TimeRuleForm(_RowsForm):
    status = forms.ChoiceField(
        label=_("Status"), choices=[("", "—"), *Status.choices], required=False
    )

    class Meta:
        model = TimeRule
        fields = ["name", "since", "status", "minutes", "position", "active"]
        labels = {
            "name": _("Name"),
            "since": _("Condition"),
            "minutes": _("Minutes"),
            "position": _("Position"),
            "active": _("Active"),
        }
        help_texts = {
            "minutes": _("e.g. 4320 for 3 days, 30 for half an hour."),
        }

    def clean(self) -> dict[str, Any]:
        data = super().clean()
        if data.get("since") == Since.STATUS and not data.get("status"):
            self.add_error("status", _("Choose the status the ticket has been in."))
        return data


class MacroForm(forms.ModelForm):
    text_ko = forms.CharField(label=_("Korean text"), widget=forms.Textarea(attrs={"rows": 5}))
    text_en = forms.CharField(
        label=_("English text"), widget=forms.Textarea(attrs={"rows": 5}), required=False
    )

    class Meta:
        model = Macro
        fields = ["name", "position", "active"]
        labels = {"name": _("Name"), "position": _("Position"), "active": _("Active")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        texts = self.instance.texts or {}
        self.initial.setdefault("text_ko", texts.get("ko", ""))
        self.initial.setdefault("text_en", texts.get("en", ""))
        self.fields["text_ko"].help_text = _(
            "Placeholders: {{ customer_name }}, {{ reference }}, {{ agent_name }}, "
            "{{ next_opening }}."
        )

    def save(self, commit: bool = True) -> Macro:
        macro: Macro = super().save(commit=False)
        macro.texts = {
            **(macro.texts or {}),
            "ko": self.cleaned_data["text_ko"].strip(),
            "en": self.cleaned_data["text_en"].strip(),
        }
        if commit:
            macro.save()
        return macro
