"""Routing's own domain events (audit rows on the ticket's timeline).

The assignment itself is the tickets domain's :class:`~sangdam.tickets.events.Assigned`,
recorded by ``do_assign`` with the actor ``routing``; these say why, and what became of
an offer.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

from sangdam.tickets.events import DomainEvent


@dataclass(frozen=True, kw_only=True)
class Routed(DomainEvent):
    """Routing decided: the team (and the rule that chose it), the agent or why none."""

    kind: ClassVar[str] = "routed"
    team: int | None
    strategy: str
    rule: str = ""  # the rule's name; "" when the topic's default team or the ticket's own
    agent: int | None = None
    # Why nobody was assigned ("manual", "nobody online with capacity"), "" when someone was.
    waiting: str = ""


@dataclass(frozen=True, kw_only=True)
class OfferMade(DomainEvent):
    kind: ClassVar[str] = "offer_made"
    agent: int
    expires_at: str  # ISO 8601


@dataclass(frozen=True, kw_only=True)
class OfferAnswered(DomainEvent):
    """An offer ended: accepted, declined, expired or withdrawn (reassigned by someone)."""

    kind: ClassVar[str] = "offer_answered"
    agent: int
    state: str
