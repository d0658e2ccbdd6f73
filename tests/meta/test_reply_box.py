"""The ticket page tells the agent about Meta's reply window before they type."""

from __future__ import annotations

import pytest
from django.urls import reverse

from sangdam.tickets.models import Ticket
from tests import factories
from tests.meta.conftest import customer_writes

pytestmark = pytest.mark.django_db


def _page(client) -> str:
    ticket = Ticket.objects.get()
    return client.get(reverse("console:ticket", args=[ticket.pk])).content.decode()


def test_a_fresh_conversation_says_until_when_replies_are_possible(
    messenger, graph, en_client, run_tasks
):
    customer_writes(messenger, graph, hours_ago=1)
    run_tasks()

    page = _page(en_client)

    assert "accepts replies until" in page


def test_a_closed_window_is_said_before_the_agent_types(messenger, graph, en_client, run_tasks):
    customer_writes(messenger, graph, hours_ago=30)
    run_tasks()

    page = _page(en_client)

    assert 'id="reply-window"' in page
    assert "no longer accepts replies" in page


def test_with_human_agent_the_page_says_the_reply_goes_out_tagged(
    messenger, graph, en_client, run_tasks
):
    messenger.config = {**messenger.config, "human_agent": True}
    messenger.save(update_fields=["config"])
    customer_writes(messenger, graph, hours_ago=30)
    run_tasks()

    assert "human agent" in _page(en_client)


def test_email_tickets_show_no_window(en_client, email_channel):
    factories.customer_writes(email_channel)

    assert 'id="reply-window"' not in _page(en_client)


def test_korean_agents_read_the_window_in_korean(messenger, graph, agent, run_tasks):
    from django.test import Client

    agent.language = "ko"
    agent.save(update_fields=["language"])
    client = Client()
    client.force_login(agent)
    customer_writes(messenger, graph, hours_ago=30)
    run_tasks()

    assert "더 이상 답장할 수 없습니다" in _page(client)
