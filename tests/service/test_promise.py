"""Customers are told when to expect a first reply, in their language, from the same
policy and schedule the agents are held to."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.utils import translation

from sangdam.connectors.models import Channel
from sangdam.service.models import Schedule, SlaPolicy
from sangdam.service.promise import expected_first_response

pytestmark = pytest.mark.django_db

SEOUL = ZoneInfo("Asia/Seoul")
TUESDAY_2PM = dt.datetime(2026, 11, 24, 14, 0, tzinfo=SEOUL)
FRIDAY_7PM = dt.datetime(2026, 11, 27, 19, 0, tzinfo=SEOUL)


@pytest.fixture
def office(db: None) -> Schedule:
    return Schedule.objects.create(
        name="Seoul office",
        week={str(d): [["09:00", "18:00"]] for d in range(5)},
        holiday_country="KR",
    )


@pytest.fixture
def two_hours(db: None) -> SlaPolicy:
    return SlaPolicy.objects.create(name="Standard", first_response_minutes=120)


def promise(channel: Channel, now: dt.datetime, language: str) -> str:
    with translation.override(language):
        return expected_first_response(channel_id=channel.pk, now=now)


def test_in_hours_the_customer_hears_the_target_and_todays_closing_time(
    email_channel: Channel, office: Schedule, two_hours: SlaPolicy
) -> None:
    assert promise(email_channel, TUESDAY_2PM, "en") == (
        "We usually reply within 2 business hours. Today we are open until 18:00."
    )
    assert promise(email_channel, TUESDAY_2PM, "ko") == (
        "보통 영업시간 기준 2시간 이내에 답변드립니다. 오늘은 18:00까지 운영합니다."
    )


def test_on_a_friday_evening_the_customer_hears_when_we_open_again(
    email_channel: Channel, office: Schedule, two_hours: SlaPolicy
) -> None:
    text = promise(email_channel, FRIDAY_7PM, "en")
    assert text.startswith("We usually reply within 2 business hours. We are closed now")
    assert "30" in text and "9" in text  # Monday 30 November, 9:00


def test_without_a_policy_only_the_hours_are_said(email_channel: Channel, office: Schedule) -> None:
    assert promise(email_channel, TUESDAY_2PM, "en") == "Today we are open until 18:00."


def test_an_opening_time_that_ends_in_am_ends_the_sentence_with_one_period(
    email_channel: Channel, office: Schedule, two_hours: SlaPolicy
) -> None:
    text = promise(email_channel, FRIDAY_7PM, "en")
    assert text.endswith("a.m.") and not text.endswith("a.m..")


def test_in_korean_the_reopening_time_reads_morning_before_the_hour(
    email_channel: Channel, office: Schedule, two_hours: SlaPolicy
) -> None:
    text = promise(email_channel, FRIDAY_7PM, "ko")
    assert "2026년 11월 30일 오전 9:00" in text
