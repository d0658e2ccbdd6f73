"""Tables of the email channel: IMAP mailboxes to poll and what was taken from them.

A :class:`Mailbox` belongs to one email channel (a channel may have several). An
:class:`ImapReceipt` says "this (UIDVALIDITY, UID) went through the intake", so a message
whose flag could not be set after its commit is recognised on the next poll.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _

from sangdam.core.crypto import EncryptedJSONField


class Security(models.TextChoices):
    TLS = "tls", _("TLS (port 993)")
    STARTTLS = "starttls", _("STARTTLS (port 143)")
    NONE = "none", _("None (local servers only)")


class AuthMethod(models.TextChoices):
    PASSWORD = "password", _("Password")
    OAUTH2 = "oauth2", _("OAuth2")


class Mailbox(models.Model):
    channel = models.ForeignKey(
        "connectors.Channel",
        on_delete=models.CASCADE,
        related_name="mailboxes",
        verbose_name=_("channel"),
    )
    host = models.CharField(_("IMAP server"), max_length=255)
    port = models.PositiveIntegerField(_("port"), default=993)
    security = models.CharField(
        _("security"), max_length=16, choices=Security.choices, default=Security.TLS
    )
    username = models.CharField(_("user name"), max_length=320)
    auth_method = models.CharField(
        _("sign-in method"), max_length=16, choices=AuthMethod.choices, default=AuthMethod.PASSWORD
    )
    # {"password"} or {"oauth2_token", "oauth2_expires_at", "oauth2_refresh_token",
    # "oauth2_client_secret"}: encrypted at rest, never shown back.
    secrets = EncryptedJSONField(default=dict, blank=True)
    # Where fresh OAuth2 access tokens come from (see oauth2.py); empty: paste tokens by hand.
    oauth2_token_url = models.URLField(_("OAuth2 token endpoint"), blank=True)
    oauth2_client_id = models.CharField(_("OAuth2 client ID"), max_length=255, blank=True)
    oauth2_scope = models.CharField(_("OAuth2 scope"), max_length=500, blank=True)
    folder = models.CharField(_("folder"), max_length=255, default="INBOX")
    processed_folder = models.CharField(_("move processed mail to"), max_length=255, blank=True)
    enabled = models.BooleanField(_("enabled"), default=True)
    last_error = models.TextField(_("last error"), blank=True)
    last_polled_at = models.DateTimeField(_("last polled"), null=True, blank=True)
    # The folder's UIDVALIDITY at the last poll; when it changes, old UIDs mean nothing.
    uidvalidity = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["channel_id", "host", "username"]
        verbose_name = _("mailbox")
        verbose_name_plural = _("mailboxes")

    def __str__(self) -> str:
        return f"{self.username}@{self.host}/{self.folder}"


class ImapReceipt(models.Model):
    """One IMAP message that went through the intake (whatever the outcome)."""

    mailbox = models.ForeignKey(Mailbox, on_delete=models.CASCADE, related_name="receipts")
    uidvalidity = models.BigIntegerField()
    uid = models.BigIntegerField()
    message_id = models.CharField(max_length=998, blank=True)
    outcome = models.CharField(max_length=64)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["mailbox", "uidvalidity", "uid"], name="imap_receipt_unique_uid"
            )
        ]

    def __str__(self) -> str:
        return f"{self.mailbox_id}:{self.uidvalidity}:{self.uid} {self.outcome}"
