"""The console's search: the box in every page's header, the results page and its filters."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.http.response import HttpResponseBase
from django.test import Client

from sangdam.accounts.models import User
from sangdam.connectors.models import Channel
from sangdam.tickets import actions
from sangdam.tickets.actor import Actor
from tests import factories

pytestmark = pytest.mark.django_db


def shown(response: HttpResponseBase) -> list[str]:
    """References of the results, in their order on the page."""
    html = response.content.decode()  # type: ignore[attr-defined]
    return [part.split('"', 1)[0] for part in html.split('class="search-hit" data-reference="')[1:]]


def test_every_console_page_has_the_search_box(agent_client: Client) -> None:
    html = agent_client.get("/").content.decode()
    assert 'action="/search/"' in html
    assert 'role="search"' in html


def test_a_korean_search_shows_the_inflected_form_marked(
    agent_client: Client, email_channel: Channel, run_tasks: Callable[[], None]
) -> None:
    ticket = factories.customer_writes(
        email_channel, text="어제 환불했는데 아직 안 들어왔어요"
    ).ticket
    factories.customer_writes(email_channel, text="배송 문의", sender=("email", "jun@example.com"))
    run_tasks()
    response = agent_client.get("/search/", {"q": "환불했어요"})
    assert response.status_code == 200
    assert shown(response) == [ticket.reference]
    assert "<mark>환불</mark>했는데" in response.content.decode()


def test_mixed_language_text_is_found_from_the_console(
    agent_client: Client, email_channel: Channel, run_tasks: Callable[[], None]
) -> None:
    ticket = factories.customer_writes(
        email_channel, text="ログインできません — cannot log in, 로그인이 안 돼요"
    ).ticket
    run_tasks()
    for q in ("ログイン", "cannot log", "로그인했는데"):
        assert shown(agent_client.get("/search/", {"q": q})) == [ticket.reference], q


def test_filters_narrow_the_results_to_my_tickets(
    agent_client: Client, agent: User, email_channel: Channel, run_tasks: Callable[[], None]
) -> None:
    mine = factories.customer_writes(email_channel, text="쿠폰 문의").ticket
    factories.customer_writes(email_channel, text="쿠폰 문의", sender=("email", "jun@example.com"))
    actions.do_assign(ticket=mine, actor=Actor.agent(agent), assignee=agent)
    run_tasks()
    assert len(shown(agent_client.get("/search/", {"q": "쿠폰"}))) == 2
    assert shown(agent_client.get("/search/", {"q": "쿠폰", "assignee": "me"})) == [mine.reference]


def test_results_are_counted_and_paged(
    agent_client: Client, email_channel: Channel, run_tasks: Callable[[], None]
) -> None:
    for i in range(27):
        factories.customer_writes(
            email_channel, text="비밀번호 재설정", sender=("email", f"c{i}@example.com")
        )
    run_tasks()
    agent_client.cookies["django_language"] = "en"
    first = agent_client.get("/search/", {"q": "비밀번호"})
    assert "27 tickets" in first.content.decode()
    second = agent_client.get("/search/", {"q": "비밀번호", "page": "2"})
    assert len(shown(first)) == 25 and len(shown(second)) == 2
    assert not set(shown(first)) & set(shown(second))


def test_the_search_page_speaks_english_too(en_client: Client) -> None:
    html = en_client.get("/search/", {"q": "nothing-matches-this"}).content.decode()
    assert "0 tickets" in html
    assert "No tickets match" in html


def test_the_search_page_speaks_korean(agent_client: Client) -> None:
    html = agent_client.get("/search/").content.decode()
    assert "환불했어요로 환불했는데도 검색" in html
    assert 'placeholder="티켓 검색"' in html
