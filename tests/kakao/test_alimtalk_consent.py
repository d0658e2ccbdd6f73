"""알림톡 consent on the homepage form: offered when 알림톡 is set up, kept on the customer
with time and source, and the only way the notification step sends 알림톡."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.test import Client

from sangdam.connectors.kakao.fake import FakeKakao
from sangdam.connectors.kakao.models import AlimTalkConsent, AlimTalkTemplate, Purpose
from sangdam.connectors.models import Channel
from sangdam.tickets import actions
from sangdam.tickets.actor import Actor
from sangdam.tickets.models import DeliveryState, Message, Ticket
from tests import factories
from tests.kakao.test_counsel import make_counsel_channel
from tests.portal.conftest import form_data

pytestmark = pytest.mark.django_db

ANSWERED = "#{고객명}님, 문의 #{접수번호}에 답변이 등록되었습니다.\n확인하기: #{링크}"
LABEL = "알림톡"


@pytest.fixture
def dealer(settings) -> Iterator[FakeKakao]:
    settings.NETGUARD_ALLOW_LOCAL = True
    with FakeKakao() as fake:
        fake.templates = {"SD_ANSWERED_01": ANSWERED}
        yield fake


@pytest.fixture
def webform(db: Any) -> Channel:
    factories.make_topic("payment-refund", ko="결제 및 환불", en="Payment & refund")
    return factories.make_channel("webform", name="홈페이지 문의")


@pytest.fixture
def alimtalk_on(dealer: FakeKakao) -> AlimTalkTemplate:
    return AlimTalkTemplate.objects.create(
        channel=make_counsel_channel(dealer),
        code="SD_ANSWERED_01",
        purpose=Purpose.ANSWERED,
        body=ANSWERED,
    )


def test_the_form_offers_no_alimtalk_checkbox_when_alimtalk_is_not_set_up(webform):
    page = Client().get("/contact/new").content.decode()

    assert 'name="alimtalk"' not in page


def test_the_form_offers_the_alimtalk_checkbox_when_a_template_is_set_up(webform, alimtalk_on):
    page = Client().get("/contact/new").content.decode()

    assert 'name="alimtalk"' in page
    assert "카카오톡 알림톡으로도 알려 주세요" in page


def test_a_ticked_checkbox_records_consent_with_number_time_and_source(webform, alimtalk_on):
    client = Client()

    client.post("/contact/new", form_data(client, alimtalk="on"))

    ticket = Ticket.objects.get()
    consent = AlimTalkConsent.objects.get()
    assert consent.customer_id == ticket.customer_id
    assert consent.phone == "+821012345678"
    assert consent.source == f"web form {ticket.reference}"
    assert consent.given_at is not None


def test_an_unticked_checkbox_records_no_consent(webform, alimtalk_on):
    client = Client()

    client.post("/contact/new", form_data(client))

    assert Ticket.objects.exists()
    assert not AlimTalkConsent.objects.exists()


def test_a_ticked_checkbox_without_a_phone_number_asks_for_one(webform, alimtalk_on):
    client = Client()

    response = client.post("/contact/new", form_data(client, alimtalk="on", phone=""))

    assert response.status_code == 400
    assert "알림톡을 받을 휴대폰 번호를 입력해 주세요" in response.content.decode()
    assert not Ticket.objects.exists()


def test_a_ticked_checkbox_with_a_foreign_number_is_refused(webform, alimtalk_on):
    client = Client()

    response = client.post("/contact/new", form_data(client, alimtalk="on", phone="+1 415 555 0100"))  # fmt: skip

    assert response.status_code == 400
    assert not AlimTalkConsent.objects.exists()


def _bounce(reply: Message) -> None:
    assert reply.channel is not None and reply.external_id
    actions.do_record_receipt(
        channel=reply.channel, state="failed", external_id=reply.external_id, error="bounced"
    )


def test_a_bounced_answer_to_a_web_form_inquiry_goes_out_by_alimtalk_with_consent(
    webform, alimtalk_on, dealer, agent, run_tasks
):
    client = Client()
    client.post("/contact/new", form_data(client, alimtalk="on"))
    ticket = Ticket.objects.get()
    reply = actions.do_reply(ticket=ticket, actor=Actor.agent(agent), text="환불했습니다.")
    run_tasks()
    reply.refresh_from_db()
    assert reply.delivery_state == DeliveryState.SENT

    _bounce(reply)
    run_tasks()

    [sent] = dealer.alimtalks()
    assert sent["phone_number"] == "01012345678"
    assert ticket.reference in sent["message"]


def test_a_bounced_answer_sends_no_alimtalk_without_consent(
    webform, alimtalk_on, dealer, agent, run_tasks
):
    client = Client()
    client.post("/contact/new", form_data(client))
    ticket = Ticket.objects.get()
    reply = actions.do_reply(ticket=ticket, actor=Actor.agent(agent), text="환불했습니다.")
    run_tasks()
    reply.refresh_from_db()

    _bounce(reply)
    run_tasks()

    assert dealer.alimtalks() == []
