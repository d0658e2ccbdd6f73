"""The demo's phone channel end to end: `sangdam phone-call` plays Twilio against the
running server, `sangdam fake-providers`' Twilio serves the recording."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from django.core.management import call_command

from sangdam.connectors.models import Channel
from sangdam.connectors.phone.fake import FakeTwilio, for_demo
from sangdam.core.demo import load_demo
from sangdam.tickets.models import Ticket


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
