"""The demo's phone channel end to end: `sangdam phone-call` plays Twilio against the
running server, `sangdam fake-providers`' Twilio serves the recording."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Iterator
from zoneinfo import ZoneInfo

import holidays
import pytest
from django.core.management import call_command

from sangdam.connectors.models import Channel
from sangdam.connectors.phone.fake import FakeTwilio, for_demo
from sangdam.core.demo import load_demo
from sangdam.service.models import Schedule
from sangdam.tickets.models import Message, Ticket


@pytest.fixture
def demo_phone(live_server, settings) -> Iterator[FakeTwilio]:
    load_demo()
    settings.SITE_URL = live_server.url
    with for_demo() as fake:
        channel = Channel.objects.get(kind="phone")
        channel.config = {**channel.config, "api_base": fake.url}  # what fake-providers does
        channel.save(update_fields=["config"])
        yield fake


@pytest.mark.django_db(transaction=True)
def test_a_demo_call_leaves_a_voicemail_that_becomes_a_ticket(demo_phone, run_tasks):
    out = io.StringIO()

    call_command("phone_call", caller="+821055501234", then="voicemail", stdout=out)
    run_tasks()

    ticket = Ticket.objects.get(thread_key__startswith="voicemail:")
    assert ticket.customer.identities.get(kind="phone").value == "+821055501234"
    assert ticket.messages.get().attachments.get().content_type == "audio/mpeg"
    assert "♪" in out.getvalue()


@pytest.mark.django_db(transaction=True)
def test_a_demo_caller_who_hangs_up_is_called_back(demo_phone, run_tasks):
    call_command("phone_call", caller="+821055505678", then="hangup", stdout=io.StringIO())
    run_tasks()

    assert Ticket.objects.filter(thread_key="callback:+821055505678").exists()


def _always_open() -> None:
    """The demo line keeps office hours; these tests must not depend on when they run."""
    Schedule.objects.filter(channel__kind="phone").update(
        week={str(d): [["00:00", "00:00"]] for d in range(7)}, holiday_country="", closures=[]
    )


@pytest.mark.django_db(transaction=True)
def test_a_demo_call_in_english_answered_from_the_queue_names_the_admin(demo_phone, run_tasks):
    _always_open()
    out = io.StringIO()

    call_command("phone_call", caller="+821055509999", press="92", then="answered", stdout=out)
    run_tasks()

    assert "To continue in English, press 9." in out.getvalue()
    assert "For your account, press 2." in out.getvalue()
    message = Message.objects.get(
        ticket__thread_key="phone:+821055509999", metadata__call__outcome="answered"
    )
    assert message.metadata["call"]["agent"] == "관리자 Admin"
    assert message.ticket.topic is not None and message.ticket.topic.slug == "account"


@pytest.mark.django_db(transaction=True)
def test_a_demo_answered_call_is_recorded_beside_its_call_log(demo_phone, run_tasks):
    _always_open()

    call_command("phone_call", caller="+821055507777", then="answered", stdout=io.StringIO())
    run_tasks()

    recorded = Message.objects.get(
        ticket__thread_key="phone:+821055507777", metadata__call__outcome="recorded"
    )
    assert recorded.metadata["call"]["agent"] == "관리자 Admin"
    assert recorded.attachments.get().content_type == "audio/mpeg"


@pytest.mark.django_db(transaction=True)
def test_a_demo_customer_asks_for_a_call_back_on_the_contact_page(demo_phone, client):
    seoul = ZoneInfo("Asia/Seoul")
    day = dt.datetime.now(seoul).date() + dt.timedelta(days=1)
    korean_holidays = holidays.country_holidays("KR")
    while day.weekday() >= 5 or day in korean_holidays:  # the demo line's weekday hours
        day += dt.timedelta(days=1)

    client.post(
        "/contact/callback",
        {"name": "박지민", "number": "010-5550-4321", "day": day.isoformat(), "hour": "10"},
    )

    ticket = Ticket.objects.get(thread_key="callback:+821055504321")
    assert ticket.messages.get().metadata["callback_request"]["source"] == "contact"
