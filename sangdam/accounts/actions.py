"""Changes to agents that are not configuration: presence."""

from __future__ import annotations

from django.utils import timezone
from django.utils.translation import gettext as _

from sangdam.accounts.models import Presence, User
from sangdam.tickets.errors import DomainError


def do_set_presence(*, agent: User, presence: str) -> User:
    """Online, away or offline, as the agent says in the console header.

    Routing gives new tickets only to online agents; what an agent already has stays
    theirs when they go away.
    """
    if presence not in Presence.values:
        raise DomainError(_("Unknown presence: %(p)s") % {"p": presence}, code="unknown_presence")
    if agent.presence != presence:
        agent.presence = presence
        agent.presence_changed_at = timezone.now()
        agent.save(update_fields=["presence", "presence_changed_at"])
    return agent
