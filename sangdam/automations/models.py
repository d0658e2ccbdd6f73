"""Automations: triggers on events, time rules run by the scheduler, and macros.

A trigger or time rule is a list of conditions (all must hold) and a list of actions,
stored as small JSON lists validated by :mod:`sangdam.automations.rules`; the admin page
edits them as rows. Each firing is a row here (so a retried task never fires twice) and an
event on the ticket's timeline.
"""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class When(models.TextChoices):
    CREATED = "ticket_created", _("A ticket is created")
    UPDATED = "ticket_updated", _("A ticket is updated")
    MESSAGE = "message_received", _("A customer message arrives")


class Trigger(models.Model):
    name = models.CharField(_("name"), max_length=120)
    position = models.PositiveIntegerField(_("position"), default=0)
    active = models.BooleanField(_("active"), default=True)
    when = models.CharField(_("when"), max_length=20, choices=When.choices)
    # [{"field": "channel", "op": "is", "value": "email"}, ...]: all must hold.
    conditions = models.JSONField(default=list, blank=True)
    # [{"type": "add_tags", "value": "vip"}, ...]: run in order.
    actions = models.JSONField(default=list)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class TriggerRun(models.Model):
    """A trigger fired on a ticket because of one event (unique: a retry cannot repeat it)."""

    trigger = models.ForeignKey(Trigger, on_delete=models.CASCADE, related_name="runs")
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    source_event = models.BigIntegerField()
    fired_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["trigger", "ticket", "source_event"], name="trigger_run_once"
            )
        ]
        indexes = [
            models.Index(fields=["ticket", "trigger", "fired_at"], name="trigger_run_recent")
        ]

    def __str__(self) -> str:
        return f"{self.trigger_id} on {self.ticket_id} ({self.source_event})"


class Since(models.TextChoices):
    STATUS = "status", _("In this status for")
    UNASSIGNED = "unassigned", _("New or open and unassigned for")


class TimeRule(models.Model):
    """ "Pending for 3 days → remind", "unassigned for 30 minutes → escalate"."""

    name = models.CharField(_("name"), max_length=120)
    position = models.PositiveIntegerField(_("position"), default=0)
    active = models.BooleanField(_("active"), default=True)
    since = models.CharField(_("condition"), max_length=16, choices=Since.choices)
    # For ``status``: which status the ticket has been in.
    status = models.CharField(_("status"), max_length=12, blank=True)
    minutes = models.PositiveIntegerField(_("minutes"))
    conditions = models.JSONField(default=list, blank=True)
    actions = models.JSONField(default=list)

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class TimeRuleRun(models.Model):
    """A time rule fired on a ticket for one stretch of time (``since``): once per stretch."""

    rule = models.ForeignKey(TimeRule, on_delete=models.CASCADE, related_name="runs")
    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="+")
    since = models.DateTimeField()
    fired_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["rule", "ticket", "since"], name="time_rule_run_once")
        ]

    def __str__(self) -> str:
        return f"{self.rule_id} on {self.ticket_id} ({self.since:%Y-%m-%d %H:%M})"


class Macro(models.Model):
    """A canned response with placeholders, in Korean and English."""

    name = models.CharField(_("name"), max_length=120, unique=True)
    position = models.PositiveIntegerField(_("position"), default=0)
    active = models.BooleanField(_("active"), default=True)
    # {"ko": "...", "en": "..."}
    texts = models.JSONField(default=dict)

    class Meta:
        ordering = ["position", "name"]

    def __str__(self) -> str:
        return self.name

    def text(self, language: str | None = None) -> str:
        language = (language or get_language() or "ko")[:2]
        return str(self.texts.get(language) or self.texts.get("ko") or self.texts.get("en") or "")
