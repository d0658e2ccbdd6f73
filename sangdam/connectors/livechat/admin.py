"""Console admin page of a live chat channel: its look, the sites allowed to embed it, and
the snippet to paste into the website (listed with the messengers)."""

from __future__ import annotations

import secrets
from typing import Any

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST
from pydantic import ValidationError

from sangdam.connectors.livechat.config import LivechatConfig, channel_config
from sangdam.connectors.models import Channel, ChannelKind
from sangdam.console.permissions import admin_required


class LivechatForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Name"), max_length=120)
    enabled = forms.BooleanField(label=gettext_lazy("Enabled"), required=False)
    color = forms.CharField(
        label=gettext_lazy("Colour"),
        max_length=7,
        widget=forms.TextInput(attrs={"type": "color"}),
    )
    position = forms.ChoiceField(
        label=gettext_lazy("Launcher position"),
        choices=[("right", gettext_lazy("Bottom right")), ("left", gettext_lazy("Bottom left"))],
    )
    greeting = forms.CharField(
        label=gettext_lazy("Greeting"),
        required=False,
        max_length=500,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=gettext_lazy("The first line a visitor reads (empty: a default)."),
    )
    allowed_origins = forms.CharField(
        label=gettext_lazy("Sites that may embed the chat"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy("One per line, e.g. https://shop.example.com. Empty: any site."),
    )

    handover_seconds = forms.IntegerField(
        label=gettext_lazy("Hand an unanswered chat to another agent after (seconds)"),
        required=False,
        min_value=0,
        max_value=3600,
        help_text=gettext_lazy(
            "When routing gave the chat to an agent who has not answered in this time, it goes "
            "to another online agent (checked every minute by the scheduler). 0 or empty: the "
            "team's offer timeout applies."
        ),
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        origins = [o.strip().rstrip("/") for o in cleaned.get("allowed_origins", "").split()]
        try:
            self.config = LivechatConfig(
                color=cleaned.get("color", ""),
                position=cleaned.get("position", "right"),
                greeting=cleaned.get("greeting", ""),
                allowed_origins=[o for o in origins if o],
                handover_seconds=cleaned.get("handover_seconds") or 0,
            )
        except ValidationError as exc:
            for error in exc.errors():
                field = str(error["loc"][0]) if error["loc"] else None
                self.add_error(field if field in self.fields else None, error["msg"])
        for origin in origins:
            if origin and not origin.startswith(("https://", "http://")):
                self.add_error(
                    "allowed_origins", _("%(origin)s is not a site address.") % {"origin": origin}
                )
        return cleaned


def snippet(channel: Channel) -> str:
    src = settings.SITE_URL.rstrip("/") + reverse("livechat:widget_js")
    return f'<script src="{src}" data-channel="{channel.key}" async></script>'


@require_POST
@admin_required
def channel_identity_secret(request: HttpRequest, channel_id: int) -> HttpResponse:
    """A new secret for signed user ids (shown once; the old one stops working)."""
    channel = get_object_or_404(Channel, pk=channel_id, kind=ChannelKind.LIVECHAT)
    secret = secrets.token_urlsafe(32)
    channel.secrets = {**(channel.secrets or {}), "identity_secret": secret}
    channel.save(update_fields=["secrets"])
    messages.success(
        request,
        _("New identity secret (shown only now; keep it on your server): %(secret)s")
        % {"secret": secret},
    )
    return redirect("console:admin_livechat", channel_id=channel.pk)


@require_POST
@admin_required
def channel_create(request: HttpRequest) -> HttpResponse:
    channel = Channel.objects.create(
        kind=ChannelKind.LIVECHAT, name=_("Live chat"), config=LivechatConfig().model_dump()
    )
    return redirect("console:admin_livechat", channel_id=channel.pk)


@admin_required
def channel_page(request: HttpRequest, channel_id: int) -> HttpResponse:
    channel = get_object_or_404(Channel, pk=channel_id, kind=ChannelKind.LIVECHAT)
    config = channel_config(channel)
    initial = {
        "name": channel.name,
        "enabled": channel.enabled,
        **config.model_dump(exclude={"allowed_origins"}),
        "allowed_origins": "\n".join(config.allowed_origins),
    }
    form = LivechatForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        channel.name = form.cleaned_data["name"]
        channel.enabled = form.cleaned_data["enabled"]
        channel.config = {**(channel.config or {}), **form.config.model_dump()}
        channel.save(update_fields=["name", "enabled", "config"])
        messages.success(request, _("Channel saved."))
        return redirect("console:admin_livechat", channel_id=channel.pk)
    return render(
        request,
        "livechat/admin.html",
        {
            "channel": channel,
            "form": form,
            "snippet": snippet(channel),
            "chat_url": settings.SITE_URL.rstrip("/")
            + reverse("livechat:chat", args=[channel.key]),
            "has_identity_secret": bool((channel.secrets or {}).get("identity_secret")),
            "section": "messengers",
        },
    )
