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


class HeldReason(models.TextChoices):
    SPAM = "spam", _("Flagged as spam")
    AUTO_REPLY = "auto_reply", _("Automatic reply")
    RATE_LIMITED = "rate_limited", _("Sender over the hourly limit")
    UNREADABLE = "unreadable", _("No usable sender")
    BOUNCE = "bounce", _("Bounce for no mail of ours")


class HeldMail(models.Model):
    """A mail that was accepted (SMTP 250, IMAP flag) but must not reach the inbox as it is.

    Spam flagged upstream, automatic replies that would open a ticket, bounces we cannot
    match to a mail we sent, mail over the per-sender limit taken by IMAP: kept whole
    (the raw message), so an agent can review it and *release* it, which runs the normal
    intake. Nothing acknowledged is dropped.
    """

    channel = models.ForeignKey(
        "connectors.Channel", on_delete=models.CASCADE, related_name="held_mail"
    )
    reason = models.CharField(_("reason"), max_length=16, choices=HeldReason.choices)
    # The rule that matched ("X-Spam-Flag: YES", "Auto-Submitted: auto-replied", the
    # bounce's diagnostic), shown to the agent.
    detail = models.CharField(_("detail"), max_length=500, blank=True)
    message_id = models.CharField(max_length=300)
    sender = models.CharField(_("sender"), max_length=320, blank=True)
    subject = models.CharField(_("subject"), max_length=500, blank=True)
    envelope_from = models.CharField(max_length=320, blank=True)
    envelope_to = models.JSONField(default=list, blank=True)
    raw = models.BinaryField()
    created_at = models.DateTimeField(_("received"), auto_now_add=True)
    released_at = models.DateTimeField(_("released"), null=True, blank=True)
    released_by = models.ForeignKey(
        "accounts.User", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # What the release led to ("ticket SD-100123", "duplicate").
    outcome = models.CharField(max_length=64, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("held mail")
        verbose_name_plural = _("held mail")
        constraints = [
            # A retry of the same mail (lost 250, IMAP flag not set) is held once.
            models.UniqueConstraint(
                fields=["channel", "message_id"], name="held_mail_unique_message"
            )
        ]
        indexes = [models.Index(fields=["reason", "released_at", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.reason}: {self.sender} {self.subject}"[:200]
