"""An admin connects a LINE account from the console; customers find it on the contact page."""

from __future__ import annotations

import pytest
from django.test import Client

from sangdam.connectors.line.fake import FakeLine
from sangdam.connectors.models import Channel
from tests import factories
from tests.line.conftest import SECRET


@pytest.fixture
def admin_client(db: None) -> Client:
    client = Client()
    client.force_login(factories.make_admin())
    return client


def test_admin_adds_a_line_account_and_sees_the_webhook_url_but_not_the_secrets(
    admin_client: Client, fake_line: FakeLine
) -> None:
    response = admin_client.post(
        "/admin/channels/new/line/",
        {
            "name": "ACME LINE",
            "enabled": "on",
            "config__basic_id": "@acme",
            "config__welcome_text": "Hello!",
            "config__offer_topics": "on",
            "secret__channel_secret": SECRET,
            "secret__channel_access_token": fake_line.access_token,
        },
        follow=True,
    )
    channel = Channel.objects.get(kind="line")
    assert channel.secrets == {
        "channel_secret": SECRET,
        "channel_access_token": fake_line.access_token,
    }
    assert channel.config["basic_id"] == "@acme"
    page = response.content.decode()
    assert f"/hooks/line/{channel.key}" in page
    assert SECRET not in page
    assert fake_line.access_token not in page


def test_test_connection_on_the_page_shows_the_account(
    admin_client: Client, line_channel: Channel
) -> None:
    response = admin_client.post(f"/admin/channels/{line_channel.pk}/test/", follow=True)
    assert "Connected to LINE as Sangdam (@sangdam)." in response.content.decode()


def test_the_contact_page_offers_the_add_friend_link_and_a_qr_code(
    line_channel: Channel,
) -> None:
    page = Client().get("/contact").content.decode()
    assert 'href="https://line.me/R/ti/p/%40sangdam"' in page
    assert '<figure class="chat-qr"><svg' in page


def test_settings_the_channel_never_stored_show_their_defaults(
    admin_client: Client, line_channel: Channel
) -> None:
    page = admin_client.get(f"/admin/channels/{line_channel.pk}/").content.decode()
    assert 'id="id_config__offer_topics" checked' in page
