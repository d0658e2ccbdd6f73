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
        return localized_name(self.names, self.slug, language)


def localized_name(names: dict[str, str], slug: str, language: str | None = None) -> str:
    """A topic's name in ``language`` (the active one by default), else English, else slug."""
    language = (language or get_language() or "en")[:2]
    return str(names.get(language) or names.get("en") or slug)


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


# The columns an inbox page filters by (besides the view's status), carried by the
# activity index.
INBOX_FILTERED = ("status", "channel", "priority", "topic", "language", "team", "assignee")


class Ticket(models.Model):
    # Unique by a constraint (Meta), not unique=True: on PostgreSQL that also built a
    # second, LIKE-ready index nothing queries.
    reference = models.CharField(max_length=24)
    subject = models.CharField(_("subject"), max_length=300)
    topic = models.ForeignKey(Topic, null=True, blank=True, on_delete=models.SET_NULL)
    status = models.CharField(max_length=12, choices=Status.choices, default=Status.NEW)
    priority = models.CharField(max_length=12, choices=Priority.choices, default=Priority.NORMAL)
    # No index of their own for channel, customer, team, assignee: the composite indexes
    # in Meta start with them. Each index is work on every ticket write (17 indexes once
    # made the SLA recompute, which then wrote due times on this row, miss its 10 s).
    channel = models.ForeignKey(
        "connectors.Channel", on_delete=models.PROTECT, related_name="+", db_index=False
    )
    language = models.CharField(max_length=8, blank=True)
    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.PROTECT, related_name="tickets", db_index=False
    )
    team = models.ForeignKey(
        "accounts.Team",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="+",
        db_index=False,
    )
    assignee = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="assigned_tickets",
        db_index=False,
    )
    tags = models.JSONField(default=list, blank=True)
    # The conversation this ticket continues on its channel (a chat id, a thread id).
    thread_key = models.CharField(max_length=200, blank=True)
    # Details the customer's app or form sent along (app version, device, order number).
    metadata = models.JSONField(default=dict, blank=True)
    # The SLA due times live on the ticket's clock row (sangdam.service.models.SlaClock):
    # a recompute rewrites them for every open ticket, and on this row each write was
    # an entry in each of the ticket's indexes.
    first_responded_at = models.DateTimeField(null=True, blank=True)
    solved_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    merged_into = models.ForeignKey(
        "self",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="merged_from",
        db_index=False,  # see ticket_merged_into: only the few merged tickets are indexed
    )
    last_activity_at = models.DateTimeField()
    created_at = models.DateTimeField()
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["reference"], name="ticket_reference_unique"),
        ]
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
            # Newest activity first, with the columns an inbox filters by: a filtered page
            # walks it skipping what does not match without reading those tickets' rows
            # (tickets/inbox_plan.py).
            models.Index(
                fields=["-last_activity_at", "-id", *INBOX_FILTERED],
                name="ticket_activity",
                condition=models.Q(merged_into__isnull=True),
            ),
            models.Index(fields=["customer", "-created_at"], name="ticket_customer"),
            models.Index(fields=["channel", "thread_key"], name="ticket_thread"),
            models.Index(
                fields=["merged_into"],
                name="ticket_merged_into",
                condition=models.Q(merged_into__isnull=False),
            ),
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
