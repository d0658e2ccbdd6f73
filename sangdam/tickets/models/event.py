from __future__ import annotations

from django.conf import settings
from django.db import models


class Event(models.Model):
    """Append-only audit trail: who changed what on a ticket, and when."""

    ticket = models.ForeignKey(
        "tickets.Ticket", null=True, blank=True, on_delete=models.CASCADE, related_name="events"
    )
    kind = models.CharField(max_length=40)
    actor_user = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    # "agent", "customer", "system" or "connector:<kind>": who acted when no user did.
    actor_label = models.CharField(max_length=40)
    data = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    # The transaction's dispatch batch when a task listener wants this event
    # (see sangdam.tickets.dispatch); the dispatch task reads its events back by it.
    batch = models.BigIntegerField(null=True, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        indexes = [
            models.Index(fields=["ticket", "created_at"], name="event_ticket_time"),
            models.Index(
                fields=["batch"], name="event_batch", condition=models.Q(batch__isnull=False)
            ),
        ]

    def __str__(self) -> str:
        return f"{self.kind} on {self.ticket_id}"
