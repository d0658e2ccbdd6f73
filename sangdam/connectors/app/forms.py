"""Admin forms for registering apps and giving them push credentials.

Credentials are write-only: the form never shows a stored key back, and a blank field
keeps what is stored.
"""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from sangdam.connectors.app.models import App
from sangdam.connectors.models import Channel, ChannelKind

FCM_KEYS = ("project_id", "client_email", "private_key", "token_uri")


class AppForm(forms.ModelForm):
    channel = forms.ModelChoiceField(
        label=_("Channel"),
        queryset=Channel.objects.filter(kind=ChannelKind.APP),
        required=False,
        help_text=_("Inquiries from this app arrive on this channel (default: the app channel)."),
    )

    class Meta:
        model = App
        fields = ["name", "platform", "channel", "anonymous_allowed", "enabled"]
        help_texts = {
            "anonymous_allowed": _(
                "Let users who are not logged in write, known only by their device."
            ),
        }


class PushCredentialsForm(forms.Form):
    fcm_service_account = forms.CharField(
        label=_("FCM service account (JSON)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "off"}),
        help_text=_("Firebase console → Project settings → Service accounts → Generate key."),
    )
    apns_key_id = forms.CharField(label=_("APNs key ID"), required=False, max_length=20)
    apns_team_id = forms.CharField(label=_("Apple team ID"), required=False, max_length=20)
    apns_topic = forms.CharField(label=_("Bundle ID (apns-topic)"), required=False, max_length=200)
    apns_private_key = forms.CharField(
        label=_("APNs auth key (.p8)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "off"}),
    )
    apns_sandbox = forms.BooleanField(label=_("APNs sandbox (development builds)"), required=False)
    vapid_private_key = forms.CharField(
        label=_("VAPID private key (PEM)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4, "autocomplete": "off"}),
    )
    vapid_subject = forms.CharField(
        label=_("VAPID contact (mailto: or https:)"), required=False, max_length=200
    )

    def clean_fcm_service_account(self) -> dict[str, Any] | None:
        raw = self.cleaned_data["fcm_service_account"].strip()
        if not raw:
            return None
        try:
            value = json.loads(raw)
        except ValueError as exc:
            raise forms.ValidationError(_("This is not valid JSON.")) from exc
        if not isinstance(value, dict) or any(not value.get(k) for k in FCM_KEYS):
            raise forms.ValidationError(
                _("The service account needs %(keys)s.") % {"keys": ", ".join(FCM_KEYS)}
            )
        return value

    def credentials(self) -> dict[str, dict[str, Any] | None]:
        data = self.cleaned_data
        apns = None
        if data["apns_private_key"].strip():
            apns = {
                "key_id": data["apns_key_id"].strip(),
                "team_id": data["apns_team_id"].strip(),
                "topic": data["apns_topic"].strip(),
                "private_key": data["apns_private_key"].strip(),
                "sandbox": bool(data["apns_sandbox"]),
            }
        vapid = None
        if data["vapid_private_key"].strip():
            vapid = {
                "private_key": data["vapid_private_key"].strip(),
                "subject": data["vapid_subject"].strip(),
            }
        return {"fcm_service_account": data["fcm_service_account"], "apns": apns, "vapid": vapid}

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if (data.get("apns_private_key") or "").strip() and not all(
            (data.get(k) or "").strip() for k in ("apns_key_id", "apns_team_id", "apns_topic")
        ):
            raise forms.ValidationError(_("APNs needs the key ID, team ID and bundle ID too."))
        if (data.get("vapid_private_key") or "").strip() and not (
            data.get("vapid_subject") or ""
        ).startswith(("mailto:", "https:")):
            raise forms.ValidationError(_("VAPID needs a mailto: or https: contact."))
        return data
