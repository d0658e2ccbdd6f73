"""상담톡 from the ticket page: the agent ends the session or blocks the user (audited),
and a reply can carry the status link as an LI message's link button."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.urls import reverse

from sangdam.connectors.kakao.fake import FakeKakao
from sangdam.connectors.models import Channel
from sangdam.connectors.reply_window import CLOSED, window_for_ticket
from sangdam.tickets.models import Event, Message, MessageKind, Ticket
from tests import factories
from tests.kakao.test_counsel import SENDER_KEY, USER, make_counsel_channel, post, reply

pytestmark = pytest.mark.django_db


@pytest.fixture
def dealer(settings: Any) -> Iterator[FakeKakao]:
    settings.NETGUARD_ALLOW_LOCAL = True
    with FakeKakao() as fake:
        yield fake


@pytest.fixture
def channel(dealer: FakeKakao) -> Channel:
    return make_counsel_channel(dealer)


@pytest.fixture
def ticket(channel: Channel, dealer: FakeKakao, run_tasks: Any) -> Ticket:
    post(channel, dealer, text="환불 문의드립니다.")
    run_tasks()
    return Ticket.objects.get()


@pytest.fixture
def agent_client(agent: Any) -> Client:
    client = Client()
    client.force_login(agent)
    return client


def test_the_ticket_page_offers_end_and_block_for_a_counsel_ticket(ticket, agent_client):
    page = agent_client.get(reverse("console:ticket", args=[ticket.pk])).content.decode()

    assert 'id="counsel-end"' in page and 'id="counsel-block"' in page


def test_an_email_ticket_page_offers_no_counsel_buttons(agent_client, email_channel):
    ticket = factories.customer_writes(email_channel).ticket

    page = agent_client.get(reverse("console:ticket", args=[ticket.pk])).content.decode()

    assert 'id="counsel-end"' not in page


def test_the_agent_ends_the_session_through_the_dealer_and_it_is_audited(
    ticket,
    agent_client,
    agent,
    dealer,
):
    response = agent_client.post(reverse("console:kakao_counsel_end", args=[ticket.pk]))

    assert response.status_code == 302
    assert any(c.path == "/v1/chat/end" and c.json()["user_key"] == USER for c in dealer.calls)
    event = Event.objects.get(ticket=ticket, kind="kakao_session_ended")
    assert event.actor_user == agent
    window = window_for_ticket(ticket)
    assert window is not None and window.state == CLOSED
    assert Message.objects.filter(ticket=ticket, kind=MessageKind.NOTE).exists()


def test_the_agent_blocks_the_user_through_the_dealer_and_it_is_audited(
    ticket,
    agent_client,
    agent,
    dealer,
):
    agent_client.post(reverse("console:kakao_counsel_block", args=[ticket.pk]))

    [call] = [c for c in dealer.calls if c.path == "/v1/profile/user/block"]
    assert call.json() == {"user_key": USER, "sender_key": SENDER_KEY}
    assert USER in dealer.blocked
    assert Event.objects.get(ticket=ticket, kind="kakao_user_blocked").actor_user == agent


def test_a_dealer_refusal_is_shown_and_nothing_is_recorded(ticket, agent_client, dealer):
    dealer.client_secret = "changed"  # the dealer now refuses our calls

    response = agent_client.post(
        reverse("console:kakao_counsel_block", args=[ticket.pk]), follow=True
    )

    assert not Event.objects.filter(kind="kakao_user_blocked").exists()
    assert "InvalidClient" in response.content.decode()


def test_a_reply_carries_the_status_link_as_an_li_button_when_set(
    channel,
    ticket,
    agent,
    dealer,
    run_tasks,
):
    channel.config = {**channel.config, "status_button": True}
    channel.save(update_fields=["config"])

    reply(ticket, agent, run_tasks, text="환불 처리했습니다.")

    [write] = dealer.writes()
    assert write["message_type"] == "LI"
    assert write["message"] == "환불 처리했습니다."
    [button] = write["supplement"]
    assert button["type"] == "WL" and "/s/" in button["url_mobile"]
    assert button["target"] == "out"
