from __future__ import annotations

import html
import re
from typing import Any

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext

from sangdam.accounts.models import User
from sangdam.connectors.models import Channel
from sangdam.tickets import actions
from sangdam.tickets.actor import Actor
from sangdam.tickets.models import Priority, Status
from sangdam.tickets.selectors import TicketFilters, ticket_count
from tests import factories
from tests.console.helpers import new_ticket, references


def test_agent_sees_a_new_inbound_ticket_in_the_open_view(
    agent_client: Client, email_channel: Channel
) -> None:
    ticket = new_ticket(email_channel, subject="환불 요청")
    response = agent_client.get("/")
    assert response.status_code == 200
    assert references(response) == [ticket.reference]
    assert "환불 요청" in response.content.decode()


def test_mine_shows_only_tickets_assigned_to_me(
    agent_client: Client, agent: User, email_channel: Channel
) -> None:
    mine = new_ticket(email_channel, who="a@example.com")
    new_ticket(email_channel, who="b@example.com")
    actions.do_assign(ticket=mine, actor=Actor.agent(agent), assignee=agent)
    assert references(agent_client.get("/?view=mine")) == [mine.reference]


def test_unassigned_view_leaves_out_assigned_tickets(
    agent_client: Client, agent: User, email_channel: Channel
) -> None:
    taken = new_ticket(email_channel, who="a@example.com")
    free = new_ticket(email_channel, who="b@example.com")
    actions.do_assign(ticket=taken, actor=Actor.agent(agent), assignee=agent)
    assert references(agent_client.get("/?view=unassigned")) == [free.reference]


def test_pending_and_solved_views_show_their_tickets(
    agent_client: Client, agent: User, email_channel: Channel
) -> None:
    pending = new_ticket(email_channel, who="a@example.com")
    solved = new_ticket(email_channel, who="b@example.com")
    new_ticket(email_channel, who="c@example.com")
    actor = Actor.agent(agent)
    actions.do_change_status(ticket=pending, actor=actor, status=Status.PENDING)
    actions.do_change_status(ticket=solved, actor=actor, status=Status.SOLVED)
    assert references(agent_client.get("/?view=pending")) == [pending.reference]
    assert references(agent_client.get("/?view=solved")) == [solved.reference]
    assert solved.reference not in references(agent_client.get("/?view=open"))


def test_channel_filter_shows_only_that_channel(
    agent_client: Client, email_channel: Channel
) -> None:
    telegram = factories.make_channel("telegram")
    new_ticket(email_channel)
    on_telegram = new_ticket(telegram, who="5551234")
    assert references(agent_client.get("/?channel=telegram")) == [on_telegram.reference]


def test_topic_priority_and_language_filters_narrow_the_list(
    agent_client: Client, agent: User, email_channel: Channel
) -> None:
    factories.make_topic("payment")
    paid = new_ticket(email_channel, who="a@example.com", topic_slug="payment")
    english = new_ticket(email_channel, who="b@example.com", language="en")
    urgent = new_ticket(email_channel, who="c@example.com")
    actions.do_update_fields(ticket=urgent, actor=Actor.agent(agent), priority=Priority.URGENT)
    assert references(agent_client.get("/?topic=payment")) == [paid.reference]
    assert references(agent_client.get("/?language=en")) == [english.reference]
    assert references(agent_client.get("/?priority=urgent")) == [urgent.reference]


def test_assignee_and_team_filters_narrow_the_list(
    agent_client: Client, agent: User, email_channel: Channel
) -> None:
    team = factories.make_team()
    for_me = new_ticket(email_channel, who="a@example.com")
    for_team = new_ticket(email_channel, who="b@example.com")
    actor = Actor.agent(agent)
    actions.do_assign(ticket=for_me, actor=actor, assignee=agent)
    actions.do_assign(ticket=for_team, actor=actor, assignee=None, team=team)
    assert references(agent_client.get(f"/?assignee={agent.pk}")) == [for_me.reference]
    assert references(agent_client.get(f"/?team={team.pk}")) == [for_team.reference]


def test_next_page_link_continues_where_the_page_ended(
    agent_client: Client, email_channel: Channel
) -> None:
    tickets = [new_ticket(email_channel, who=f"c{i}@example.com") for i in range(5)]
    newest_first = [t.reference for t in reversed(tickets)]
    first = agent_client.get("/?limit=2&view=open")
    assert references(first) == newest_first[:2]
    next_link = re.search(r'href="(\?[^"]*cursor=[^"]+)"', first.content.decode())
    assert next_link is not None
    second = agent_client.get("/" + next_link.group(1).replace("&amp;", "&"))
    assert references(second) == newest_first[2:4]
    assert "view=open" in next_link.group(1)


def test_a_broken_cursor_shows_the_first_page(agent_client: Client, email_channel: Channel) -> None:
    ticket = new_ticket(email_channel)
    response = agent_client.get("/?cursor=not-a-cursor")
    assert response.status_code == 200
    assert references(response) == [ticket.reference]


def test_sorting_by_due_time_lists_every_ticket(
    agent_client: Client, email_channel: Channel
) -> None:
    tickets = [new_ticket(email_channel, who=f"d{i}@example.com") for i in range(3)]
    shown = references(agent_client.get("/?sort=due"))
    assert sorted(shown) == sorted(t.reference for t in tickets)


def test_list_partial_keeps_the_filters_for_the_live_refresh(
    agent_client: Client, email_channel: Channel
) -> None:
    telegram = factories.make_channel("telegram")
    new_ticket(email_channel)
    on_telegram = new_ticket(telegram, who="5551234")
    response = agent_client.get("/inbox/list/?channel=telegram")
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="inbox-list"')
    assert references(response) == [on_telegram.reference]


def test_inbox_page_opens_the_live_socket(agent_client: Client) -> None:
    body = agent_client.get("/").content.decode()
    assert 'data-live-socket="/ws/live/"' in body
    assert "console/vendor/htmx.min.js" in body


@pytest.mark.django_db
def test_page_query_count_does_not_grow_with_page_size(
    agent_client: Client, agent: User, email_channel: Channel, django_assert_max_num_queries
) -> None:
    team = factories.make_team()
    topic = factories.make_topic("payment")

    def add_tickets(count: int, start: int) -> None:
        for i in range(start, start + count):
            ticket = new_ticket(email_channel, who=f"q{i}@example.com", topic_slug=topic.slug)
            actions.do_assign(ticket=ticket, actor=Actor.agent(agent), assignee=agent, team=team)

    add_tickets(2, 0)
    with CaptureQueriesContext(connection) as small:
        assert len(references(agent_client.get("/?limit=100"))) == 2
    add_tickets(12, 2)
    with django_assert_max_num_queries(len(small.captured_queries)):
        assert len(references(agent_client.get("/?limit=100"))) == 14


def test_a_page_asks_about_the_agent_once(
    agent_client: Client, agent: User, email_channel: Channel
) -> None:
    # The two-factor flag and the header's unread count come with the session's user
    # (console/session_user.py), not as queries of their own.
    new_ticket(email_channel)
    agent_client.get("/")  # the filter menus' memos load the agent list on a first page
    with CaptureQueriesContext(connection) as page:
        assert agent_client.get("/").status_code == 200
    user_reads = [q["sql"] for q in page.captured_queries if '"password"' in q["sql"]]
    assert len(user_reads) == 1
    assert "otp_totp_totpdevice" in user_reads[0] and "console_notification" in user_reads[0]
    others = [q["sql"] for q in page.captured_queries if '"password"' not in q["sql"]]
    assert not any("otp_totp_totpdevice" in sql or "console_notification" in sql for sql in others)


def test_a_filtered_inbox_shows_its_filters_open_and_a_plain_one_folded(
    en_client: Client,
) -> None:
    assert '<details class="filters" >' in en_client.get("/").content.decode()
    assert '<details class="filters" open>' in en_client.get("/?priority=high").content.decode()
    assert '<details class="filters" >' in en_client.get("/?view=mine").content.decode()


def test_an_unknown_filter_value_is_reported_and_the_others_still_apply(
    en_client: Client, email_channel: Channel
) -> None:
    telegram = factories.make_channel("telegram")
    new_ticket(email_channel)
    on_telegram = new_ticket(telegram, who="5551234")
    response = en_client.get("/?status=bogus&channel=telegram")
    assert "Select a valid choice" in response.content.decode()
    assert references(response) == [on_telegram.reference]


def _range(response: Any) -> str:
    match = re.search(r'<p class="range" id="inbox-range">([^<]*)</p>', response.content.decode())
    return match.group(1) if match else ""


def test_a_filtered_view_shows_its_total_and_the_position_of_each_page(
    en_client: Client, agent: User, email_channel: Channel
) -> None:
    tickets = [new_ticket(email_channel, who=f"c{i}@example.com") for i in range(5)]
    for ticket in tickets[:3]:
        actions.do_update_fields(ticket=ticket, actor=Actor.agent(agent), priority="high")
    first = en_client.get("/?view=open&priority=high&limit=2")
    assert _range(first) == "1–2 of 3"
    next_url = re.search(r'href="([^"]+)" class="next-page"', first.content.decode())
    assert next_url
    second = en_client.get("/" + html.unescape(next_url.group(1)))
    assert _range(second) == "3–3 of 3"
    assert len(references(second)) == 1
    assert _range(en_client.get("/?view=open&limit=2")) == "1–2 of 5"


def test_a_total_past_the_counting_cap_shows_as_cap_plus(
    en_client: Client, email_channel: Channel, settings: Any
) -> None:
    settings.INBOX_COUNT_CAP = 3
    for i in range(5):
        new_ticket(email_channel, who=f"c{i}@example.com")
    assert _range(en_client.get("/?view=open&limit=2")) == "1–2 of 3+"


def test_the_capped_count_stops_at_cap_plus_one(agent: User, email_channel: Channel) -> None:
    for i in range(4):
        new_ticket(email_channel, who=f"c{i}@example.com")
    open_view = TicketFilters(view="open")
    assert ticket_count(user=agent, filters=open_view, cap=10) == 4
    assert ticket_count(user=agent, filters=open_view, cap=2) == 3
    assert ticket_count(user=agent, filters=TicketFilters(view="mine"), cap=2) == 0


def test_a_ticket_on_a_channel_another_process_made_seconds_ago_is_listed(
    agent_client: Client, email_channel: Channel
) -> None:
    new_ticket(email_channel)
    agent_client.get("/")  # the channels, topics and agents are remembered now
    # Made as another process would: no signal here tells this process's memory.
    (fresh,) = Channel.objects.bulk_create([Channel(kind="telegram", name="새 텔레그램 봇")])
    ticket = new_ticket(fresh, who="5550001")
    response = agent_client.get("/")
    assert response.status_code == 200
    assert ticket.reference in references(response)


def test_a_small_total_is_exact_on_every_page(en_client: Client, email_channel: Channel) -> None:
    for i in range(3):
        new_ticket(email_channel, who=f"c{i}@example.com")
    assert _range(en_client.get("/?view=open&limit=2")) == "1–2 of 3"
    new_ticket(email_channel, who="late@example.com")
    assert _range(en_client.get("/?view=open&limit=2")) == "1–2 of 4"


def test_a_large_total_is_remembered_for_a_few_seconds(
    en_client: Client, email_channel: Channel, monkeypatch: pytest.MonkeyPatch
) -> None:
    from sangdam.console.views import inbox as view

    monkeypatch.setattr(view, "_totals", {})  # this test's own, dropped after it
    monkeypatch.setattr(view, "LARGE_TOTAL", 3)  # "large" at three tickets
    for i in range(3):
        new_ticket(email_channel, who=f"c{i}@example.com")
    assert _range(en_client.get("/?view=open&limit=2")) == "1–2 of 3"
    new_ticket(email_channel, who="late@example.com")
    assert _range(en_client.get("/?view=open&limit=2")) == "1–2 of 3"
    view._totals.clear()  # as when the seconds are up
    assert _range(en_client.get("/?view=open&limit=2")) == "1–2 of 4"


def test_the_page_shows_no_template_syntax(en_client: Client, email_channel: Channel) -> None:
    # A template comment over two lines ({# … #} is one line only) once printed itself
    # at the top of every console page.
    new_ticket(email_channel)
    body = en_client.get("/").content.decode()
    assert not any(mark in body for mark in ("{#", "#}", "{%", "%}"))
