"""An admin sets up the live chat and copies the snippet for the website."""

from __future__ import annotations

from django.test import Client

from sangdam.connectors.models import Channel
from tests import factories


def admin_client() -> Client:
    client = Client()
    client.force_login(factories.make_admin())
    return client


def test_the_channel_page_shows_the_snippet_to_paste(chat_channel: Channel) -> None:
    body = admin_client().get(f"/admin/livechat/{chat_channel.pk}/?lang=en").content.decode()
    assert f"/chat/widget.js&quot; data-channel=&quot;{chat_channel.key}&quot; async&gt;" in body


def test_the_admin_changes_the_colour_position_and_allowed_sites(chat_channel: Channel) -> None:
    response = admin_client().post(
        f"/admin/livechat/{chat_channel.pk}/",
        {
            "name": "Shop chat",
            "enabled": "on",
            "color": "#0a7d32",
            "position": "left",
            "greeting": "안녕하세요!",
            "allowed_origins": "https://shop.example.com/\nhttps://m.shop.example.com",
        },
    )
    assert response.status_code == 302
    chat_channel.refresh_from_db()
    assert chat_channel.name == "Shop chat"
    assert chat_channel.config["position"] == "left"
    assert chat_channel.config["allowed_origins"] == [
        "https://shop.example.com",
        "https://m.shop.example.com",
    ]


def test_a_site_that_is_not_an_address_is_refused(chat_channel: Channel) -> None:
    response = admin_client().post(
        f"/admin/livechat/{chat_channel.pk}/",
        {"name": "Shop chat", "color": "#0a7d32", "position": "left", "allowed_origins": "shop"},
    )
    assert response.status_code == 200
    chat_channel.refresh_from_db()
    assert "allowed_origins" not in chat_channel.config


def test_live_chat_channels_are_listed_and_made_with_the_messengers(
    chat_channel: Channel,
) -> None:
    client = admin_client()
    assert f"/admin/livechat/{chat_channel.pk}/" in client.get("/admin/channels/").content.decode()
    created = client.post("/admin/livechat/new/")
    assert Channel.objects.filter(kind="livechat").count() == 2
    assert created["Location"].startswith("/admin/livechat/")


def test_an_agent_cannot_open_the_live_chat_settings(chat_channel: Channel) -> None:
    client = Client()
    client.force_login(factories.make_agent("Minji"))
    assert client.get(f"/admin/livechat/{chat_channel.pk}/").status_code in (302, 403)


def test_the_admin_makes_an_identity_secret_shown_once(chat_channel: Channel) -> None:
    page = admin_client().post(f"/admin/livechat/{chat_channel.pk}/secret/", follow=True)
    chat_channel.refresh_from_db()
    secret = chat_channel.secrets["identity_secret"]
    assert secret in page.content.decode()
    assert secret not in admin_client().get(f"/admin/livechat/{chat_channel.pk}/").content.decode()
