from __future__ import annotations

from django.test import Client

from sangdam.accounts.models import Role, Team, User
from sangdam.tickets.models import Topic
from tests import factories

ADMIN_URLS = (
    "/admin/",
    "/admin/agents/",
    "/admin/agents/new/",
    "/admin/teams/",
    "/admin/teams/new/",
    "/admin/topics/",
    "/admin/topics/new/",
)


def test_admin_pages_are_forbidden_to_agents(agent_client: Client) -> None:
    for url in ADMIN_URLS:
        assert agent_client.get(url).status_code == 403, url
    assert agent_client.post("/admin/teams/new/", {"name": "Sneaky"}).status_code == 403
    assert not Team.objects.filter(name="Sneaky").exists()


def test_admin_pages_are_forbidden_to_read_only_users(readonly_client: Client) -> None:
    assert readonly_client.get("/admin/agents/").status_code == 403


def test_admin_sees_the_admin_link_and_pages(boss_client: Client) -> None:
    assert 'href="/admin/"' in boss_client.get("/").content.decode()
    for url in ADMIN_URLS[1:]:
        assert boss_client.get(url).status_code == 200, url


def test_agents_do_not_see_the_admin_link(agent_client: Client) -> None:
    assert 'href="/admin/"' not in agent_client.get("/").content.decode()


def test_admin_creates_an_agent_who_can_log_in(boss_client: Client) -> None:
    team = factories.make_team("Billing")
    response = boss_client.post(
        "/admin/agents/new/",
        {
            "email": "Hana@Example.com",
            "display_name": "Hana",
            "role": Role.AGENT,
            "is_active": "on",
            "teams": [team.pk],
            "languages": ["ko", "ja"],
            "password": "a-long-enough-secret",
        },
    )
    assert response.status_code == 302
    hana = User.objects.get(email="hana@example.com")
    assert list(hana.teams.all()) == [team]
    assert hana.languages == ["ko", "ja"]
    assert Client().login(username="hana@example.com", password="a-long-enough-secret")


def test_creating_an_agent_needs_a_password(boss_client: Client) -> None:
    response = boss_client.post(
        "/admin/agents/new/",
        {"email": "nopw@example.com", "display_name": "x", "role": Role.AGENT},
    )
    assert response.status_code == 200
    assert "This field is required." in response.content.decode()
    assert not User.objects.filter(email="nopw@example.com").exists()


def test_admin_edits_role_and_deactivates_an_agent(boss_client: Client) -> None:
    alex = factories.make_agent("Alex")
    response = boss_client.post(
        f"/admin/agents/{alex.pk}/",
        {"display_name": "Alex K", "role": Role.READONLY, "languages": ["en"]},
    )
    assert response.status_code == 302
    alex.refresh_from_db()
    assert (alex.display_name, alex.role, alex.is_active) == ("Alex K", Role.READONLY, False)
    assert alex.check_password(factories.PASSWORD)  # empty password field keeps it


def test_admin_cannot_remove_their_own_admin_role(boss_client: Client, admin_agent: User) -> None:
    response = boss_client.post(
        f"/admin/agents/{admin_agent.pk}/",
        {"display_name": "Admin", "role": Role.AGENT, "is_active": "on"},
    )
    assert response.status_code == 200
    assert "You cannot remove your own admin role." in response.content.decode()
    admin_agent.refresh_from_db()
    assert admin_agent.role == Role.ADMIN


def test_admin_creates_and_renames_a_team_with_members(boss_client: Client) -> None:
    alex = factories.make_agent("Alex")
    boss_client.post("/admin/teams/new/", {"name": "Payments", "members": [alex.pk]})
    team = Team.objects.get(name="Payments")
    assert list(team.members.all()) == [alex]
    boss_client.post(f"/admin/teams/{team.pk}/", {"name": "Billing", "members": []})
    team.refresh_from_db()
    assert team.name == "Billing"
    assert team.members.count() == 0


def test_admin_creates_and_edits_a_topic(boss_client: Client) -> None:
    team = factories.make_team()
    boss_client.post(
        "/admin/topics/new/",
        {
            "slug": "refund",
            "name_ko": "환불",
            "name_en": "Refund",
            "default_team": team.pk,
            "active": "on",
            "position": 3,
        },
    )
    topic = Topic.objects.get(slug="refund")
    assert (topic.names, topic.default_team, topic.active, topic.position) == (
        {"ko": "환불", "en": "Refund"},
        team,
        True,
        3,
    )
    boss_client.post(
        f"/admin/topics/{topic.pk}/",
        {"slug": "refund", "name_ko": "환불 요청", "name_en": "Refund", "position": 1},
    )
    topic.refresh_from_db()
    assert topic.names["ko"] == "환불 요청"
    assert topic.active is False
