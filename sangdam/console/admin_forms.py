"""Forms of the console's admin pages: agents, teams, topics, routing rules.

These are configuration, not tickets, so plain model forms save them directly.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.password_validation import validate_password
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from sangdam.accounts.avatars import AVATAR_MAX_BYTES, AVATAR_TYPES
from sangdam.accounts.models import Role, Team, User
from sangdam.console.forms import language_choices
from sangdam.routing.models import RoutingRule, Strategy, TeamRouting
from sangdam.tickets.attachments import AttachmentRejected, CheckedAttachment, check_attachment
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
    picture = forms.FileField(
        label=_("Picture"),
        required=False,
        help_text=_(
            "Shown to customers next to this agent's chat answers (JPEG, PNG, WebP or GIF, at most 512 KB). Without one, initials are shown."
        ),
    )
    password = forms.CharField(
        label=_("Password"),
        required=False,
        strip=False,
        widget=forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"}),
    )

    class Meta:
        model = User
        fields = ["email", "display_name", "role", "is_active", "capacity", "chat_capacity"]
        help_texts = {
            "capacity": _("Open tickets routing gives this agent at most (email, forms, app)."),
            "chat_capacity": _(
                "Open chats routing gives this agent at most (live chat and messengers)."
            ),
        }

    def __init__(self, *args: Any, editor: User, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.editor = editor
        self.fields["languages"].choices = language_choices()  # type: ignore[attr-defined]
        self.fields["is_active"].label = _("Active")
        # Forms (and scripts) that leave them out keep the current or default limits.
        self.fields["capacity"].required = False
        self.fields["chat_capacity"].required = False
        if self.instance.pk:
            self.fields["email"].disabled = True
            self.fields["password"].help_text = _("Leave empty to keep the current password.")
            self.initial["teams"] = list(self.instance.teams.all())
            self.initial["languages"] = list(self.instance.languages or [])
        else:
            self.fields["password"].required = True

    def clean_capacity(self) -> int:
        value = self.cleaned_data.get("capacity")
        return self.instance.capacity if value is None else int(value)

    def clean_chat_capacity(self) -> int:
        value = self.cleaned_data.get("chat_capacity")
        return self.instance.chat_capacity if value is None else int(value)

    def clean_picture(self) -> CheckedAttachment | None:
        upload = self.cleaned_data.get("picture")
        if not upload:
            return None
        if upload.size > AVATAR_MAX_BYTES:
            raise forms.ValidationError(_("The picture is larger than 512 KB."))
        try:
            # The type comes from the content, never from the name or the browser.
            checked = check_attachment(upload.name or "picture", upload.read())
        except AttachmentRejected as exc:
            raise forms.ValidationError(exc.message) from exc
        if checked.content_type not in AVATAR_TYPES:
            raise forms.ValidationError(_("The picture must be a JPEG, PNG, WebP or GIF image."))
        return checked

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
        picture: CheckedAttachment | None = self.cleaned_data.get("picture")
        with transaction.atomic():
            if picture is not None:
                extension = picture.content_type.split("/")[1].replace("jpeg", "jpg")
                user.avatar.save(
                    f"{picture.sha256[:20]}.{extension}", ContentFile(picture.content), save=False
                )
            user.save()
            user.teams.set(self.cleaned_data.get("teams") or [])
        return user


class TeamForm(forms.ModelForm):
    """A team, its members and how it hands out tickets (routing's TeamRouting row)."""

    members = AgentMultipleChoiceField(
        label=_("Members"),
        queryset=User.objects.all(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    strategy = forms.ChoiceField(label=_("Assignment"), choices=Strategy.choices, required=False)
    match_language = forms.BooleanField(
        label=_("Prefer agents who speak the inquiry's language"), required=False
    )
    offer_timeout_minutes = forms.IntegerField(
        label=_("Offer timeout (minutes)"),
        required=False,
        min_value=0,
        max_value=240,
        help_text=_(
            "0: an assignment is final. Otherwise the agent must accept (or answer) within "
            "this time, or the ticket goes to the next agent."
        ),
    )

    class Meta:
        model = Team
        fields = ["name", "members", "lead"]
        help_texts = {"lead": _("Told by email when the team's tickets miss an SLA target.")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        routing = (
            TeamRouting.objects.filter(team_id=self.instance.pk).first()
            if self.instance.pk
            else None
        )
        routing = routing or TeamRouting()
        self.initial.setdefault("strategy", routing.strategy)
        self.initial.setdefault("match_language", routing.match_language)
        self.initial.setdefault("offer_timeout_minutes", routing.offer_timeout_minutes)

    def save(self, commit: bool = True) -> Team:
        with transaction.atomic():
            team: Team = super().save(commit=True)
            TeamRouting.objects.update_or_create(
                team=team,
                defaults={
                    "strategy": self.cleaned_data.get("strategy") or Strategy.MANUAL,
                    "match_language": bool(self.cleaned_data.get("match_language")),
                    "offer_timeout_minutes": self.cleaned_data.get("offer_timeout_minutes") or 0,
                },
            )
        return team


class RoutingRuleForm(forms.ModelForm):
    language = forms.ChoiceField(label=_("Language"), required=False)

    class Meta:
        model = RoutingRule
        fields = ["name", "topic", "channel", "language", "team", "position", "active"]
        help_texts = {
            "topic": _("Empty: any topic."),
            "channel": _("Empty: any channel."),
            "position": _("Rules are tried from the lowest position; the first match wins."),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["language"].choices = [("", _("Any language")), *language_choices()]  # type: ignore[attr-defined]
        self.fields["topic"].empty_label = _("Any topic")  # type: ignore[attr-defined]
        self.fields["channel"].empty_label = _("Any channel")  # type: ignore[attr-defined]


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
