"""Filling a macro's placeholders for one ticket.

``{{ customer_name }}``, ``{{ reference }}``, ``{{ agent_name }}`` and ``{{ next_opening }}``
are replaced by plain text; nothing else in the text is interpreted (a macro is not a
template: an admin's typo cannot run code or break the page).
"""

from __future__ import annotations

import datetime as dt
import re

from django.utils import timezone
from django.utils.formats import date_format

from sangdam.accounts.models import User
from sangdam.automations.models import Macro
from sangdam.service.hours import closes_at, next_opening
from sangdam.service.selectors import schedule_book
from sangdam.tickets.models import Ticket

PLACEHOLDERS = ("customer_name", "reference", "agent_name", "next_opening")
_PLACEHOLDER = re.compile(r"\{\{\s*(\w+)\s*\}\}")


def next_opening_text(ticket: Ticket, now: dt.datetime | None = None) -> str:
    """When the ticket's hours (team, else channel, else default) next begin, local time."""
    now = now or timezone.now()
    hours = schedule_book().hours_for(channel_id=ticket.channel_id, team_id=ticket.team_id)
    if hours is None:
        return ""
    # Open now: the opening after this span ends ("we are back tomorrow at 09:00").
    start = closes_at(hours, now) or now
    opening = next_opening(hours, start)
    if opening is None:
        return ""
    return date_format(opening.astimezone(hours.zone), "SHORT_DATETIME_FORMAT")


def fill(text: str, *, ticket: Ticket, agent: User | None, now: dt.datetime | None = None) -> str:
    values: dict[str, str] = {}

    def value(name: str) -> str | None:
        if name not in values:
            if name == "customer_name":
                values[name] = str(ticket.customer)
            elif name == "reference":
                values[name] = ticket.reference
            elif name == "agent_name":
                values[name] = agent.name if agent else ""
            elif name == "next_opening":
                values[name] = next_opening_text(ticket, now)
            else:
                return None
        return values[name]

    def replace(match: re.Match[str]) -> str:
        found = value(match.group(1))
        return match.group(0) if found is None else found

    return _PLACEHOLDER.sub(replace, text)


def render_macro(macro: Macro, *, ticket: Ticket, agent: User | None) -> str:
    """The macro in the ticket's language (Korean, else English), placeholders filled."""
    return fill(macro.text(ticket.language or "ko"), ticket=ticket, agent=agent)


def active_macros() -> list[Macro]:
    return list(Macro.objects.filter(active=True))
