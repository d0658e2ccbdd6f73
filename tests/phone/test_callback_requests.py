"""Customers ask to be called back within opening hours; agents work the queue in order."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from sangdam.connectors.phone.callbacks import callback_queue, check_window, request_callback
from sangdam.service.hours import WeeklyHours, parse_intervals
from sangdam.tickets.errors import DomainError
from sangdam.tickets.models import Ticket
from tests.phone.conftest import CALLER, Caller

pytestmark = pytest.mark.django_db
SEOUL = ZoneInfo("Asia/Seoul")
OFFICE = WeeklyHours(
    time_zone="Asia/Seoul",
    week=parse_intervals({str(d): [["09:00", "18:00"]] for d in range(7)}),
)


def _day(days: int, hour: int, minute: int = 0) -> dt.datetime:
    today = dt.datetime.now(SEOUL).date() + dt.timedelta(days=days)
    return dt.datetime(today.year, today.month, today.day, hour, minute, tzinfo=SEOUL)


def test_a_window_outside_opening_hours_is_refused():
    with pytest.raises(DomainError):
        check_window(OFFICE, _day(1, 17, 30), _day(1, 18, 30), dt.datetime.now(dt.UTC))


def test_a_window_in_the_past_is_refused():
    with pytest.raises(DomainError):
        check_window(OFFICE, _day(-1, 10), _day(-1, 11), dt.datetime.now(dt.UTC))


def test_a_request_joins_the_callers_call_back_ticket(twilio, phone_channel, open_now, run_tasks):
    caller = Caller(twilio, phone_channel)
    caller.post()
    caller.post("rung", query="lang=ko", QueueResult="hangup", QueueTime="30")
    caller.post("status", CallStatus="completed", CallDuration="40")
    run_tasks()

    ticket = request_callback(
        channel=phone_channel,
        hours=OFFICE,
        number="010-1234-5678",
        name="김민지",
        start=_day(1, 10),
        end=_day(1, 11),
        language="ko",
        source="contact",
    )

    assert ticket == Ticket.objects.get(thread_key=f"callback:{CALLER}")
    assert ticket.messages.count() == 2


def test_the_queue_lists_the_earliest_promise_first(phone_channel, agent_client):
    later = request_callback(
        channel=phone_channel, hours=OFFICE, number="+821011110000", name="", start=_day(2, 15),
        end=_day(2, 16), language="ko", source="app",
    )  # fmt: skip
    sooner = request_callback(
        channel=phone_channel, hours=OFFICE, number="+821022220000", name="", start=_day(1, 9),
        end=_day(1, 10), language="en", source="contact",
    )  # fmt: skip

    queue = callback_queue()
    page = agent_client.get("/calls/callbacks/").content.decode()

    assert [item.ticket for item in queue] == [sooner, later]
    assert page.index(sooner.reference) < page.index(later.reference)


def test_a_customer_asks_for_a_call_back_from_the_contact_page(phone_channel, open_now, client):
    tomorrow = _day(1, 10)
    page = client.get("/contact").content.decode()

    response = client.post(
        "/contact/callback",
        {
            "name": "김민지",
            "number": "010-3333-4444",
            "day": tomorrow.date().isoformat(),
            "hour": "10",
        },
        follow=True,
    )

    assert 'action="/contact/callback"' in page
    ticket = Ticket.objects.get(thread_key="callback:+821033334444")
    assert ticket.messages.get().metadata["callback_request"]["source"] == "contact"
    assert "10:00" in response.content.decode()


def test_a_call_back_outside_the_lines_hours_is_refused_with_the_reason(phone_channel, client):
    from sangdam.service.models import Schedule

    Schedule.objects.create(
        name="office", channel=phone_channel, holiday_country="",
        week={str(d): [["09:00", "18:00"]] for d in range(7)},
    )  # fmt: skip

    response = client.post(
        "/contact/callback",
        {"number": "010-3333-4444", "day": _day(1, 0).date().isoformat(), "hour": "20"},
        follow=True,
    )

    assert not Ticket.objects.exists()
    assert "상담 시간 안에서 시간을 골라 주세요." in response.content.decode()
