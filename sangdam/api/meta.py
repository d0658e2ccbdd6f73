"""Reference data integrators need to fill in tickets: topics and agents."""

from __future__ import annotations

from django.http import HttpRequest
from ninja import Router

from sangdam.accounts.actions import do_set_presence
from sangdam.accounts.models import User
from sangdam.accounts.selectors import active_agents
from sangdam.api.auth import api_user
from sangdam.api.schemas import ERRORS, AgentOut, PresenceIn, TopicOut
from sangdam.tickets.models import Topic
from sangdam.tickets.selectors import topic_list

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
