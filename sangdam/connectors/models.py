"""A channel: one configured way customers reach the company (an inbox of a kind)."""

from __future__ import annotations

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
    TELEGRAM = "telegram", _("Telegram")
    LINE = "line", _("LINE")
    API = "api", _("API")


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
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "name"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.name}"
