"""알림톡: approved templates, filled in or refused before sending, sent to Korean mobiles."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from django.test import Client

from sangdam.connectors.kakao import alimtalk
from sangdam.connectors.kakao.fake import FakeKakao
from sangdam.connectors.kakao.models import AlimTalkNotice, AlimTalkTemplate, Purpose
from sangdam.connectors.models import Channel
from sangdam.tickets import actions
from sangdam.tickets.actor import Actor
from sangdam.tickets.models import DeliveryState, Message, MessageKind
from tests import factories
from tests.kakao.test_counsel import make_counsel_channel

pytestmark = pytest.mark.django_db

ANSWERED = "#{고객명}님, 문의 #{접수번호}에 답변이 등록되었습니다.\n확인하기: #{링크}"


@pytest.fixture
def dealer(settings) -> Iterator[FakeKakao]:
    settings.NETGUARD_ALLOW_LOCAL = True
    with FakeKakao() as fake:
        fake.templates = {"SD_ANSWERED_01": ANSWERED}
        yield fake


@pytest.fixture
def kakao(dealer: FakeKakao) -> Channel:
    return make_counsel_channel(dealer)


@pytest.fixture
def template(kakao: Channel) -> AlimTalkTemplate:
    return AlimTalkTemplate.objects.create(
        channel=kakao, code="SD_ANSWERED_01", purpose=Purpose.ANSWERED, body=ANSWERED, fallback="LM"
    )


def test_a_template_is_filled_in_with_its_variables():
    text = alimtalk.render(ANSWERED, {"고객명": "김민지", "접수번호": "SD-1", "링크": "https://x"})

    assert text == "김민지님, 문의 SD-1에 답변이 등록되었습니다.\n확인하기: https://x"


def test_a_message_missing_a_variable_is_refused_before_sending():
    with pytest.raises(alimtalk.TemplateMismatch, match="#\\{링크\\}"):
        alimtalk.render(ANSWERED, {"고객명": "김민지", "접수번호": "SD-1"})


def test_a_message_over_1000_characters_is_refused():
    with pytest.raises(alimtalk.TemplateMismatch, match="1000"):
        alimtalk.render("#{a}", {"a": "가" * 1001})


@pytest.mark.parametrize(
    ("number", "domestic"),
    [("+821012345678", "01012345678"), ("010-9876-5432", "01098765432")],
)
def test_korean_mobiles_go_out_in_the_domestic_format(number, domestic):
    assert alimtalk.domestic_mobile(number) == domestic


@pytest.mark.parametrize("number", ["+8225551234", "+14155550100", "not a number"])
def test_landlines_and_foreign_numbers_are_refused(number):
    with pytest.raises(alimtalk.NotKoreanMobile):
        alimtalk.domestic_mobile(number)


def test_a_notice_goes_to_the_dealer_with_code_number_and_fallback(template, dealer):
    notice = alimtalk.send(
        template=template,
        phone="+821012345678",
        values={"고객명": "김민지", "접수번호": "SD-7", "링크": "https://help.example.com/s/x"},
    )

    assert notice.sent, notice.error
    [sent] = dealer.alimtalks()
    assert sent["phone_number"] == "01012345678"
    assert sent["template_code"] == "SD_ANSWERED_01"
    assert sent["message_type"] == "AT"
    assert sent["fall_back_yn"] is True and sent["fall_back_message_type"] == "LM"


def test_a_template_that_differs_from_the_approved_one_is_refused_by_kakao(template, dealer):
    template.body = "#{고객명}님, 답변이 왔어요: #{링크}"  # not what Kakao approved
    template.save()

    notice = alimtalk.send(
        template=template, phone="+821012345678", values={"고객명": "김민지", "링크": "https://x"}
    )

    assert not notice.sent
    assert "NoMatchedTemplate" in notice.error
    assert dealer.alimtalks() == []


def test_a_failed_chatbot_reply_becomes_an_alimtalk_for_a_customer_who_agreed(
    template, dealer, kakao, agent, run_tasks
):
    # A web-form-like inquiry that left only a phone number: no channel reaches the customer.
    result = factories.customer_writes(
        kakao, text="환불 문의", sender=("kakao", "bot:nobody"), also=[("phone", "+821055501234")]
    )
    ticket = result.ticket
    alimtalk.record_consent(
        customer_id=ticket.customer_id, phone="010-5550-1234", source="web form checkbox"
    )

    reply = actions.do_reply(ticket=ticket, actor=Actor.agent(agent), text="환불 처리했습니다.")
    run_tasks()

    reply.refresh_from_db()
    assert reply.delivery_state == DeliveryState.FAILED
    [sent] = dealer.alimtalks()
    assert sent["phone_number"] == "01055501234"
    assert ticket.reference in sent["message"]
    assert AlimTalkNotice.objects.get().source_message_id == reply.pk
    note = Message.objects.get(ticket=ticket, kind=MessageKind.NOTE)
    assert "SD_ANSWERED_01" in note.text


def test_without_consent_no_alimtalk_is_sent(template, dealer, kakao, agent, run_tasks):
    result = factories.customer_writes(kakao, text="문의", sender=("kakao", "bot:nobody"))

    actions.do_reply(ticket=result.ticket, actor=Actor.agent(agent), text="답변입니다.")
    run_tasks()

    assert dealer.alimtalks() == []
    assert not AlimTalkNotice.objects.exists()


def test_the_admin_shows_variables_and_a_preview_and_refuses_a_broken_template(template, settings):
    settings.TWO_FACTOR_REQUIRED_FOR_ADMINS = False
    admin = factories.make_admin()
    admin.is_staff = admin.is_superuser = True
    admin.save()
    client = Client()
    client.force_login(admin)

    page = client.get(f"/django-admin/kakao_channel/alimtalktemplate/{template.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert "#{고객명}" in html and "김민지님, 문의 SD-240123에" in html

    response = client.post(
        "/django-admin/kakao_channel/alimtalktemplate/add/",
        {
            "channel": template.channel_id,
            "code": "BROKEN",
            "purpose": "other",
            "body": "#{고객명 님 안녕하세요",
            "fallback": "",
            "active": "on",
        },
    )
    assert response.status_code == 200  # the form again, with the error
    assert not AlimTalkTemplate.objects.filter(code="BROKEN").exists()


def test_a_callback_notice_says_when_we_call(kakao, dealer):
    dealer.templates["SD_CALLBACK_01"] = "#{고객명}님, #{시간}에 전화 드리겠습니다. (#{접수번호})"
    AlimTalkTemplate.objects.create(
        channel=kakao,
        code="SD_CALLBACK_01",
        purpose=Purpose.CALLBACK,
        body="#{고객명}님, #{시간}에 전화 드리겠습니다. (#{접수번호})",
    )
    ticket = factories.customer_writes(kakao, sender=("phone", "+821055501234")).ticket
    alimtalk.record_consent(customer_id=ticket.customer_id, phone="+821055501234", source="call")

    notice = alimtalk.notify_callback(ticket=ticket, when="12월 3일 오후 2시")

    assert notice.sent, notice.error
    assert "12월 3일 오후 2시에 전화 드리겠습니다" in dealer.alimtalks()[0]["message"]


def test_a_callback_without_consent_is_refused_before_sending(kakao, dealer):
    ticket = factories.customer_writes(kakao, sender=("phone", "+821055501234")).ticket

    with pytest.raises(alimtalk.NoConsent):
        alimtalk.notify_callback(ticket=ticket, when="내일 오전")
    assert dealer.alimtalks() == []
