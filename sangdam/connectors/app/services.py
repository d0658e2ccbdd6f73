"""Changes to the app channel's own tables: apps, secrets, push tokens, read markers.

Ticket changes never happen here (those go through the intake and the actions layer);
these are the app channel's bookkeeping, kept in one place so views stay thin.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from sangdam.connectors.app.models import App, PushToken, ReadMarker, new_app_secret
from sangdam.connectors.models import Channel, ChannelKind
from sangdam.customers.models import Customer
from sangdam.tickets.models import Ticket


def default_app_channel() -> Channel:
    """The first enabled channel of kind "app", created the first time it is needed."""
    channel = Channel.objects.filter(kind=ChannelKind.APP, enabled=True).order_by("id").first()
    if channel is not None:
        return channel
    channel, _ = Channel.objects.get_or_create(kind=ChannelKind.APP, name="App", enabled=True)
    return channel


def create_app(
    *,
    name: str,
    platform: str,
    channel: Channel | None = None,
    anonymous_allowed: bool = False,
) -> App:
    """Register an app with a fresh key and secret."""
    app = App(
        name=name,
        platform=platform,
        channel=channel or default_app_channel(),
        anonymous_allowed=anonymous_allowed,
    )
    app.secrets = {"current": new_app_secret()}
    app.save()
    return app


def rotate_secret(*, app: App, overlap: dt.timedelta | None = None) -> str:
    """Issue a new secret; the old one stays valid for ``overlap`` (no downtime).

    Apps' backends switch to the new secret during the overlap; signatures made with
    the old one are refused once it ends.
    """
    hours = settings.APP_SECRET_OVERLAP_HOURS
    overlap = overlap if overlap is not None else dt.timedelta(hours=hours)
    with transaction.atomic():
        app = App.objects.select_for_update().get(pk=app.pk)
        secret = new_app_secret()
        app.secrets = {**app.secrets, "previous": app.secrets.get("current", ""), "current": secret}
        app.previous_valid_until = timezone.now() + overlap
        app.save(update_fields=["secrets", "previous_valid_until"])
    return secret


def set_push_credentials(*, app: App, **credentials: dict[str, Any] | None) -> None:
    """Store FCM/APNs/VAPID credentials (``fcm_service_account``, ``apns``, ``vapid``)."""
    with transaction.atomic():
        app = App.objects.select_for_update().get(pk=app.pk)
        merged = dict(app.secrets)
        for name, value in credentials.items():
            if value:
                merged[name] = value
        app.secrets = merged
        app.save(update_fields=["secrets"])


def register_push_token(
    *,
    app: App,
    customer: Customer,
    kind: str,
    token: str,
    subscription: dict[str, Any] | None = None,
    locale: str = "",
) -> PushToken:
    """Add or refresh a token; a token that moved to another user (shared device) follows."""
    found, _ = PushToken.objects.update_or_create(
        app=app,
        kind=kind,
        token=token,
        defaults={"customer": customer, "subscription": subscription or {}, "locale": locale},
    )
    return found


def unregister_push_token(*, app: App, customer: Customer, token: str) -> int:
    deleted, _ = PushToken.objects.filter(app=app, customer=customer, token=token).delete()
    return int(deleted)


def mark_read(*, ticket: Ticket, at: dt.datetime | None = None) -> None:
    ReadMarker.objects.update_or_create(ticket=ticket, defaults={"read_at": at or timezone.now()})
