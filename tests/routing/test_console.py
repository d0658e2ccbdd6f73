"""Routing from the console and the API: presence, rules, team strategy, offers, activity."""

from __future__ import annotations

import pytest
from django.test import Client

from sangdam.accounts.models import Presence, User
from sangdam.routing.models import Offer, RoutingRule, Strategy, TeamRouting
from sangdam.tickets.models import Ticket
from tests import factories
from tests.api.conftest import client_for as api_client_for
from tests.console.conftest import client_for
from tests.console.helpers import new_ticket

pytestmark = pytest.mark.django_db


def test_an_agent_sets_presence_in_the_header_and_others_see_it(care, boss_client: Client):
    page = client_for(care.alex).post("/presence/", {"presence": "away", "next": "/"})

    assert page.status_code == 302
    assert User.objects.get(pk=care.alex.pk).presence == Presence.AWAY
    agents = boss_client.get("/admin/agents/").content.decode()
    assert 'class="presence presence-away">Away' in agents
    header = client_for(care.alex).get("/").content.decode()
    assert 'value="away" class="presence-away" aria-pressed="true"' in header


def test_an_unknown_presence_is_refused(care):
    assert client_for(care.alex).post("/presence/", {"presence": "asleep"}).status_code == 400
    assert User.objects.get(pk=care.alex.pk).presence == Presence.ONLINE


def test_the_api_sets_and_shows_presence(care):
    api = api_client_for(care.minho)

    answer = api.client.put(
        "/api/v1/agents/me/presence",
        {"presence": "offline"},
        content_type="application/json",
        headers=api.headers,
    )

    assert answer.status_code == 200, answer.content
    assert answer.json()["presence"] == "offline"
    listed = {a["name"]: a["presence"] for a in api.get("/agents").json()}
    assert listed["Minho"] == "offline" and listed["Alex"] == "online"


def test_an_admin_adds_a_routing_rule_and_sets_a_team_strategy(care, boss_client: Client):
    topic = factories.make_topic("payment")

    made = boss_client.post(
        "/admin/routing/new/",
        {
            "name": "payments",
            "topic": topic.pk,
            "team": care.team.pk,
            "position": 1,
            "active": "on",
        },
    )
    saved = boss_client.post(
        f"/admin/teams/{care.team.pk}/",
        {
            "name": care.team.name,
            "members": [care.seoyeon.pk, care.alex.pk],
            "strategy": Strategy.ROUND_ROBIN,
            "match_language": "on",
            "offer_timeout_minutes": 3,
        },
    )

    assert (made.status_code, saved.status_code) == (302, 302)
    rule = RoutingRule.objects.get()
    assert (rule.topic, rule.team, rule.language) == (topic, care.team, "")
    routing = TeamRouting.objects.get(team=care.team)
    assert (routing.strategy, routing.offer_timeout_minutes) == (Strategy.ROUND_ROBIN, 3)
    assert "payments" in boss_client.get("/admin/routing/").content.decode()
    assert "Round robin" in boss_client.get("/admin/teams/").content.decode()


def test_the_offered_agent_accepts_from_the_ticket_page(email_channel, care, run_tasks):
    RoutingRule.objects.create(name="all", team=care.team)
    care.configure(Strategy.ROUND_ROBIN, match_language=False, offer_timeout_minutes=5)
    ticket = new_ticket(email_channel)
    run_tasks()
    seoyeon = client_for(care.seoyeon)
    care.seoyeon.language = "en"
    care.seoyeon.save()

    page = seoyeon.get(f"/tickets/{ticket.pk}/").content.decode()
    assert "Routing offers you this ticket" in page
    assert "Routed to" in page and "Offered to Seoyeon" in page

    seoyeon.post(f"/tickets/{ticket.pk}/offer/", {"answer": "accept"})

    assert Offer.objects.get(ticket=ticket).state == Offer.State.ACCEPTED
    assert "Seoyeon accepted the offer" in seoyeon.get(f"/tickets/{ticket.pk}/").content.decode()


def test_declining_an_offer_sends_the_ticket_to_the_next_agent(email_channel, care, run_tasks):
    RoutingRule.objects.create(name="all", team=care.team)
    care.configure(Strategy.ROUND_ROBIN, match_language=False, offer_timeout_minutes=5)
    ticket = new_ticket(email_channel)
    run_tasks()

    client_for(care.seoyeon).post(f"/tickets/{ticket.pk}/offer/", {"answer": "decline"})

    assert Ticket.objects.get(pk=ticket.pk).assignee == care.alex
    # Someone else cannot answer Alex's offer.
    client_for(care.minho).post(f"/tickets/{ticket.pk}/offer/", {"answer": "accept"})
    assert Offer.objects.get(ticket=ticket, agent=care.alex).state == Offer.State.PENDING


def test_the_routing_pages_speak_korean(care, email_channel, run_tasks):
    admin = factories.make_agent("관리자", role="admin", language="ko")
    RoutingRule.objects.create(name="전체", team=care.team)
    care.configure(Strategy.ROUND_ROBIN, match_language=False)
    ticket = new_ticket(email_channel)
    run_tasks()

    rules = client_for(admin).get("/admin/routing/").content.decode()
    page = client_for(admin).get(f"/tickets/{ticket.pk}/").content.decode()

    assert "라우팅 규칙" in rules and "모든 주제" in rules
    assert "팀으로 라우팅" in page and "내 상태" in page
