"""A channel: one configured way customers reach the company (an inbox of a kind)."""

from __future__ import annotations

import secrets

from django.db import models
from django.utils.translation import gettext_lazy as _

from sangdam.core.crypto import EncryptedJSONField


class ChannelKind(models.TextChoices):
    EMAIL = "email", _("Email")
    WEBFORM = "webform", _("Web form")
    APP = "app", _("Mobile app")
    LIVECHAT = "livechat", _("Live chat")
    PHONE = "phone", _("Phone")
    KAKAO = "kakao", _("KakaoTalk")
    FACEBOOK = "facebook", _("Facebook Messenger")
    INSTAGRAM = "instagram", _("Instagram")
    TELEGRAM = "telegram", _("Telegram")
    LINE = "line", _("LINE")
    API = "api", _("API")


def new_channel_key() -> str:
    """The unguessable part of a channel's webhook URL (``/hooks/<kind>/<key>``)."""
    return secrets.token_urlsafe(18)


class Channel(models.Model):
    kind = models.CharField(_("kind"), max_length=16, choices=ChannelKind.choices)
    name = models.CharField(_("name"), max_length=120)
    # Public address customers use: an email address, a phone number, a page URL.
    address = models.CharField(_("address"), max_length=320, blank=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    # Non-secret settings validated by the connector's pydantic config class.
    config = models.JSONField(default=dict, blank=True)
    # Passwords, tokens and keys: encrypted at rest, never shown back in full.
    secrets = EncryptedJSONField(default=dict, blank=True)
    last_error = models.TextField(blank=True)
    # Random, url-safe: names the channel in its webhook URL. Rotating it is the way to
    # shut out someone who learnt the URL (providers still sign their calls).
    key = models.CharField(_("webhook key"), max_length=40, unique=True, default=new_channel_key)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.name}"


class EventStatus(models.TextChoices):
    PENDING = "pending", _("Pending")
    PROCESSED = "processed", _("Processed")
    IGNORED = "ignored", _("Ignored")
    FAILED = "failed", _("Failed")


class InboundEvent(models.Model):
    """A provider's webhook call, stored as received before it is answered.

    Unique on (channel, provider event id): a provider's retry is a no-op. A task turns it
    into messages and receipts; one that keeps failing stays here with its error and can be
    replayed from the channel's admin page or ``sangdam replay_events``.
    """

    channel = models.ForeignKey(Channel, on_delete=models.CASCADE, related_name="events")
    event_id = models.CharField(max_length=200)
    body = models.BinaryField()
    headers = models.JSONField(default=dict, blank=True)
    status = models.CharField(
        max_length=10, choices=EventStatus.choices, default=EventStatus.PENDING
    )
    attempts = models.PositiveSmallIntegerField(default=0)
    last_error = models.TextField(blank=True)
    received_at = models.DateTimeField(auto_now_add=True)
    processed_at = models.DateTimeField(null=True, blank=True)
    # The answer the provider got, for connectors that keep it (a call's TwiML):
    # {"status", "content_type", "body"} (text); a retry is given it again.
    answer = models.JSONField(null=True, blank=True)

    class Meta:
        ordering = ["-received_at", "-id"]
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "event_id"], name="inbound_event_channel_event_unique"
            )
        ]
        indexes = [
            models.Index(fields=["channel", "status", "-received_at"], name="inbound_event_status")
        ]

    def __str__(self) -> str:
        return f"{self.channel_id}:{self.event_id} ({self.status})"


class ChatRating(models.Model):
    """A live chat visitor's answer to "how did we do?" when the chat ended (1-5).

    One per ticket (a second answer replaces the first); reporting aggregates them.
    """

    ticket = models.OneToOneField(
        "tickets.Ticket", on_delete=models.CASCADE, related_name="chat_rating"
    )
    score = models.PositiveSmallIntegerField(_("score"))
    comment = models.TextField(_("comment"), blank=True)
    created_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.ticket_id}: {self.score}"
