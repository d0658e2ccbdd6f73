"""The hosted chat page, the widget script and its settings."""

from __future__ import annotations

from django.test import Client

from sangdam.accounts.models import Presence
from sangdam.connectors.models import Channel
from sangdam.service.models import Schedule, SlaPolicy
from tests import factories


def test_the_hosted_chat_page_opens_the_channels_socket(chat_channel: Channel) -> None:
    response = Client().get(f"/chat/{chat_channel.key}?lang=en")
    body = response.content.decode()
    assert response.status_code == 200
    assert f'data-socket="/ws/chat/{chat_channel.key}/"' in body
    assert 'aria-label="Conversation"' in body


def test_the_chat_page_may_be_framed_only_by_the_allowed_sites(chat_channel: Channel) -> None:
    chat_channel.config = {"allowed_origins": ["https://shop.example.com"]}
    chat_channel.save()
    policy = Client().get(f"/chat/{chat_channel.key}")["Content-Security-Policy"]
    assert "frame-ancestors 'self' https://shop.example.com" in policy


def test_a_switched_off_chat_is_not_found(chat_channel: Channel) -> None:
    chat_channel.enabled = False
    chat_channel.save()
    assert Client().get(f"/chat/{chat_channel.key}").status_code == 404


def test_the_widget_script_and_settings_are_readable_from_any_site(chat_channel: Channel) -> None:
    chat_channel.config = {"color": "#0a7d32", "position": "left"}
    chat_channel.save()
    script = Client().get("/chat/widget.js")
    settings = Client().get(f"/chat/{chat_channel.key}/widget.json?lang=ko")
    assert script["Content-Type"].startswith("text/javascript")
    assert settings["Access-Control-Allow-Origin"] == "*"
    assert settings.json()["color"] == "#0a7d32"
    assert settings.json()["position"] == "left"


def test_the_contact_page_links_to_the_chat(chat_channel: Channel) -> None:
    body = Client().get("/contact?lang=en").content.decode()
    assert f'href="/chat/{chat_channel.key}?lang=en"' in body


def test_the_chat_page_tells_the_wait_and_the_promised_first_answer(
    chat_channel: Channel,
) -> None:
    Schedule.objects.create(
        name="Always", week={str(d): [["00:00", "00:00"]] for d in range(7)}, holiday_country=""
    )
    SlaPolicy.objects.create(name="Chat", first_response_minutes=30)
    body = Client().get(f"/chat/{chat_channel.key}?lang=en").content.decode()
    # Nobody online: the answer comes later, by email, within the promise.
    assert "We usually reply within 30 business minutes." in body
    assert "Wait now" not in body
    factories.make_agent(presence=Presence.ONLINE)
    body = Client().get(f"/chat/{chat_channel.key}?lang=en").content.decode()
    assert "Wait now: about" in body
