"""The console's own records: an agent's notifications and saved inbox views."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Notification(models.Model):
    """Something an agent should know about one of their tickets (the in-app list)."""

    class Kind(models.TextChoices):
        ASSIGNED = "assigned", _("Assigned to you")
        CUSTOMER_REPLIED = "customer_replied", _("The customer replied")
        SLA_BREACHED = "sla_breached", _("SLA target missed")
        NEW_CHAT = "new_chat", _("A new chat is waiting")

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    # The audit event it tells of: a listener run again (a retry) adds nothing.
    event_id = models.BigIntegerField()
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "event_id"], name="notification_once")
        ]
        indexes = [models.Index(fields=["user", "-created_at"], name="notification_user_recent")]

    def __str__(self) -> str:
        return f"{self.kind} for {self.user_id} on {self.ticket_id}"


class SavedView(models.Model):
    """An inbox filter kept under a name, for its owner or shared with every agent."""

    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views"
    )
    name = models.CharField(max_length=80)
    query = models.CharField(max_length=1000)  # the inbox's query string, without cursor
    shared = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["name", "id"]

    def __str__(self) -> str:
        return self.name


class TicketSeen(models.Model):
    """When an agent last had a ticket open: the inbox marks tickets never opened (unread)
    and tickets with activity since (updated)."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    seen_at = models.DateTimeField()

    class Meta:
        constraints = [models.UniqueConstraint(fields=["user", "ticket"], name="ticket_seen_once")]

    def __str__(self) -> str:
        return f"{self.user_id} saw {self.ticket_id}"
