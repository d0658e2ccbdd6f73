"""Reference data integrators need to fill in tickets: topics, agents, macros."""

from __future__ import annotations

from typing import Any

from django.http import HttpRequest
from django.utils.translation import gettext as _
from ninja import Router

from sangdam.accounts.actions import do_set_presence
from sangdam.accounts.models import User
from sangdam.accounts.selectors import active_agents
from sangdam.api.auth import api_user
from sangdam.api.errors import not_found
from sangdam.api.schemas import ERRORS, AgentOut, MacroOut, PresenceIn, TopicOut
from sangdam.automations.macros import active_macros, render_macro
from sangdam.tickets.models import Topic
from sangdam.tickets.selectors import ticket_lookup, topic_list

router = Router(tags=["reference"])


@router.get("/topics", response={200: list[TopicOut], **ERRORS})
def list_topics(request: HttpRequest, include_inactive: bool = False) -> list[Topic]:
    """Topics in display order; `name` is in the request's language (Accept-Language)."""
    return topic_list(include_inactive=include_inactive)


@router.get("/agents", response={200: list[AgentOut], **ERRORS})
def list_agents(request: HttpRequest) -> list[User]:
    """Active agents with role, languages and teams (ids to use as `assignee_id`)."""
    return active_agents()


@router.put("/agents/me/presence", response={200: AgentOut, **ERRORS})
def set_my_presence(request: HttpRequest, payload: PresenceIn) -> User:
    """Set the calling agent's presence; routing gives new tickets to online agents only."""
    return do_set_presence(agent=api_user(request), presence=payload.presence)


@router.get("/macros", response={200: list[MacroOut], **ERRORS})
def list_macros(request: HttpRequest, ticket: str = "") -> list[dict[str, Any]]:
    """Active macros (canned responses). With `ticket` (id or reference) each comes filled
    in for that ticket: customer name, reference, the calling agent, next opening time."""
    found = None
    if ticket:
        found = ticket_lookup(key=ticket)
        if found is None:
            raise not_found(_("Ticket"))
    agent = api_user(request)
    return [
        {
            "id": macro.pk,
            "name": macro.name,
            "texts": macro.texts,
            "text": render_macro(macro, ticket=found, agent=agent) if found else None,
        }
        for macro in active_macros()
    ]
