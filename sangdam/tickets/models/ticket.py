from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class Topic(models.Model):
    """What an inquiry is about; names are localized ({"ko": ..., "en": ...})."""

    slug = models.SlugField(unique=True)
    names = models.JSONField(default=dict)
    position = models.PositiveSmallIntegerField(default=0)
    active = models.BooleanField(default=True)
    default_team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["position", "slug"]

    def __str__(self) -> str:
        return self.name()

    def name(self, language: str | None = None) -> str:
        language = (language or get_language() or "en")[:2]
        return str(self.names.get(language) or self.names.get("en") or self.slug)


class Status(models.TextChoices):
    NEW = "new", _("New")
    OPEN = "open", _("Open")
    PENDING = "pending", _("Pending")
    SOLVED = "solved", _("Solved")
    CLOSED = "closed", _("Closed")


class Priority(models.TextChoices):
    LOW = "low", _("Low")
    NORMAL = "normal", _("Normal")
    HIGH = "high", _("High")
    URGENT = "urgent", _("Urgent")


class Ticket(models.Model):
    reference = models.CharField(max_length=24, unique=True)
    subject = models.CharField(_("subject"), max_length=300)
    topic = models.ForeignKey(Topic, null=True, blank=True, on_delete=models.SET_NULL)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NEW)
    priority = models.CharField(max_length=12, choices=Priority.choices, default=Priority.NORMAL)
    channel = models.ForeignKey("connectors.Channel", on_delete=models.PROTECT, related_name="+")
    language = models.CharField(max_length=8, blank=True)
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="tickets"
    )
    team = models.ForeignKey(
        "accounts.Team", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_tickets",
    )
    tags = models.JSONField(default=list, blank=True)
    # The conversation this ticket continues on its channel (a chat id, a thread id).
    thread_key = models.CharField(max_length=200, blank=True)
    # Details the customer's app or form sent along (app version, device, order number).
    metadata = models.JSONField(default=dict, blank=True)
    first_response_due_at = models.DateTimeField(null=True, blank=True)
    next_response_due_at = models.DateTimeField(null=True, blank=True)
    resolution_due_at = models.DateTimeField(null=True, blank=True)
    # The earliest running SLA due time (next reply or resolution): what the inbox sorts
    # and badges on. Written by the SLA clocks (sangdam.service.sla), never by hand.
    sla_due_at = models.DateTimeField(null=True, blank=True)
    first_responded_at = models.DateTimeField(null=True, blank=True)
    solved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    merged_into = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="merged_from"
    )
    last_activity_at = models.DateTimeField()
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        indexes = [
            models.Index(
                fields=["status", "-last_activity_at", "-id"], name="ticket_status_activity"
            ),
            # "Mine" asks for three open statuses at once: with status second in the key
            # the database read every open ticket of the agent and sorted them (13 ms at
            # 1M tickets on SQLite); in activity order it stops after one page (0.1 ms).
            models.Index(
                fields=["assignee", "-last_activity_at", "-id"], name="ticket_assignee_recent"
            ),
            models.Index(
                fields=["team", "status", "-last_activity_at", "-id"], name="ticket_team_activity"
            ),
            models.Index(fields=["-last_activity_at", "-id"], name="ticket_activity"),
            models.Index(fields=["customer", "-created_at"], name="ticket_customer"),
            models.Index(fields=["channel", "thread_key"], name="ticket_thread"),
            # "Soonest due first" over open tickets; without it the due sort reads them all.
            models.Index(fields=["sla_due_at", "id"], name="ticket_sla_due"),
            # The inbox's capped total (selectors.ticket_count) read from the index alone:
            # counting 10,001 open tickets through the table took 64 ms at 200k tickets on
            # SQLite, a filtered view (channel + priority) 145 ms; through this 1-12 ms.
            models.Index(
                fields=["status", "assignee", "channel", "priority", "team", "topic", "language"],
                name="ticket_count_cover",
                condition=models.Q(merged_into__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reference} {self.subject}"

    @property
    def is_open(self) -> bool:
        return self.status in (Status.NEW, Status.OPEN, Status.PENDING)


class TicketLink(models.Model):
    """A ticket that continues another (a reply to a closed ticket opens a linked one)."""

    class Kind(models.TextChoices):
        FOLLOW_UP = "follow_up", _("Follow-up")
        MERGED = "merged", _("Merged")

    from_ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="links_out")
    to_ticket = models.ForeignKey(Ticket, on_delete=models.CASCADE, related_name="links_in")
    kind = models.CharField(max_length=16, choices=Kind.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.from_ticket_id} -{self.kind}-> {self.to_ticket_id}"
