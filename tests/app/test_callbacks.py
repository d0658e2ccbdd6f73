"""The company's app asks for a call back (the phone channel's call back queue)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from examples.app_client import AppApiError
from sangdam.connectors.models import Channel
from sangdam.service.models import Schedule
from sangdam.tickets.models import Ticket
from tests import factories
from tests.app.conftest import Client

SEOUL = ZoneInfo("Asia/Seoul")


@pytest.fixture
def phone_line(db: None) -> Channel:
    channel = factories.make_channel(
        "phone", config={"number": "+8215880000"}, secrets={"account_sid": "AC1", "auth_token": "t"}
    )
    Schedule.objects.create(
        name="office", channel=channel, holiday_country="",
        week={str(d): [["09:00", "18:00"]] for d in range(7)},
    )  # fmt: skip
    return channel


def _tomorrow(hour: int) -> str:
    day = dt.datetime.now(SEOUL).date() + dt.timedelta(days=1)
    return dt.datetime(day.year, day.month, day.day, hour, tzinfo=SEOUL).isoformat()


def test_an_app_user_asks_for_a_call_back_within_opening_hours(client_for: Client, phone_line):
    created = client_for("user-42").request_callback(
        "010-5555-6666", _tomorrow(10), _tomorrow(11), name="김민지"
    )

    ticket = Ticket.objects.get(reference=created["reference"])
    assert ticket.thread_key == "callback:+821055556666"
    assert {i.kind for i in ticket.customer.identities.all()} == {"phone", "app_user"}


def test_a_window_outside_the_lines_hours_is_refused_with_its_code(client_for: Client, phone_line):
    with pytest.raises(AppApiError) as refused:
        client_for("user-42").request_callback("010-5555-6666", _tomorrow(19), _tomorrow(20))

    assert refused.value.status == 422
    assert refused.value.body["code"] == "outside_hours"
    assert not Ticket.objects.exists()
