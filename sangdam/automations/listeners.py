"""Triggers run as one batch listener: a transaction's events, grouped per ticket."""

from __future__ import annotations

from collections.abc import Sequence

from sangdam.automations import engine
from sangdam.tickets.dispatch import listener
from sangdam.tickets.events import DomainEvent, TicketOpened


@listener(TicketOpened, *engine.UPDATE_EVENTS, batch=True)
def run_triggers(events: Sequence[DomainEvent]) -> None:
    engine.fire_triggers(events)
