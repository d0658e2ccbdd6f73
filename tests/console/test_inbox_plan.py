"""A filtered inbox page reads its rows through the index its match count picks
(tickets/inbox_plan.py); what it lists never depends on that choice."""

from __future__ import annotations

import pytest
from django.test import Client

from sangdam.accounts.models import User
from sangdam.connectors.models import Channel
from sangdam.tickets.models import Priority, Ticket
from sangdam.tickets.selectors import TicketFilters, listed_page, ticket_count
from tests import factories
from tests.console.helpers import new_ticket

# A count far above the page: the page walks the activity index (SQLite: pinned to it).
WALK = 10_001


@pytest.fixture
def mixed(email_channel: Channel) -> list[Ticket]:
    """Twelve tickets over two channels, two priorities and a topic."""
    chat = factories.make_channel("telegram")
    topic = factories.make_topic("payment")
    tickets = []
    for i in range(12):
        ticket = new_ticket(chat if i % 3 == 0 else email_channel, who=f"c{i}@example.com")
        Ticket.objects.filter(pk=ticket.pk).update(
            priority=Priority.HIGH if i % 2 else Priority.NORMAL,
            topic=topic if i % 4 == 0 else None,
        )
        tickets.append(ticket)
    return tickets


@pytest.mark.parametrize(
    "filters",
    [
        TicketFilters(view="open", channel="email", priority="high"),
        TicketFilters(view="all", topic="payment"),
        TicketFilters(view="open", channel="telegram", language="ko"),
    ],
    ids=["channel+priority", "topic", "channel+language"],
)
def test_a_filtered_page_lists_the_same_tickets_whichever_index_reads_it(
    mixed: list[Ticket], agent: User, filters: TicketFilters
) -> None:
    def pages(total: int) -> list[list[str]]:
        seen, cursor = [], ""
        while True:
            page = listed_page(user=agent, filters=filters, cursor=cursor, limit=2, total=total)
            seen.append([t.reference for t in page.items])
            if not page.next_cursor:
                return seen
            cursor = page.next_cursor

    plain = pages(total=0)  # no count: the database's own plan
    assert plain and plain[0], "the filters match some tickets"
    assert pages(total=WALK) == plain


def test_the_count_of_a_filtered_view_counts_only_the_matching_tickets(
    mixed: list[Ticket], agent: User
) -> None:
    assert ticket_count(user=agent, filters=TicketFilters(view="all", topic="payment")) == 3
    high_email = TicketFilters(view="open", channel="email", priority="high")
    assert ticket_count(user=agent, filters=high_email) == 4
    assert ticket_count(user=agent, filters=high_email, cap=2) == 3


def test_a_channel_kind_no_channel_has_lists_nothing(
    en_client: Client, email_channel: Channel
) -> None:
    new_ticket(email_channel)
    page = en_client.get("/?view=open&channel=line")
    assert page.status_code == 200
    assert "No tickets here." in page.content.decode()
