"""Routing through the REST API: a team's strategy and the rules that pick the team."""

from __future__ import annotations

from typing import Any

import pytest

from sangdam.accounts.models import Presence
from sangdam.routing.models import RoutingRule, TeamRouting
from sangdam.tickets.models import Ticket
from tests import factories
from tests.api.conftest import ApiClient, client_for

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_api(db: None) -> ApiClient:
    return client_for(factories.make_admin())


def test_a_rule_and_a_strategy_set_through_the_api_route_the_next_inquiry(
    admin_api: ApiClient, run_tasks: Any
) -> None:
    team = factories.make_team("Global")
    emma = factories.make_agent("Emma", presence=Presence.ONLINE, languages=["en"])
    team.members.add(emma)
    strategy = {"strategy": "least_loaded", "match_language": True, "offer_timeout_minutes": 0}
    assert admin_api._send("put", f"/teams/{team.pk}/routing", strategy).status_code == 200
    rule = {"name": "English", "language": "en", "team_id": team.pk}
    assert admin_api.post("/routing-rules", rule).status_code == 201
    channel = factories.make_channel("email")
    ticket = factories.customer_writes(
        channel, text="I was charged twice, please refund.", language="en"
    ).ticket
    run_tasks()
    ticket = Ticket.objects.get(pk=ticket.pk)
    assert (ticket.team_id, ticket.assignee_id) == (team.pk, emma.pk)


def test_a_rule_for_a_missing_team_or_an_unknown_strategy_is_refused(admin_api: ApiClient) -> None:
    answer = admin_api.post("/routing-rules", {"name": "Ghost", "team_id": 424242})
    assert answer.status_code == 422 and answer.json()["errors"][0]["field"] == "team_id"
    team = factories.make_team()
    bad = {"strategy": "lottery", "match_language": False, "offer_timeout_minutes": 0}
    assert admin_api._send("put", f"/teams/{team.pk}/routing", bad).status_code == 422
    assert not RoutingRule.objects.exists() and not TeamRouting.objects.exists()


def test_agents_read_routing_but_cannot_change_it(api: ApiClient) -> None:
    team = factories.make_team()
    assert api.get("/teams/routing").json()[0]["strategy"] == "manual"
    rule = {"name": "Mine", "team_id": team.pk}
    assert api.post("/routing-rules", rule).status_code == 403
    assert not RoutingRule.objects.exists()
