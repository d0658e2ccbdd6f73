"""A live chat visitor asks to be called back: the contact page's request, from the chat."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

import pytest
from django.test import Client

from sangdam.connectors.livechat.config import visitor_token
from sangdam.connectors.models import Channel
from sangdam.service.models import Schedule
from sangdam.tickets.models import Ticket
from tests import factories
from tests.phone.conftest import ALWAYS_OPEN

pytestmark = pytest.mark.django_db
SEOUL = ZoneInfo("Asia/Seoul")


@pytest.fixture
def chat(phone_channel: Channel) -> Channel:
    Schedule.objects.create(
        name="office",
        channel=phone_channel,
        week={**ALWAYS_OPEN, **{str(d): [["09:00", "18:00"]] for d in range(7)}},
        holiday_country="",
    )
    return factories.make_channel("livechat", name="Website chat")


def _ask(chat: Channel, hour: int, token: str = "", **extra: str) -> Any:
    day = (dt.datetime.now(SEOUL) + dt.timedelta(days=1)).date()
    return Client().post(
        f"/chat/{chat.key}/callback",
        {
            "token": token or visitor_token(chat, "visitor-1"),
            "number": "010-3333-4444",
            "name": "이수진",
            "day": day.isoformat(),
            "hour": str(hour),
            "lang": "ko",
            **extra,
        },
    )


def test_a_chat_visitor_asks_for_a_call_back_within_the_lines_hours(chat):
    response = _ask(chat, hour=10)

    assert response.status_code == 200
    ticket = Ticket.objects.get(thread_key="callback:+821033334444")
    assert response.json()["reference"] == ticket.reference
    assert "10:00" in response.json()["detail"]
    assert ticket.messages.get().metadata["callback_request"]["source"] == "livechat"
    identities = set(ticket.customer.identities.values_list("kind", "value"))
    assert {("phone", "+821033334444"), ("livechat", "visitor-1")} <= identities


def test_a_chat_call_back_outside_the_lines_hours_is_refused_with_the_reason(chat):
    response = _ask(chat, hour=20)

    assert response.status_code == 422
    assert response.json()["code"] == "outside_hours"
    assert response.json()["detail"] == "상담 시간 안에서 시간을 골라 주세요."
    assert not Ticket.objects.exists()


def test_a_chat_call_back_without_the_visitors_token_is_refused(chat):
    response = _ask(chat, hour=10, token="forged")

    assert response.status_code == 403
    assert not Ticket.objects.exists()


def test_the_chat_page_offers_the_call_back_form_when_a_line_takes_call_backs(chat, client):
    page = client.get(f"/chat/{chat.key}").content.decode()

    assert 'id="callback-form"' in page
    assert "livechat/callback.js" in page
