"""The search page's GET parameters (the header's search box sends ``q`` alone)."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sangdam.accounts.models import User
from sangdam.connectors.models import ChannelKind
from sangdam.search.backends.base import SearchFilters
from sangdam.tickets.models import Status

ANY = [("", _("Any"))]


class SearchForm(forms.Form):
    q = forms.CharField(label=_("Search"), max_length=500, required=False)
    status = forms.ChoiceField(label=_("Status"), choices=ANY + Status.choices, required=False)
    channel = forms.ChoiceField(label=_("Channel"), required=False)
    # "me", "none" or an agent's id.
    assignee = forms.ChoiceField(label=_("Assignee"), required=False)
    created_from = forms.DateField(
        label=_("Created from"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    created_to = forms.DateField(
        label=_("Created until"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["channel"].choices = ANY + ChannelKind.choices  # type: ignore[attr-defined]
        agents = [(str(u.pk), u.name) for u in User.objects.filter(is_active=True)]
        self.fields["assignee"].choices = [  # type: ignore[attr-defined]
            *ANY,
            ("me", _("Me")),
            ("none", _("Unassigned")),
            *agents,
        ]

    def query(self) -> str:
        return str(self.cleaned_data.get("q") or "") if self.is_valid() else ""

    def filters(self, *, user_id: int) -> SearchFilters:
        if not self.is_valid():
            return SearchFilters()
        data = self.cleaned_data
        assignee: int | None = None
        if data["assignee"] == "me":
            assignee = user_id
        elif data["assignee"] == "none":
            assignee = 0
        elif data["assignee"]:
            assignee = int(data["assignee"])
        return SearchFilters(
            statuses=(data["status"],) if data["status"] else (),
            channel=data["channel"],
            assignee=assignee,
            created_from=data["created_from"],
            created_to=data["created_to"],
        )
