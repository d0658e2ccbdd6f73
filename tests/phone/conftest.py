from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET
from collections.abc import Iterator
from typing import Any
from urllib.parse import urlencode

import pytest
from django.test import Client
from django.utils import timezone

from sangdam.connectors.models import Channel
from sangdam.connectors.phone.fake import FakeTwilio, new_sid
from sangdam.service.models import Schedule
from tests import factories

NUMBER = "+8215881234"
CALLER = "+821012345678"
ALWAYS_OPEN = {str(d): [["00:00", "00:00"]] for d in range(7)}
MENU = [
    {
        "digit": "1",
        "topic": "payment",
        "label_ko": "결제 및 환불",
        "label_en": "payment and refunds",
    },
    {"digit": "2", "topic": "account", "label_ko": "계정", "label_en": "your account"},
]


@pytest.fixture
def twilio() -> Iterator[FakeTwilio]:
    with FakeTwilio() as fake:
        yield fake


@pytest.fixture
def phone_channel(db, twilio: FakeTwilio) -> Channel:
    return factories.make_channel(
        "phone",
        name="대표번호",
        address=NUMBER,
        config={"api_base": twilio.url, "language": "ko", "menu": MENU},
        secrets={"account_sid": twilio.account_sid, "auth_token": twilio.auth_token},
    )


@pytest.fixture
def open_now(phone_channel: Channel) -> Schedule:
    return Schedule.objects.create(
        name="always", channel=phone_channel, week=ALWAYS_OPEN, holiday_country=""
    )


@pytest.fixture
def closed_today(phone_channel: Channel) -> Schedule:
    """Open every day around the clock, except today (a company closure)."""
    today = timezone.now().astimezone(dt.UTC).astimezone(_seoul()).date()
    return Schedule.objects.create(
        name="closed today",
        channel=phone_channel,
        week=ALWAYS_OPEN,
        holiday_country="",
        closures=[{"date": today.isoformat(), "name": "창립기념일"}],
    )


def _seoul() -> dt.tzinfo:
    from zoneinfo import ZoneInfo

    return ZoneInfo("Asia/Seoul")


class Caller:
    """Plays Twilio calling Sangdam's hook URLs for one call, signed as Twilio signs."""

    def __init__(self, twilio: FakeTwilio, channel: Channel, number: str = CALLER) -> None:
        self.twilio = twilio
        self.channel = channel
        self.number = number
        self.sid = new_sid("CA")

    def post(self, step: str = "", *, query: str = "", signature: str = "", **params: Any) -> Any:
        path = f"/hooks/phone/{self.channel.key}" + (f"/{step}" if step else "")
        if query:
            path += f"?{query}"
        form = self.twilio.call_params(
            **{"CallSid": self.sid, "From": self.number, "To": self.channel.address, **params}
        )
        headers = self.twilio.signed_headers(f"http://testserver{path}", form)
        if signature:
            headers["X-Twilio-Signature"] = signature
        return Client().post(
            path,
            urlencode(form),
            content_type="application/x-www-form-urlencoded",
            headers=headers,
        )


@pytest.fixture
def caller(twilio: FakeTwilio, phone_channel: Channel) -> Caller:
    return Caller(twilio, phone_channel)


def parse_twiml(xml: str | bytes) -> ET.Element:
    return ET.fromstring(xml)  # noqa: S314 (our own answer, read back in a test)


def twiml(response: Any) -> ET.Element:
    assert response.status_code == 200, response.content
    assert response["Content-Type"].startswith("text/xml")
    return parse_twiml(response.content)


def spoken(root: ET.Element) -> str:
    return " ".join(say.text or "" for say in root.iter("Say"))
