"""The demo's KakaoTalk chatbot answers, and an admin sets one up from the console."""

from __future__ import annotations

import io

import pytest
from django.core.management import call_command
from django.test import Client

from sangdam.connectors.models import Channel
from sangdam.core.demo import DEMO_KAKAO_BOT_ID, load_demo
from sangdam.tickets.models import Ticket
from tests import factories

pytestmark = pytest.mark.django_db


def test_admin_adds_a_kakao_chatbot_and_sees_the_skill_url(db):
    client = Client()
    client.force_login(factories.make_admin())

    response = client.post(
        "/admin/channels/new/kakao/",
        {
            "name": "예시 챗봇",
            "enabled": "on",
            "config__bot_ids": "5f2a9c0e3b1d7a0001c0ffee, 6a1b",
            "config__channel_public_id": "_xkxkxk",
        },
        follow=True,
    )

    channel = Channel.objects.get(kind="kakao")
    page = response.content.decode()
    assert f"/hooks/kakao/{channel.key}" in page
    assert "https://pf.kakao.com/_xkxkxk/chat" in page


def test_a_kakao_chatbot_needs_at_least_its_bot_id(db):
    client = Client()
    client.force_login(factories.make_admin())

    client.post("/admin/channels/new/kakao/", {"name": "챗봇", "enabled": "on"})

    assert not Channel.objects.filter(kind="kakao").exists()


@pytest.mark.django_db(transaction=True)
def test_the_demo_chatbot_takes_an_inquiry_through_kakao_chat(live_server, settings):
    load_demo()
    settings.SITE_URL = live_server.url
    before = Ticket.objects.count()
    out = io.StringIO()

    call_command(
        "kakao_chat",
        say=["안녕하세요", "결제 및 환불", "환불 부탁드립니다", "건너뛰기", "접수하기"],
        stdout=out,
    )

    assert Ticket.objects.count() == before + 1
    ticket = Ticket.objects.order_by("-id").first()
    assert ticket is not None and ticket.reference in out.getvalue()
    assert "  ! " not in out.getvalue()  # no answer out of Kakao's limits
    assert DEMO_KAKAO_BOT_ID in Channel.objects.get(kind="kakao").config["bot_ids"]


def test_a_reply_on_a_demo_kakao_ticket_goes_out_through_the_fake_dealer(agent, run_tasks):
    from sangdam.connectors.kakao.fake import for_demo
    from sangdam.tickets import actions
    from sangdam.tickets.actor import Actor
    from sangdam.tickets.models import DeliveryState, Status

    load_demo()
    run_tasks()
    channel = Channel.objects.get(kind="kakao")
    with for_demo() as fake:
        channel.config = {**channel.config, "api_base": fake.url}  # what fake-providers does
        channel.save(update_fields=["config"])
        ticket = (
            Ticket.objects.filter(channel=channel)
            .exclude(status=Status.CLOSED)
            .order_by("-created_at")
            .first()
        )
        assert ticket is not None

        reply = actions.do_reply(ticket=ticket, actor=Actor.agent(agent), text="확인했습니다.")
        run_tasks()

        reply.refresh_from_db()
        assert reply.delivery_state == DeliveryState.SENT, reply.delivery_error
        assert fake.writes()[0]["message"].startswith("확인했습니다.")
