"""상담톡 through a dealer: customers' messages come in, agents' replies go out in the session."""

from __future__ import annotations

import datetime as dt
import json
from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone

from sangdam.connectors.kakao.fake import FakeKakao
from sangdam.connectors.models import Channel, InboundEvent
from sangdam.connectors.reply_window import CLOSED, OPEN, window_for_ticket
from sangdam.tickets import actions
from sangdam.tickets.actor import Actor
from sangdam.tickets.models import DeliveryState, Message, Ticket
from tests import factories
from tests.factories import PNG
from tests.kakao.conftest import BOT_ID, Talk

pytestmark = pytest.mark.django_db

USER = "Xj1bW5wlE5SR"
SENDER_KEY = "4c9591f37822ae1ed5b781582af08b1e2d922cea"


@pytest.fixture
def dealer(settings) -> Iterator[FakeKakao]:
    settings.NETGUARD_ALLOW_LOCAL = True
    with FakeKakao() as fake:
        yield fake


def make_counsel_channel(dealer: FakeKakao, name: str = "happytalk") -> Channel:
    factories.make_topic("payment", ko="결제", en="Payment")
    return factories.make_channel(
        "kakao",
        name="카카오톡 채널",
        config={
            "bot_ids": BOT_ID,
            "dealer": name,
            "sender_key": SENDER_KEY,
            "api_base": dealer.url,
        },
        secrets={
            "dealer_client_id": dealer.client_id,
            "dealer_client_secret": dealer.client_secret,
        },
    )


@pytest.fixture
def channel(dealer: FakeKakao) -> Channel:
    return make_counsel_channel(dealer)


def post(channel: Channel, dealer: FakeKakao, event: str = "message", **fields: Any) -> Any:
    return Client().post(
        f"/hooks/kakao/{channel.key}/counsel/{event}",
        json.dumps(dealer.counsel_event(event, **fields), ensure_ascii=False),
        content_type="application/json",
    )


def reply(
    ticket: Ticket, agent: Any, run_tasks: Any, text: str = "확인했습니다.", **kw: Any
) -> Message:
    message = actions.do_reply(ticket=ticket, actor=Actor.agent(agent), text=text, **kw)
    run_tasks()
    message.refresh_from_db()
    return message


def test_a_consultation_message_becomes_a_ticket_of_the_kakao_user(channel, dealer, run_tasks):
    response = post(channel, dealer, text="주문한 상품이 아직 안 왔어요.")
    run_tasks()

    assert response.status_code == 200
    ticket = Ticket.objects.get()
    assert ticket.messages.get().text == "주문한 상품이 아직 안 왔어요."
    assert ticket.customer.identities.get().value == USER


def test_a_storm_of_one_serial_number_is_one_message(channel, dealer, run_tasks):
    answers = [post(channel, dealer, text="안녕하세요", serial="20261202100000000777") for _ in range(10)]  # fmt: skip
    run_tasks()

    assert {a.status_code for a in answers} == {200}
    assert InboundEvent.objects.count() == 1
    assert Message.objects.count() == 1


def test_a_photo_is_fetched_from_kakaos_servers(channel, dealer, run_tasks):
    url = dealer.add_image("i_box.png", PNG)
    post(channel, dealer, type="photo", attachment={"url": url})
    run_tasks()

    assert Message.objects.get().attachments.get().file.read() == PNG


def test_a_file_that_cannot_be_fetched_is_kept_as_a_link(channel, dealer, run_tasks):
    url = f"{dealer.url}/talkm/missing.pdf"
    post(channel, dealer, type="file", attachment={"url": url, "name": "영수증.pdf"})
    run_tasks()

    assert url in Message.objects.get().text


def test_an_agent_reply_is_written_through_the_dealer_with_a_unique_serial(
    channel, dealer, run_tasks, agent
):
    post(channel, dealer, text="환불 문의드립니다.")
    run_tasks()
    ticket = Ticket.objects.get()

    message = reply(ticket, agent, run_tasks, text="환불 처리했습니다.")

    assert message.delivery_state == DeliveryState.SENT, message.delivery_error
    [write] = dealer.writes()
    assert write["user_key"] == USER
    assert write["sender_key"] == SENDER_KEY
    assert write["message_type"] == "TX"
    assert write["message"].startswith("환불 처리했습니다.")
    assert write["serial_number"] == message.external_id
    assert len(write["serial_number"]) <= 30


def test_an_image_is_uploaded_to_kakao_first_then_sent(channel, dealer, run_tasks, agent):
    from sangdam.tickets.attachments import check_attachment

    post(channel, dealer, text="사진 보내 주세요")
    run_tasks()
    ticket = Ticket.objects.get()

    message = reply(
        ticket, agent, run_tasks, text="사진입니다", attachments=[check_attachment("a.png", PNG)]
    )

    assert message.delivery_state == DeliveryState.SENT, message.delivery_error
    assert list(dealer.uploads.values()) == [PNG]
    image = next(w for w in dealer.writes() if w["message_type"] == "IM")
    assert image["image_url"].startswith("http://api1-kage.kakao.com/dn/")


def test_after_the_session_ended_the_reply_box_says_so_and_a_reply_fails(
    channel, dealer, run_tasks, agent, agent_client
):
    post(channel, dealer, text="문의드립니다")
    run_tasks()
    ticket = Ticket.objects.get()
    assert window_for_ticket(ticket).state == OPEN  # type: ignore[union-attr]

    post(channel, dealer, "expired_session")
    run_tasks()

    window = window_for_ticket(ticket)
    assert window is not None and window.state == CLOSED and window.ended_at is not None
    page = agent_client.get(f"/tickets/{ticket.pk}/").content.decode()
    assert "상담이" in page and "종료되었습니다" in page
    message = reply(ticket, agent, run_tasks)
    assert message.delivery_state == DeliveryState.FAILED
    assert "session is closed" in message.delivery_error
    assert dealer.writes() == []


def test_the_customer_writing_again_reopens_the_session(channel, dealer, run_tasks, agent):
    post(channel, dealer, text="문의드립니다")
    post(channel, dealer, "expired_session")
    post(channel, dealer, text="다시 문의드립니다")
    run_tasks()

    message = reply(Ticket.objects.get(), agent, run_tasks)

    assert message.delivery_state == DeliveryState.SENT, message.delivery_error


def test_thirty_days_after_the_last_message_the_session_is_over(channel, dealer, run_tasks):
    post(channel, dealer, text="문의드립니다")
    run_tasks()
    ticket = Ticket.objects.get()
    Message.objects.update(created_at=timezone.now() - dt.timedelta(days=31))

    window = window_for_ticket(ticket)

    assert window is not None and window.state == CLOSED


def test_the_chatbot_hands_its_inquiry_to_an_agent_in_the_same_ticket(channel, dealer, run_tasks):
    talk = Talk(channel)
    talk("안녕하세요")
    talk("결제")
    talk("결제가 두 번 되었어요")
    talk("건너뛰기")
    talk("접수하기")

    post(channel, dealer, "reference")  # "상담원 연결": the 상담톡 session starts
    post(channel, dealer, text="상담원님, 언제 환불되나요?")
    run_tasks()

    ticket = Ticket.objects.get()
    assert [m.text for m in ticket.messages.order_by("id")] == [
        "결제가 두 번 되었어요",
        "상담원님, 언제 환불되나요?",
    ]


def test_the_second_dealer_adapter_sends_its_own_shape(dealer, run_tasks, agent):
    channel = make_counsel_channel(dealer, "happytalk_v3")
    post(channel, dealer, text="문의드립니다")
    run_tasks()

    message = reply(Ticket.objects.get(), agent, run_tasks, text="안녕하세요")

    assert message.delivery_state == DeliveryState.SENT, message.delivery_error
    [write] = dealer.writes()
    assert write["chat_bubble_type"] == "TEXT"
    assert dealer.calls_to("/kakaoWebhook/v3/bzc/chat/send/plain")


def test_wrong_dealer_credentials_fail_with_the_dealers_words(channel, dealer, run_tasks, agent):
    post(channel, dealer, text="문의드립니다")
    run_tasks()
    dealer.client_secret = "rotated"

    message = reply(Ticket.objects.get(), agent, run_tasks)

    assert message.delivery_state == DeliveryState.FAILED
    assert "InvalidClient" in message.delivery_error or "401" in message.delivery_error


def test_dealer_calls_to_a_channel_without_a_dealer_are_refused(kakao_channel, dealer):
    response = post(kakao_channel, dealer, text="안녕하세요")

    assert response.status_code == 403
    assert not InboundEvent.objects.exists()


def test_the_admin_form_wants_the_sender_key_with_a_dealer(db):
    client = Client()
    client.force_login(factories.make_admin())

    client.post(
        "/admin/channels/new/kakao/",
        {"name": "상담톡", "enabled": "on", "config__dealer": "happytalk"},
    )

    assert not Channel.objects.filter(kind="kakao").exists()


def test_with_a_dealer_the_chatbot_offers_an_agent_after_taking_the_inquiry(channel):
    talk = Talk(channel)
    for utterance in ("안녕하세요", "결제", "결제가 두 번 되었어요", "건너뛰기"):
        talk(utterance)

    done = talk("접수하기")

    buttons = done.data["template"]["outputs"][0]["textCard"]["buttons"]
    assert {"label": "상담원 연결", "action": "operator"} in buttons
    assert "이 채팅" in done.text
