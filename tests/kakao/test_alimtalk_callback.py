"""The "we will call you back at …" 알림톡: a call-back request of a customer who agreed
to 알림톡 at a Korean mobile is confirmed with the promised time."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import pytest

from sangdam.connectors.kakao import alimtalk
from sangdam.connectors.kakao.fake import FakeKakao
from sangdam.connectors.kakao.listeners import call_back_time
from sangdam.connectors.kakao.models import AlimTalkNotice, AlimTalkTemplate, Purpose
from sangdam.connectors.models import Channel
from sangdam.connectors.phone.callbacks import request_callback
from sangdam.customers.models import Identity
from sangdam.tickets.models import Message
from tests import factories
from tests.kakao.test_counsel import make_counsel_channel

pytestmark = pytest.mark.django_db

SEOUL = ZoneInfo("Asia/Seoul")
CALLBACK = "#{고객명}님, #{시간}에 전화 드리겠습니다. (#{접수번호})"


def _tomorrow(hour: int) -> dt.datetime:
    day = dt.datetime.now(SEOUL).date() + dt.timedelta(days=1)
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=SEOUL)


@pytest.fixture
def dealer(settings) -> Iterator[FakeKakao]:
    settings.NETGUARD_ALLOW_LOCAL = True
    with FakeKakao() as fake:
        fake.templates = {"SD_CALLBACK_01": CALLBACK}
        yield fake


@pytest.fixture
def callback_template(dealer: FakeKakao) -> AlimTalkTemplate:
    return AlimTalkTemplate.objects.create(
        channel=make_counsel_channel(dealer),
        code="SD_CALLBACK_01",
        purpose=Purpose.CALLBACK,
        body=CALLBACK,
    )


@pytest.fixture
def phone_channel(db) -> Channel:
    return factories.make_channel("phone", name="대표번호")


def _ask(phone_channel: Channel, number: str = "010-5550-1234") -> None:
    request_callback(
        channel=phone_channel,
        hours=None,
        number=number,
        name="김민지",
        start=_tomorrow(14),
        end=_tomorrow(15),
        language="ko",
        source="contact",
    )


def _agree(number: str) -> None:
    # The customer agreed earlier (on the homepage form) with the same number.
    customer = factories.customer_writes(
        factories.make_channel("webform"), sender=("phone", number)
    ).ticket.customer_id
    alimtalk.record_consent(customer_id=customer, phone=number, source="web form SD-1")


def test_a_call_back_request_with_consent_gets_the_time_by_alimtalk(
    callback_template, dealer, phone_channel, run_tasks
):
    _agree("+821055501234")

    _ask(phone_channel)
    run_tasks()

    [sent] = dealer.alimtalks()
    assert sent["phone_number"] == "01055501234"
    assert sent["template_code"] == "SD_CALLBACK_01"
    expected = call_back_time(_tomorrow(14), _tomorrow(15), "ko")
    assert f"김민지님, {expected}에 전화 드리겠습니다." in sent["message"]
    note = Message.objects.get(metadata__alimtalk="SD_CALLBACK_01")
    assert note.delivery_state == "sent"


def test_a_call_back_request_without_consent_sends_no_alimtalk(
    callback_template, dealer, phone_channel, run_tasks
):
    _ask(phone_channel)
    run_tasks()

    assert Identity.objects.filter(kind="phone", value="+821055501234").exists()
    assert dealer.alimtalks() == []
    assert not AlimTalkNotice.objects.exists()


def test_without_a_callback_template_nothing_is_sent(dealer, phone_channel, run_tasks):
    _agree("+821055501234")

    _ask(phone_channel)
    run_tasks()

    assert dealer.alimtalks() == []


def test_the_time_reads_in_korean_and_english():
    start = dt.datetime(2026, 12, 3, 5, tzinfo=dt.UTC)  # 14:00 in Seoul
    end = start + dt.timedelta(hours=1)

    assert call_back_time(start, end, "ko") == "12월 3일 14:00~15:00"
    assert call_back_time(start, end, "en") == "Dec 3, 14:00–15:00"
