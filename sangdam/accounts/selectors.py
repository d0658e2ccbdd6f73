"""Reads of agents and teams."""

from __future__ import annotations

from sangdam.accounts.models import Team, User


def active_agents() -> list[User]:
    """Active agents with their teams (two queries however many agents)."""
    return list(User.objects.filter(is_active=True).prefetch_related("teams").order_by("id"))


def agent_by_id(*, user_id: int) -> User | None:
    return User.objects.filter(pk=user_id).first()


def team_by_id(*, team_id: int) -> Team | None:
    return Team.objects.filter(pk=team_id).first()
