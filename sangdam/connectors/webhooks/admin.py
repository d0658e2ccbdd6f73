"""Console admin pages for webhook channels (Telegram, LINE, Facebook, Instagram, ...).

Add or edit a channel of any registered webhook kind from its connector's config and
secrets classes, see the webhook URL to paste into the provider's console, test the
connection, and look at (and replay) the channel's recent and failed events.
"""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.db.models import Count
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_POST

from sangdam.connectors.base import DeliveryError, WebhookConnector
from sangdam.connectors.models import Channel, ChannelKind, EventStatus, InboundEvent
from sangdam.connectors.registry import get_connector, registered_kinds
from sangdam.connectors.webhooks.forms import WebhookChannelForm
from sangdam.connectors.webhooks.store import replay_events
from sangdam.console.permissions import admin_required

TAB_LABEL = gettext_lazy("Messengers")
RECENT_EVENTS = 50


def webhook_kinds() -> list[str]:
    return [k for k in registered_kinds() if isinstance(get_connector(k), WebhookConnector)]


def _connector(kind: str) -> WebhookConnector:
    connector = get_connector(kind)
    if not isinstance(connector, WebhookConnector):
        raise Http404
    return connector


def webhook_url(channel: Channel) -> str:
    path = reverse("hooks:hook", kwargs={"kind": channel.kind, "key": channel.key})
    return settings.SITE_URL.rstrip("/") + path


@admin_required
def channels(request: HttpRequest) -> HttpResponse:
    kinds = webhook_kinds()
    # Live chat is no webhook channel, but admins look for it with the messengers.
    rows = Channel.objects.filter(kind__in=[*kinds, ChannelKind.LIVECHAT]).order_by("kind", "name")
    failed = {
        row["channel"]: row["n"]
        for row in InboundEvent.objects.filter(status=EventStatus.FAILED, channel__in=rows)
        .values("channel")
        .annotate(n=Count("id"))
        .order_by()
    }
    labels = dict(ChannelKind.choices)
    return render(
        request,
        "webhooks/channels.html",
        {
            "rows": [(channel, failed.get(channel.pk, 0)) for channel in rows],
            "kinds": [(k, labels.get(k, k)) for k in kinds],
            "section": "messengers",
        },
    )


def _kind_label(kind: str) -> str:
    """The kind's name in the admin's language ("전화"), not its code."""
    return str(ChannelKind(kind).label) if kind in ChannelKind.values else kind.capitalize()


@admin_required
def channel_create(request: HttpRequest, kind: str) -> HttpResponse:
    connector = _connector(kind)
    form = WebhookChannelForm(request.POST or None, connector=connector)
    if request.method == "POST" and form.is_valid():
        channel = form.save()
        messages.success(
            request, _("Channel created. Paste its webhook URL into the provider's console.")
        )
        return redirect("console:admin_channel", channel_id=channel.pk)
    return render(
        request,
        "console/admin/form.html",
        {
            "form": form,
            "title": _("New %(kind)s channel") % {"kind": _kind_label(kind)},
            "section": "messengers",
            "back": "console:admin_channels",
        },
    )


@admin_required
def channel_page(request: HttpRequest, channel_id: int) -> HttpResponse:
    channel = get_object_or_404(Channel, pk=channel_id)
    connector = _connector(channel.kind)
    form = WebhookChannelForm(request.POST or None, connector=connector, channel=channel)
    if request.method == "POST" and form.is_valid():
        form.save()
        messages.success(request, _("Channel saved."))
        return redirect("console:admin_channel", channel_id=channel.pk)
    status = request.GET.get("status", "")
    events = InboundEvent.objects.filter(channel=channel).defer("body", "headers")
    if status in EventStatus.values:
        events = events.filter(status=status)
    return render(
        request,
        "webhooks/channel.html",
        {
            "channel": channel,
            "form": form,
            "webhook_url": webhook_url(channel),
            "can_register": type(connector).register_webhook
            is not WebhookConnector.register_webhook,
            "chat_link": connector.chat_link(channel),
            "events": events[:RECENT_EVENTS],
            "status": status,
            "statuses": EventStatus.choices,
            "failed_count": InboundEvent.objects.filter(
                channel=channel, status=EventStatus.FAILED
            ).count(),
            "section": "messengers",
        },
    )


@require_POST
@admin_required
def channel_test(request: HttpRequest, channel_id: int) -> HttpResponse:
    """Call the provider with the stored credentials now, so a wrong token shows at once."""
    channel = get_object_or_404(Channel, pk=channel_id)
    try:
        summary = _connector(channel.kind).test_connection(channel)
    except DeliveryError as exc:
        messages.error(request, _("Connection failed: %(error)s") % {"error": exc})
    else:
        messages.success(request, summary)
    return redirect("console:admin_channel", channel_id=channel.pk)


@require_POST
@admin_required
def channel_register(request: HttpRequest, channel_id: int) -> HttpResponse:
    """Tell the provider the webhook URL (for providers with an API for it, e.g. Telegram)."""
    channel = get_object_or_404(Channel, pk=channel_id)
    try:
        _connector(channel.kind).register_webhook(channel, webhook_url(channel))
    except DeliveryError as exc:
        messages.error(request, _("The provider refused the webhook: %(error)s") % {"error": exc})
    else:
        messages.success(
            request, _("The provider now sends updates to %(url)s.") % {"url": webhook_url(channel)}
        )
    return redirect("console:admin_channel", channel_id=channel.pk)


@require_POST
@admin_required
def channel_replay(request: HttpRequest, channel_id: int) -> HttpResponse:
    """Process one event (``event``) or every failed event of the channel again."""
    channel = get_object_or_404(Channel, pk=channel_id)
    events = InboundEvent.objects.filter(channel=channel)
    event_id = request.POST.get("event", "")
    if event_id.isdigit():
        events = events.filter(pk=int(event_id))
    else:
        events = events.filter(status=EventStatus.FAILED)
    count = replay_events(list(events.only("pk")))
    messages.success(
        request, _("%(count)d event(s) queued for processing again.") % {"count": count}
    )
    return redirect("console:admin_channel", channel_id=channel.pk)
