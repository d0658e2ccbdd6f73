"""Forms of the console's admin pages: agents, teams, topics.

These are configuration, not tickets, so plain model forms save them directly.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from sangdam.accounts.models import Role, Team, User
from sangdam.console.forms import language_choices
from sangdam.tickets.models import Topic


class AgentMultipleChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return str(obj.name)


class AgentForm(forms.ModelForm):
    """Create an agent (password required) or edit one (password optional)."""

    teams = forms.ModelMultipleChoiceField(
        label=_("Teams"),
        queryset=Team.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    languages = forms.MultipleChoiceField(
        label=_("Languages spoken"), required=False, widget=forms.CheckboxSelectMultiple
    )
    password = forms.CharField(
        label=_("Password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )

    class Meta:
        model = User
        fields = ["email", "display_name", "role", "is_active"]

    def __init__(self, *args: Any, editor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.editor = editor
        self.fields["languages"].choices = language_choices()  # type: ignore[attr-defined]
        self.fields["is_active"].label = _("Active")
        if self.instance.pk:
            self.fields["email"].disabled = True
            self.fields["password"].help_text = _("Leave empty to keep the current password.")
            self.initial["teams"] = list(self.instance.teams.all())
            self.initial["languages"] = list(self.instance.languages or [])
        else:
            self.fields["password"].required = True

    def clean_email(self) -> str:
        return str(self.cleaned_data["email"]).strip().lower()

    def clean_password(self) -> str:
        password = str(self.cleaned_data.get("password") or "")
        if password:
            # A new agent is not saved yet; compare with the email and name typed in the form.
            user = self.instance
            if not user.pk:
                email = str(self.cleaned_data.get("email") or "")
                name = str(self.cleaned_data.get("display_name") or "")
                user = User(email=email, username=email, display_name=name)
            validate_password(password, user)
        return password

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if self.instance.pk and self.instance.pk == self.editor.pk:
            if data.get("role") != Role.ADMIN and not self.editor.is_superuser:
                self.add_error("role", _("You cannot remove your own admin role."))
            if not data.get("is_active", True):
                self.add_error("is_active", _("You cannot deactivate yourself."))
        return data

    def save(self, commit: bool = True) -> User:
        user: User = super().save(commit=False)
        user.languages = list(self.cleaned_data.get("languages") or [])
        if not user.username:
            user.username = user.email
        if self.cleaned_data.get("password"):
            user.set_password(self.cleaned_data["password"])
        with transaction.atomic():
            user.save()
            user.teams.set(self.cleaned_data.get("teams") or [])
        return user


class TeamForm(forms.ModelForm):
    members = AgentMultipleChoiceField(
        label=_("Members"),
        queryset=User.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )

    class Meta:
        model = Team
        fields = ["name", "members"]


class TopicAdminForm(forms.ModelForm):
    name_ko = forms.CharField(label=_("Korean name"), max_length=120)
    name_en = forms.CharField(label=_("English name"), max_length=120)

    class Meta:
        model = Topic
        fields = ["slug", "default_team", "active", "position"]
        labels = {
            "slug": _("Slug"),
            "default_team": _("Default team"),
            "active": _("Active"),
            "position": _("Position"),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        names = self.instance.names or {}
        self.initial.setdefault("name_ko", names.get("ko", ""))
        self.initial.setdefault("name_en", names.get("en", ""))

    def save(self, commit: bool = True) -> Topic:
        topic: Topic = super().save(commit=False)
        topic.names = {
            **(topic.names or {}),
            "ko": self.cleaned_data["name_ko"].strip(),
            "en": self.cleaned_data["name_en"].strip(),
        }
        if commit:
            topic.save()
        return topic
