"""Routing: which team a new inquiry goes to, and which agent of that team gets it.

Rules (ordered, first match wins) pick the team from the inquiry's topic, channel and
language; each team's :class:`TeamRouting` says how an agent is chosen. An assignment
made by routing can be an *offer*: the agent accepts it (or answers the ticket) within
the team's timeout, or it goes to the next agent.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

# Conversations the customer waits in (live chat, messengers): counted against an agent's
# chat capacity rather than the ticket capacity.
CHAT_KINDS = frozenset({"livechat", "kakao", "facebook", "instagram", "telegram", "line"})


class Strategy(models.TextChoices):
    MANUAL = "manual", _("Manual: agents take tickets from the team queue")
    ROUND_ROBIN = "round_robin", _("Round robin among online agents")
    LEAST_LOADED = "least_loaded", _("Least loaded online agent, within capacity")


class TeamRouting(models.Model):
    """How a team hands out its tickets (a team without a row is manual)."""

    team = models.OneToOneField(
        "accounts.Team", on_delete=models.CASCADE, related_name="routing", verbose_name=_("team")
    )
    strategy = models.CharField(
        _("assignment"), max_length=16, choices=Strategy.choices, default=Strategy.MANUAL
    )
    match_language = models.BooleanField(
        _("prefer agents who speak the inquiry's language"), default=True
    )
    # 0: an assignment is final. Otherwise the agent has this long to accept it.
    offer_timeout_minutes = models.PositiveSmallIntegerField(
        _("offer timeout (minutes)"), default=0
    )
    # Round robin's pointer: the agent who got the last ticket.
    last_agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    def __str__(self) -> str:
        return f"{self.team}: {self.get_strategy_display()}"


class RoutingRule(models.Model):
    """Topic / channel / language → team; empty conditions match anything."""

    position = models.PositiveIntegerField(_("position"), default=0)
    name = models.CharField(_("name"), max_length=120)
    active = models.BooleanField(_("active"), default=True)
    topic = models.ForeignKey(
        "tickets.Topic",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("topic"),
    )
    channel = models.ForeignKey(
        "connectors.Channel",
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name=_("channel"),
    )
    language = models.CharField(_("language"), max_length=8, blank=True)
    team = models.ForeignKey(
        "accounts.Team", on_delete=models.CASCADE, related_name="+", verbose_name=_("team")
    )

    class Meta:
        ordering = ["position", "id"]

    def __str__(self) -> str:
        return self.name


class Offer(models.Model):
    """A ticket routing gave an agent, waiting for the agent to take it."""

    class State(models.TextChoices):
        PENDING = "pending", _("Waiting for the agent")
        ACCEPTED = "accepted", _("Accepted")
        DECLINED = "declined", _("Declined")
        EXPIRED = "expired", _("Not accepted in time")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    ticket = models.ForeignKey("tickets.Ticket", on_delete=models.CASCADE, related_name="offers")
    agent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="offers"
    )
    state = models.CharField(max_length=12, choices=State.choices, default=State.PENDING)
    offered_at = models.DateTimeField()
    expires_at = models.DateTimeField()
    answered_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["state", "expires_at"], name="offer_state_expiry")]
        constraints = [
            # At most one offer waits per ticket.
            models.UniqueConstraint(
                fields=["ticket"],
                condition=models.Q(state="pending"),
                name="offer_one_pending_per_ticket",
            )
        ]

    def __str__(self) -> str:
        return f"offer of {self.ticket_id} to {self.agent_id} ({self.state})"
