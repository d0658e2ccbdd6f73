"""An admin connects a Telegram bot from the console and looks after its events."""

from __future__ import annotations

import pytest
from django.test import Client

from sangdam.connectors.models import Channel, EventStatus, InboundEvent
from sangdam.connectors.telegram.fake import FakeTelegram
from tests import factories
from tests.telegram.conftest import TOKEN, fixture
from tests.telegram.test_webhook import post_update

pytestmark = pytest.mark.django_db


@pytest.fixture
def admin_client() -> Client:
    client = Client()
    client.force_login(factories.make_admin())
    return client


def test_admin_adds_a_telegram_bot_and_sees_the_webhook_url_but_not_the_token(
    admin_client: Client,
):
    response = admin_client.post(
        "/admin/channels/new/telegram/",
        {
            "name": "ACME bot",
            "enabled": "on",
            "config__bot_username": "acme_help_bot",
            "config__welcome_text": "Hi!",
            "secret__bot_token": TOKEN,
        },
        follow=True,
    )

    channel = Channel.objects.get(kind="telegram")
    assert channel.secrets["bot_token"] == TOKEN
    assert len(channel.secrets["webhook_secret"]) >= 32  # generated
    page = response.content.decode()
    assert f"/hooks/telegram/{channel.key}" in page
    assert "https://t.me/acme_help_bot" in page
    assert TOKEN not in page
    assert channel.secrets["webhook_secret"] not in page


def test_saving_with_the_token_left_blank_keeps_it(admin_client: Client, telegram_channel):
    admin_client.post(
        f"/admin/channels/{telegram_channel.pk}/",
        {"name": "Renamed", "enabled": "on", "config__bot_username": "x_bot"},
    )

    telegram_channel.refresh_from_db()
    assert telegram_channel.name == "Renamed"
    assert telegram_channel.secrets["bot_token"] == TOKEN


def test_test_connection_reports_the_bot(admin_client: Client, telegram_channel):
    response = admin_client.post(f"/admin/channels/{telegram_channel.pk}/test/", follow=True)

    assert "@sangdam_bot" in response.content.decode()


def test_a_wrong_token_shows_telegrams_answer(
    admin_client: Client, telegram_channel, telegram: FakeTelegram
):
    telegram.tokens = {"another-token"}

    response = admin_client.post(f"/admin/channels/{telegram_channel.pk}/test/", follow=True)

    assert "Unauthorized" in response.content.decode()


def test_setting_the_webhook_from_the_page_gives_telegram_our_url(
    admin_client: Client, telegram_channel, telegram: FakeTelegram
):
    admin_client.post(f"/admin/channels/{telegram_channel.pk}/register/")

    assert telegram.webhook["url"].endswith(f"/hooks/telegram/{telegram_channel.key}")


def test_a_failed_event_is_listed_and_replayed_from_the_page(
    admin_client: Client, telegram_channel, telegram: FakeTelegram, run_tasks, settings
):
    settings.WEBHOOK_MAX_ATTEMPTS = 1
    telegram.add_file("AgACphoto-large", factories.PNG, "photos/p.png")
    telegram.fail_next = [(500, "Internal Server Error")] * 3
    post_update(telegram_channel, fixture("photo"))
    run_tasks()
    event = InboundEvent.objects.get()
    assert event.status == EventStatus.FAILED
    page = admin_client.get(f"/admin/channels/{telegram_channel.pk}/?status=failed")
    assert "Internal Server Error" in page.content.decode()

    admin_client.post(f"/admin/channels/{telegram_channel.pk}/replay/")
    run_tasks()

    event.refresh_from_db()
    assert event.status == EventStatus.PROCESSED


def test_agents_cannot_open_the_messenger_admin(agent_client: Client, telegram_channel):
    response = agent_client.get(f"/admin/channels/{telegram_channel.pk}/")

    assert response.status_code in (302, 403)


def test_the_contact_page_offers_the_bot_link_and_a_qr_code(client: Client, telegram_channel):
    page = client.get("/contact").content.decode()

    assert 'href="https://t.me/sangdam_demo_bot"' in page
    assert '<figure class="chat-qr"><svg' in page
