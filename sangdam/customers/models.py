"""Customers and the identities that tie one person together across channels."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class IdentityKind(models.TextChoices):
    EMAIL = "email", _("Email")
    PHONE = "phone", _("Phone")
    APP_USER = "app_user", _("App user")
    DEVICE = "device", _("App device")
    KAKAO = "kakao", _("KakaoTalk")
    TELEGRAM = "telegram", _("Telegram")
    FACEBOOK = "facebook", _("Facebook Messenger")
    INSTAGRAM = "instagram", _("Instagram")
    LINE = "line", _("LINE")
    LIVECHAT = "livechat", _("Live chat visitor")


# Identity kinds a person recognises as theirs, so they may stand for a missing name.
SHOWN_CONTACT_KINDS = (IdentityKind.EMAIL, IdentityKind.PHONE)


class Tier(models.TextChoices):
    STANDARD = "standard", _("Standard")
    PREMIUM = "premium", _("Premium")
    VIP = "vip", _("VIP")


class Customer(models.Model):
    name = models.CharField(_("name"), max_length=200, blank=True)
    # The address or number the customer first wrote from: what agents see when the
    # customer gave no name (a mail with a bare address), never an internal "#150".
    contact = models.CharField(_("contact"), max_length=320, blank=True)
    language = models.CharField(_("language"), max_length=8, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    # Chooses the SLA policy (premium customers may be promised faster answers).
    tier = models.CharField(_("tier"), max_length=16, choices=Tier.choices, default=Tier.STANDARD)
    # Set when this customer was merged into another; merged customers keep no identities.
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name or self.contact or f"#{self.pk}"


class Identity(models.Model):
    """One way to reach a customer. (kind, value) is unique: it names one person."""

    customer = models.ForeignKey(Customer, on_delete=models.CASCADE, related_name="identities")
    kind = models.CharField(max_length=16, choices=IdentityKind.choices)
    value = models.CharField(max_length=320)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["kind", "value"], name="identity_kind_value_unique")
        ]

    def __str__(self) -> str:
        return f"{self.kind}:{self.value}"
