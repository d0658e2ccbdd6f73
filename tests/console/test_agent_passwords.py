"""Agents' passwords: not their own email or name, not digits only."""

from __future__ import annotations

import pytest
from django.test import Client

from sangdam.accounts.models import Role, User
from tests import factories


def _create(client: Client, password: str) -> int:
    response = client.post(
        "/admin/agents/new/",
        {
            "email": "hana.kim@example.com",
            "display_name": "Hana Kim",
            "role": Role.AGENT,
            "is_active": "on",
            "password": password,
        },
    )
    return int(response.status_code)


@pytest.mark.parametrize(
    "password", ["hana.kim@example.com", "Hana.Kim@Example.com", "hana.kim2024", "8274619305"]
)
def test_a_new_agents_password_cannot_be_their_email_or_all_digits(
    boss_client: Client, password: str
) -> None:
    assert _create(boss_client, password) == 200  # the form again, with the error
    assert not User.objects.filter(email="hana.kim@example.com").exists()


def test_a_real_password_is_accepted(boss_client: Client) -> None:
    assert _create(boss_client, "violet-harbour-lantern") == 302


def test_changing_a_password_to_the_agents_own_email_is_refused(boss_client: Client) -> None:
    alex = factories.make_agent("Alex")
    response = boss_client.post(
        f"/admin/agents/{alex.pk}/",
        {"display_name": "Alex", "role": Role.AGENT, "is_active": "on", "password": alex.email},
    )
    assert response.status_code == 200
    alex.refresh_from_db()
    assert not alex.check_password(alex.email)
