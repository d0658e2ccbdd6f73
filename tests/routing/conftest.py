"""Personas for routing: the Care team with Seoyeon (ko/en), Alex (en/ja) and Minho (ko)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.test import Client

from sangdam.accounts.models import Presence, Role, Team, User
from sangdam.routing.models import Strategy, TeamRouting
from tests import factories


@dataclass
class Care:
    team: Team
    seoyeon: User
    alex: User
    minho: User

    def configure(self, strategy: str = Strategy.LEAST_LOADED, **fields: object) -> TeamRouting:
        routing, _ = TeamRouting.objects.update_or_create(
            team=self.team, defaults={"strategy": strategy, **fields}
        )
        return routing


@pytest.fixture
def care(db: None) -> Care:
    team = factories.make_team("Care")
    seoyeon = factories.make_agent(
        "Seoyeon", languages=["ko", "en"], presence=Presence.ONLINE, language="en"
    )
    alex = factories.make_agent(
        "Alex", languages=["en", "ja"], presence=Presence.ONLINE, language="en"
    )
    minho = factories.make_agent("Minho", languages=["ko"], presence=Presence.ONLINE)
    team.members.set([seoyeon, alex, minho])
    return Care(team, seoyeon, alex, minho)


@pytest.fixture
def boss_client(db: None) -> Client:
    """Admin, English interface."""
    admin = factories.make_agent("Admin", role=Role.ADMIN, language="en")
    client = Client()
    client.force_login(admin)
    return client
