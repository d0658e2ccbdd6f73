"""An admin connects a phone number from the console (Admin → Messengers)."""

from __future__ import annotations

import json

import pytest
from django.test import Client

from sangdam.connectors.models import Channel
from sangdam.tickets.models import Ticket
from tests import factories
from tests.phone.conftest import MENU

pytestmark = pytest.mark.django_db


def test_admin_adds_a_phone_number_with_its_menu_and_sees_the_hook_url_but_not_the_token():
    client = Client()
    client.force_login(factories.make_admin())

    response = client.post(
        "/admin/channels/new/phone/",
        {
            "name": "대표번호",
            "enabled": "on",
            "config__number": "+8215881234",
            "config__language": "ko",
            "config__menu": json.dumps(MENU),
            "config__ring": "dial",
            "config__dial": json.dumps(["+821011112222", "sip:desk@pbx.example.com"]),
            "config__blocked_numbers": "[]",
            "config__max_wait_seconds": "90",
            "config__voicemail": "on",
            "config__queue_name": "support",
            "config__hold_music_url": "https://example.com/hold.mp3",
            "config__voice_ko": "Polly.Seoyeon",
            "config__voice_en": "Polly.Joanna",
            "secret__account_sid": "AC" + "1" * 32,
            "secret__auth_token": "twilio-auth-token-0123456789",
        },
        follow=True,
    )

    channel = Channel.objects.get(kind="phone")
    assert channel.config["menu"][0]["label_ko"] == "결제 및 환불"
    assert channel.config["dial"] == ["+821011112222", "sip:desk@pbx.example.com"]
    assert channel.config["max_wait_seconds"] == 90
    page = response.content.decode()
    assert f"/hooks/phone/{channel.key}" in page
    assert "twilio-auth-token-0123456789" not in page


def test_a_menu_that_is_not_a_list_of_choices_is_refused():
    client = Client()
    client.force_login(factories.make_admin())

    response = client.post(
        "/admin/channels/new/phone/",
        {
            "name": "대표번호",
            "config__language": "ko",
            "config__ring": "queue",
            "config__menu": json.dumps([{"digit": "12"}]),
            "config__max_wait_seconds": "90",
            "secret__account_sid": "AC" + "1" * 32,
            "secret__auth_token": "twilio-auth-token-0123456789",
        },
    )

    assert response.status_code == 200
    assert not Channel.objects.filter(kind="phone").exists()


def test_admin_blocks_an_abusive_caller_and_names_the_agents_lines_on_the_channel_page(
    twilio, phone_channel, open_now, run_tasks
):
    from tests.phone.conftest import Caller, twiml

    client = Client()
    client.force_login(factories.make_admin())
    page = client.get(f"/admin/channels/{phone_channel.pk}/").content.decode()
    assert 'name="config__blocked_numbers"' in page and 'name="config__agent_lines"' in page
    assert 'name="config__language_key"' in page and 'name="config__team"' in page

    client.post(
        f"/admin/channels/{phone_channel.pk}/",
        {
            "name": phone_channel.name,
            "enabled": "on",
            "config__language": "ko",
            "config__language_key": "9",
            "config__ring": "queue",
            "config__menu": json.dumps(MENU),
            "config__dial": "[]",
            "config__agent_lines": json.dumps({"010-1111-2222": "jihoon@example.com"}),
            "config__blocked_numbers": json.dumps(["010-6666-0000"]),
            "config__max_wait_seconds": "90",
            "config__queue_name": "support",
            "config__hold_music_url": "https://example.com/hold.mp3",
            "config__voice_ko": "Polly.Seoyeon",
            "config__voice_en": "Polly.Joanna",
            "config__api_base": twilio.url,
        },
    )
    phone_channel.refresh_from_db()
    blocked = Caller(twilio, phone_channel, "+821066660000")
    root = twiml(blocked.post())
    blocked.post("status", CallStatus="busy", CallDuration="0")
    run_tasks()

    assert phone_channel.config["agent_lines"] == {"+821011112222": "jihoon@example.com"}
    assert phone_channel.config["language_key"] == "9"
    assert [child.tag for child in root] == ["Reject"]
    assert not Ticket.objects.exists()
