from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from sangdam.accounts.models import User
from sangdam.connectors.models import Channel
from sangdam.service.models import SlaClock
from sangdam.tickets import actions
from sangdam.tickets.actor import Actor
from sangdam.tickets.selectors import encode_cursor
from tests import factories
from tests.api.conftest import ApiClient

pytestmark = pytest.mark.django_db


def test_list_filters_by_channel_and_status(api: ApiClient, email_channel: Channel) -> None:
    telegram = factories.make_channel("telegram")
    by_mail = factories.customer_writes(email_channel).ticket
    factories.customer_writes(telegram, sender=("telegram", "42"))
    items = api.get("/tickets", {"channel": "email", "status": "new"}).json()["items"]
    assert [t["reference"] for t in items] == [by_mail.reference]


def test_list_filters_by_assignee(api: ApiClient, agent: User, email_channel: Channel) -> None:
    mine = factories.customer_writes(email_channel).ticket
    factories.customer_writes(email_channel, sender=("email", "john@example.com"))
    actions.do_assign(ticket=mine, actor=Actor.agent(agent), assignee=agent)
    items = api.get("/tickets", {"assignee": agent.pk}).json()["items"]
    assert [t["id"] for t in items] == [mine.pk]
    assert items[0]["assignee"] == {"id": agent.pk, "name": agent.name}


def test_cursor_pages_cover_every_ticket_once(api: ApiClient, email_channel: Channel) -> None:
    created = {
        factories.customer_writes(email_channel, sender=("email", f"c{i}@example.com")).ticket.pk
        for i in range(5)
    }
    seen: list[int] = []
    params: dict[str, object] = {"limit": 2}
    pages = 0
    while True:
        page = api.get("/tickets", params).json()
        pages += 1
        seen += [t["id"] for t in page["items"]]
        if not page["next_cursor"]:
            break
        params = {"limit": 2, "cursor": page["next_cursor"]}
    assert pages == 3
    assert sorted(seen) == sorted(created)


def test_a_filtered_list_pages_through_every_matching_ticket_once(
    api: ApiClient, email_channel: Channel
) -> None:
    telegram = factories.make_channel("telegram")
    by_mail = [
        factories.customer_writes(email_channel, sender=("email", f"c{i}@example.com")).ticket.pk
        for i in range(5)
    ]
    factories.customer_writes(telegram, sender=("telegram", "42"))
    seen: list[int] = []
    params: dict[str, object] = {"channel": "email", "limit": 2}
    while True:
        page = api.get("/tickets", params).json()
        seen += [t["id"] for t in page["items"]]
        if not page["next_cursor"]:
            break
        params = {"channel": "email", "limit": 2, "cursor": page["next_cursor"]}
    assert seen == by_mail[::-1]  # newest activity first


def test_a_channel_kind_no_channel_has_lists_nothing(
    api: ApiClient, email_channel: Channel
) -> None:
    factories.customer_writes(email_channel)
    answer = api.get("/tickets", {"channel": "line"})
    assert answer.status_code == 200
    assert answer.json()["items"] == []


def test_due_sort_pages_soonest_first_then_the_tickets_without_a_due_time(
    api: ApiClient, email_channel: Channel
) -> None:
    tickets = [
        factories.customer_writes(email_channel, sender=("email", f"d{i}@example.com")).ticket
        for i in range(6)
    ]
    now = timezone.now()
    # Three with due times, in an order unlike their ids; one clock row without a due time
    # (a paused ticket's); two tickets with no clock row at all.
    for ticket, hours in zip(tickets[:3], (5, 1, 3), strict=True):
        SlaClock.objects.create(ticket=ticket, sla_due_at=now + dt.timedelta(hours=hours))
    SlaClock.objects.create(ticket=tickets[3])
    expected = [tickets[i].pk for i in (1, 2, 0, 3, 4, 5)]
    seen: list[int] = []
    params: dict[str, object] = {"limit": 2, "sort": "due"}
    while True:
        page = api.get("/tickets", params).json()
        seen += [t["id"] for t in page["items"]]
        if not page["next_cursor"]:
            break
        params = {"limit": 2, "sort": "due", "cursor": page["next_cursor"]}
    assert seen == expected


def test_a_bad_cursor_is_a_problem_document(api: ApiClient) -> None:
    response = api.get("/tickets", {"cursor": "%%%"})
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_query"


@pytest.mark.parametrize("sort", ["activity", "due"])
def test_a_cursor_with_a_forged_position_is_a_problem_document(api: ApiClient, sort: str) -> None:
    forged = encode_cursor(["2026-01-01T00:00:00+00:00", "1 OR 1=1"])
    response = api.get("/tickets", {"cursor": forged, "sort": sort})
    assert response.status_code == 422
    assert response.json()["code"] == "invalid_query"


def test_an_unknown_filter_value_names_the_field(api: ApiClient) -> None:
    response = api.get("/tickets", {"status": "lost"})
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "status"


def test_ticket_is_found_by_id_and_by_reference(api: ApiClient, email_channel: Channel) -> None:
    ticket = factories.customer_writes(email_channel).ticket
    by_id = api.get(f"/tickets/{ticket.pk}").json()
    by_reference = api.get(f"/tickets/{ticket.reference}").json()
    assert by_id == by_reference
    assert by_id["customer"]["id"] == ticket.customer_id


def test_unknown_ticket_is_a_404_problem(api: ApiClient) -> None:
    response = api.get("/tickets/SD-000000")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


@pytest.mark.parametrize("key", ["99999999999999999999999", "9223372036854775808", "0"])
def test_an_id_no_ticket_can_have_is_a_404_problem(api: ApiClient, key: str) -> None:
    response = api.get(f"/tickets/{key}")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"


def test_messages_include_notes_and_page_by_cursor(
    api: ApiClient, agent: User, email_channel: Channel
) -> None:
    ticket = factories.customer_writes(email_channel).ticket
    actions.do_reply(ticket=ticket, actor=Actor.agent(agent), text="확인 중입니다.", note=True)
    actions.do_reply(ticket=ticket, actor=Actor.agent(agent), text="환불되었습니다.")
    first = api.get(f"/tickets/{ticket.pk}/messages", {"limit": 2}).json()
    assert [m["kind"] for m in first["items"]] == ["public", "note"]
    assert first["items"][0]["author"]["type"] == "customer"
    rest = api.get(
        f"/tickets/{ticket.pk}/messages", {"limit": 2, "cursor": first["next_cursor"]}
    ).json()
    assert [m["text"] for m in rest["items"]] == ["환불되었습니다."]
    assert rest["next_cursor"] is None


def test_topics_and_agents_are_listed(api: ApiClient, agent: User) -> None:
    factories.make_topic("payment")
    team = factories.make_team()
    team.members.add(agent)
    assert [t["slug"] for t in api.get("/topics").json()] == ["payment"]
    agents = api.get("/agents").json()
    assert agents == [
        {
            "id": agent.pk,
            "name": agent.name,
            "email": agent.email,
            "role": "agent",
            "languages": ["ko", "en"],
            "teams": [{"id": team.pk, "name": team.name}],
            "presence": "offline",
            "capacity": 10,
            "chat_capacity": 3,
        }
    ]


def test_wrong_method_is_a_405_problem(api: ApiClient) -> None:
    response = api.client.delete("/api/v1/tickets", headers=api.headers)
    assert response.status_code == 405
    assert response.json()["code"] == "method_not_allowed"
    assert "GET" in response["Allow"]


def test_unknown_api_path_is_a_404_problem(api: ApiClient) -> None:
    response = api.get("/no-such-thing")
    assert response.status_code == 404
    assert response.json()["code"] == "not_found"
