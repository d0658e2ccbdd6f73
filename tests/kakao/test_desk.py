"""A customer writes an inquiry to the company's KakaoTalk chatbot."""

from __future__ import annotations

import datetime as dt
from urllib.parse import urlsplit

import pytest
from django.utils import timezone

from sangdam.connectors.models import EventStatus, InboundEvent
from sangdam.customers.models import Identity
from sangdam.portal.links import read_token, status_url
from sangdam.service.models import Schedule
from sangdam.tickets import actions
from sangdam.tickets.actor import Actor
from sangdam.tickets.models import Ticket
from tests import factories
from tests.kakao.conftest import Talk

pytestmark = pytest.mark.django_db


def write_inquiry(talk: Talk, text: str = "결제가 두 번 되었어요. 환불 부탁드립니다.") -> str:
    talk("안녕하세요")
    talk("결제")
    talk(text)
    talk("건너뛰기")
    return talk("접수하기").text


def test_the_greeting_offers_the_topics_and_my_inquiries(talk):
    reply = talk("안녕하세요")

    assert "문의" in reply.text
    assert reply.quick_replies == ["계정", "결제", "내 문의"]


def test_an_inquiry_in_four_turns_opens_a_ticket_and_answers_its_reference(talk):
    talk("안녕하세요")
    assert "문의 내용" in talk("결제").text
    assert "사진" in talk("결제가 두 번 되었어요. 환불 부탁드립니다.").text
    summary = talk("건너뛰기")
    assert "결제가 두 번 되었어요" in summary.text
    assert summary.quick_replies == ["접수하기", "처음으로"]

    done = talk("접수하기")

    ticket = Ticket.objects.get()
    assert ticket.reference in done.text
    assert ticket.topic is not None and ticket.topic.slug == "payment"
    assert ticket.messages.get().text == "결제가 두 번 되었어요. 환불 부탁드립니다."
    assert ticket.channel.kind == "kakao"
    assert Identity.objects.get(customer=ticket.customer).value == "Xj1bW5wlE5SR"
    [link] = done.links
    # The token is signed with a timestamp: compare what it names, not its text.
    assert read_token(urlsplit(link).path.split("/")[-2]) == (ticket.pk, ticket.customer_id)
    assert link.startswith(status_url(ticket).split("/s/")[0] + "/s/")


def test_the_answer_links_the_status_page_of_the_ticket(talk, client):
    write_inquiry(talk)
    reply = talk("내 문의")

    page = client.get(urlsplit(reply.links[0]).path)
    assert page.status_code == 200
    assert Ticket.objects.get().reference in page.content.decode()


def test_a_photo_the_user_sends_is_kept_with_the_inquiry(talk):
    talk("안녕하세요")
    talk("결제")
    talk("영수증 사진 보냅니다")
    assert "(1)" in talk("", photos=("http://talk.kakaocdn.net/dna/x/i_abc.jpg",)).text
    talk("다음")
    talk("접수하기")

    text = Ticket.objects.get().messages.get().text
    assert "http://talk.kakaocdn.net/dna/x/i_abc.jpg" in text


def test_start_over_forgets_the_half_written_inquiry(talk):
    talk("안녕하세요")
    talk("결제")
    reply = talk("처음으로")

    assert "결제" in reply.quick_replies
    assert not Ticket.objects.exists()


def test_an_unknown_topic_is_asked_again(talk):
    talk("안녕하세요")
    reply = talk("배송")

    assert "주제 중 하나를 선택" in reply.text
    assert "결제" in reply.quick_replies


def test_my_inquiries_lists_open_ones_with_state_and_our_last_answer(talk, agent):
    write_inquiry(talk)
    ticket = Ticket.objects.get()
    actions.do_reply(ticket=ticket, actor=Actor.agent(agent), text="환불 처리했습니다.")

    reply = talk("내 문의")

    assert ticket.reference in reply.text
    assert "환불 처리했습니다." in reply.text
    assert reply.data["template"]["outputs"][0]["carousel"]["type"] == "textCard"


def test_my_inquiries_says_so_when_there_are_none(talk):
    assert "없습니다" in talk("내 문의").text


def test_each_confirmed_inquiry_is_a_ticket_of_its_own(talk):
    write_inquiry(talk, "첫 번째 문의입니다")
    write_inquiry(talk, "두 번째 문의입니다")

    assert Ticket.objects.count() == 2
    assert len({t.customer_id for t in Ticket.objects.all()}) == 1


def test_english_speakers_get_english_labels(kakao_channel):
    talk = Talk(kakao_channel, lang="en")
    reply = talk("Hello")

    assert reply.quick_replies == ["Account", "Payment", "My inquiries"]
    talk("Payment")
    talk("The card was charged twice")
    talk("Skip")
    assert "Inquiry" in talk("Submit").text


def test_outside_hours_the_greeting_says_when_we_open(talk):
    Schedule.objects.create(name="closed on Sunday", week={}, holiday_country="")

    reply = talk("안녕하세요")

    assert "지금은 상담 시간이 아닙니다" in reply.text


def test_a_long_answer_is_split_within_kakaos_limits(talk, agent):
    write_inquiry(talk)
    ticket = Ticket.objects.get()
    actions.do_reply(ticket=ticket, actor=Actor.agent(agent), text="가" * 3000)

    reply = talk("내 문의")  # checked against the limits by Talk

    description = reply.data["template"]["outputs"][0]["carousel"]["items"][0]["description"]
    assert description.endswith("…")


def test_a_turn_is_stored_as_a_processed_event_with_nothing_left_to_do(talk):
    from django_tasks_db.models import DBTaskResult

    talk("안녕하세요")

    assert InboundEvent.objects.get().status == EventStatus.PROCESSED
    assert not DBTaskResult.objects.exists()


def test_a_conversation_left_for_hours_starts_over(talk):
    from sangdam.connectors.kakao.models import SkillConversation

    talk("안녕하세요")
    talk("결제")
    SkillConversation.objects.update(updated_at=timezone.now() - dt.timedelta(hours=3))

    reply = talk("결제가 두 번 되었어요")

    assert "결제" in reply.quick_replies  # the greeting again


def test_an_agent_reply_on_a_chatbot_ticket_fails_with_the_reason(talk, agent, run_tasks):
    write_inquiry(talk)
    ticket = Ticket.objects.get()
    message = actions.do_reply(ticket=ticket, actor=Actor.agent(agent), text="확인했습니다.")
    run_tasks()

    message.refresh_from_db()
    assert message.delivery_state == "failed"
    assert "status page" in message.delivery_error


def test_factories_channel_has_a_chat_link_when_the_public_id_is_set(db):
    from sangdam.connectors.registry import get_connector

    channel = factories.make_channel(
        "kakao", config={"bot_ids": "x", "channel_public_id": "_xkxkxk"}
    )
    connector = get_connector("kakao")
    assert connector is not None
    assert connector.chat_link(channel) == "https://pf.kakao.com/_xkxkxk/chat"
