"""Registered apps, their users' push tokens, read markers and idempotency keys.

An app's secret signs its users' ids (HMAC-SHA256), so Sangdam must know the raw secret:
it is encrypted at rest (:class:`EncryptedJSONField`), never hashed. Rotation keeps the
previous secret valid for a while so apps already shipped keep working.
"""

from __future__ import annotations

import secrets as _secrets

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from sangdam.core.crypto import EncryptedJSONField


class Platform(models.TextChoices):
    IOS = "ios", _("iOS")
    ANDROID = "android", _("Android")
    WEB = "web", _("Web")


class PushKind(models.TextChoices):
    FCM = "fcm", _("Firebase Cloud Messaging")
    APNS = "apns", _("Apple Push Notification service")
    WEBPUSH = "webpush", _("Web Push")


def new_app_key() -> str:
    return "ak_" + _secrets.token_urlsafe(18)


def new_app_secret() -> str:
    return "as_" + _secrets.token_urlsafe(32)


class App(models.Model):
    """One of the company's apps (iOS, Android or web) that may open inquiries."""

    name = models.CharField(_("name"), max_length=120)
    platform = models.CharField(_("platform"), max_length=8, choices=Platform.choices)
    # Public: shipped inside the app. It names the app; the secret proves the user.
    key = models.CharField(_("app key"), max_length=64, unique=True, default=new_app_key)
    # {"current": ..., "previous": ..., "fcm_service_account": {...}, "apns": {...},
    #  "vapid": {...}}: everything that must not sit in plain text.
    secrets = EncryptedJSONField(default=dict, blank=True)
    previous_valid_until = models.DateTimeField(null=True, blank=True)
    anonymous_allowed = models.BooleanField(_("allow anonymous users"), default=False)
    channel = models.ForeignKey(
        "connectors.Channel",
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"kind": "app"},
        verbose_name=_("channel"),
    )
    enabled = models.BooleanField(_("enabled"), default=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_platform_display()})"

    def valid_secrets(self) -> list[str]:
        """The secrets a signature may be made with right now, current first."""
        found = [str(self.secrets.get("current") or "")]
        previous = str(self.secrets.get("previous") or "")
        if previous and self.previous_valid_until and timezone.now() < self.previous_valid_until:
            found.append(previous)
        return [s for s in found if s]


class PushToken(models.Model):
    """Where to push a customer's notifications: an FCM/APNs token or a Web Push subscription."""

    app = models.ForeignKey(App, on_delete=models.CASCADE, related_name="push_tokens")
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="app_push_tokens"
    )
    kind = models.CharField(max_length=8, choices=PushKind.choices)
    # FCM/APNs: the device token; Web Push: the subscription's endpoint URL.
    token = models.CharField(max_length=1000)
    # Web Push: the whole subscription ({"endpoint", "keys": {"p256dh", "auth"}}).
    subscription = models.JSONField(default=dict, blank=True)
    locale = models.CharField(max_length=35, blank=True)  # BCP 47, as the API accepts
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["app", "kind", "token"], name="push_token_unique")
        ]
        indexes = [models.Index(fields=["customer"], name="push_token_customer")]

    def __str__(self) -> str:
        return f"{self.kind}:{self.token[:16]}…"


class ReadMarker(models.Model):
    """When the customer last read a ticket in the app: replies after it are unread."""

    ticket = models.OneToOneField(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="app_read_marker"
    )
    read_at = models.DateTimeField()

    def __str__(self) -> str:
        return f"{self.ticket_id} read at {self.read_at:%Y-%m-%d %H:%M}"


class AppIdempotencyKey(models.Model):
    """The stored answer to one (app, user, Idempotency-Key) request."""

    app = models.ForeignKey(App, on_delete=models.CASCADE, related_name="+")
    # "user:<id>" or "device:<id>": keys of two users never collide.
    principal = models.CharField(max_length=260)
    key = models.CharField(max_length=255)
    request_hash = models.CharField(max_length=64)
    response_status = models.PositiveSmallIntegerField()
    response_body = models.JSONField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["app", "principal", "key"], name="app_idempotency_unique"
            )
        ]
        indexes = [models.Index(fields=["created_at"], name="app_idempotency_created")]

    def __str__(self) -> str:
        return f"{self.app_id}:{self.principal}:{self.key}"
