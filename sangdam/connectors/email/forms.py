"""The console's mailbox form: IMAP settings with write-only secrets.

A password or token is never put back into the page: the fields are always empty, and
leaving them empty keeps what is stored (encrypted) in ``Mailbox.secrets``.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sangdam.connectors.email.models import AuthMethod, Mailbox
from sangdam.connectors.models import Channel, ChannelKind


class ChannelChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.name} <{obj.address}>" if obj.address else str(obj.name)


SECRET_FIELDS = ("password", "oauth2_token", "oauth2_refresh_token", "oauth2_client_secret")


def _secret_input() -> forms.PasswordInput:
    return forms.PasswordInput(render_value=False, attrs={"autocomplete": "new-password"})


class MailboxForm(forms.ModelForm):
    channel = ChannelChoiceField(label=_("Email channel"), queryset=Channel.objects.none())
    password = forms.CharField(
        label=_("Password or app password"), required=False, strip=False, widget=_secret_input()
    )
    oauth2_token = forms.CharField(
        label=_("OAuth2 access token"), required=False, strip=True, widget=_secret_input()
    )
    oauth2_token_url = forms.URLField(
        label=_("OAuth2 token endpoint"),
        required=False,
        assume_scheme="https",
        help_text=_(
            "With a client ID and a refresh token or client secret, Sangdam gets new "
            "access tokens by itself. Google: https://oauth2.googleapis.com/token; "
            "Microsoft 365: https://login.microsoftonline.com/<tenant>/oauth2/v2.0/token"
        ),
    )
    oauth2_refresh_token = forms.CharField(
        label=_("OAuth2 refresh token"), required=False, strip=True, widget=_secret_input()
    )
    oauth2_client_secret = forms.CharField(
        label=_("OAuth2 client secret"), required=False, strip=True, widget=_secret_input()
    )

    class Meta:
        model = Mailbox
        fields = [
            "channel",
            "host",
            "port",
            "security",
            "username",
            "auth_method",
            "password",
            "oauth2_token",
            "oauth2_token_url",
            "oauth2_client_id",
            "oauth2_scope",
            "oauth2_refresh_token",
            "oauth2_client_secret",
            "folder",
            "processed_folder",
            "enabled",
        ]
        help_texts = {
            "processed_folder": _(
                "Leave empty to mark processed mail as read instead of moving it."
            ),
        }

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["channel"].queryset = Channel.objects.filter(  # type: ignore[attr-defined]
            kind=ChannelKind.EMAIL
        ).order_by("name")
        if self.instance.pk:
            keep = _("Leave empty to keep the current one.")
            for name in SECRET_FIELDS:
                self.fields[name].help_text = keep

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        stored = (self.instance.secrets or {}) if self.instance.pk else {}

        def has(name: str) -> bool:
            return bool(data.get(name) or stored.get(name))

        if data.get("auth_method") == AuthMethod.OAUTH2:
            refreshable = (
                data.get("oauth2_token_url")
                and data.get("oauth2_client_id")
                and (has("oauth2_refresh_token") or has("oauth2_client_secret"))
            )
            if not has("oauth2_token") and not refreshable:
                self.add_error(
                    "oauth2_token",
                    _(
                        "Enter an access token, or a token endpoint and client ID with a "
                        "refresh token or client secret."
                    ),
                )
        elif not data.get("password") and not stored.get("password"):
            self.add_error("password", _("Enter the password."))
        return data

    def save(self, commit: bool = True) -> Mailbox:
        mailbox: Mailbox = super().save(commit=False)
        secrets = dict(mailbox.secrets or {})
        for key in SECRET_FIELDS:
            if self.cleaned_data.get(key):
                secrets[key] = self.cleaned_data[key]
                if key == "oauth2_token":
                    secrets.pop("oauth2_expires_at", None)  # a pasted token: expiry unknown
        mailbox.secrets = secrets
        if commit:
            mailbox.save()
        return mailbox
