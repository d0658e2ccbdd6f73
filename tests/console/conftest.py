"""Personas for the console tests: Seoyeon (agent), Admin, and Jiho (read-only)."""

from __future__ import annotations

import pytest
from django.test import Client

from sangdam.accounts.models import Role, User
from tests import factories


def client_for(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def en_client(agent: User) -> Client:
    """Seoyeon with an English interface, for tests that read UI text."""
    agent.language = "en"
    agent.save(update_fields=["language"])
    return client_for(agent)


@pytest.fixture
def readonly_client(db: None) -> Client:
    return client_for(factories.make_agent("Jiho", role=Role.READONLY, language="en"))


@pytest.fixture
def admin_agent(db: None) -> User:
    admin = factories.make_admin()
    admin.language = "en"
    admin.save(update_fields=["language"])
    return admin


@pytest.fixture
def boss_client(admin_agent: User) -> Client:
    return client_for(admin_agent)
