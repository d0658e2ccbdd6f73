"""알림톡 delivery results: the dealer reports delivered / failed / sent as SMS-LMS, through
the one webhook door, onto the ticket's note about the 알림톡 (live on the ticket page)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from django.test import Client
from django.urls import reverse

from sangdam.connectors.kakao import alimtalk
from sangdam.connectors.kakao.fake import FakeKakao
from sangdam.connectors.kakao.models import AlimTalkNotice, AlimTalkTemplate, Purpose
from sangdam.connectors.models import Channel, InboundEvent
from sangdam.core.live import ticket_group
from sangdam.tickets.models import DeliveryState, Message, Ticket
from tests import factories
from tests.kakao.test_counsel import make_counsel_channel
from tests.pipeline.test_actions import Listener

pytestmark = pytest.mark.django_db(transaction=True)

CALLBACK = "#{고객명}님, #{시간}에 전화 드리겠습니다. (#{접수번호})"


@pytest.fixture
def dealer(settings) -> Iterator[FakeKakao]:
    settings.NETGUARD_ALLOW_LOCAL = True
    with FakeKakao() as fake:
        fake.templates = {"SD_CALLBACK_01": CALLBACK}
        yield fake


@pytest.fixture
def kakao(dealer: FakeKakao) -> Channel:
    channel = make_counsel_channel(dealer)
    AlimTalkTemplate.objects.create(
        channel=channel, code="SD_CALLBACK_01", purpose=Purpose.CALLBACK, body=CALLBACK
    )
    return channel


@pytest.fixture
def sent(kakao: Channel) -> tuple[Ticket, Message, AlimTalkNotice]:
    ticket = factories.customer_writes(kakao, sender=("phone", "+821055501234")).ticket
    alimtalk.record_consent(customer_id=ticket.customer_id, phone="+821055501234", source="test")
    notice = alimtalk.notify_callback(ticket=ticket, when="오후 2시")
    note = Message.objects.get(ticket=ticket, metadata__alimtalk="SD_CALLBACK_01")
    return ticket, note, notice


def _result_url(channel: Channel, live_server) -> str:
    return f"{live_server.url}/hooks/kakao/{channel.key}/alimtalk/result"


def test_a_sent_alimtalk_shows_as_sent_on_its_note(sent):
    _ticket, note, notice = sent

    assert note.delivery_state == DeliveryState.SENT
    assert note.external_id == notice.serial


def test_the_dealers_delivered_result_marks_the_alimtalk_delivered_live(
    sent, kakao, dealer, live_server, run_tasks
):
    ticket, note, notice = sent
    tab = Listener(ticket_group(ticket.pk))

    answer = dealer.alimtalk_result(_result_url(kakao, live_server), notice.serial)
    run_tasks()

    assert answer.status_code == 200
    note.refresh_from_db()
    assert note.delivery_state == DeliveryState.DELIVERED
    assert "delivery_changed" in tab.events()


def test_a_fallback_to_lms_is_delivered_and_says_so_on_the_ticket_page(
    sent, kakao, dealer, live_server, run_tasks, agent
):
    ticket, note, notice = sent

    dealer.alimtalk_result(_result_url(kakao, live_server), notice.serial, sent_type="LM")
    run_tasks()

    note.refresh_from_db()
    assert note.delivery_state == DeliveryState.DELIVERED
    assert "LMS" in note.delivery_error
    client = Client()
    client.force_login(agent)
    page = client.get(reverse("console:ticket", args=[ticket.pk])).content.decode()
    assert re.search(r'class="delivery-remark">— [^<]*LMS', page)


def test_a_failed_result_marks_the_alimtalk_failed_with_the_dealers_reason(
    sent, kakao, dealer, live_server, run_tasks
):
    _ticket, note, notice = sent

    dealer.alimtalk_result(
        _result_url(kakao, live_server), notice.serial, code="3015", message="NoSendAvailable"
    )
    run_tasks()

    note.refresh_from_db()
    assert note.delivery_state == DeliveryState.FAILED
    assert "3015" in note.delivery_error and "NoSendAvailable" in note.delivery_error


def test_the_same_result_posted_twice_is_one_event(sent, kakao, dealer, live_server, run_tasks):
    _ticket, _note, notice = sent

    for _ in range(3):
        assert dealer.alimtalk_result(_result_url(kakao, live_server), notice.serial).is_success
    run_tasks()

    assert InboundEvent.objects.filter(channel=kakao).count() == 1


def test_a_result_without_cid_is_refused_and_not_stored(kakao, dealer, live_server):
    answer = Client().post(
        f"/hooks/kakao/{kakao.key}/alimtalk/result", {"result_code": "0000"}, "application/json"
    )

    assert answer.status_code == 400
    assert not InboundEvent.objects.exists()


def test_a_channel_without_a_dealer_refuses_results(dealer, live_server):
    chatbot_only = factories.make_channel("kakao", config={"bot_ids": "b1"})

    answer = dealer.alimtalk_result(_result_url(chatbot_only, live_server), "at1")

    assert answer.status_code == 403
    assert not InboundEvent.objects.exists()
