"""Instagram Direct through the same Meta module: its own identity kind and event shapes."""

from __future__ import annotations

import pytest

from sangdam.connectors.models import EventStatus, InboundEvent
from sangdam.customers.models import Identity
from sangdam.tickets.models import Message, Ticket
from tests.meta.conftest import fixture, post_hook

pytestmark = pytest.mark.django_db

IGSID = "534217788901234"


def _receive(channel, graph, run_tasks, name: str) -> InboundEvent:
    assert post_hook(channel, fixture(graph, name)).status_code == 200
    run_tasks()
    return InboundEvent.objects.get(channel=channel)


def test_an_instagram_message_opens_a_ticket_for_the_instagram_user(instagram, graph, run_tasks):
    graph.profiles[IGSID] = {"name": "Mina Kim", "username": "mina.k"}

    _receive(instagram, graph, run_tasks, "ig_text")

    ticket = Ticket.objects.get()
    assert ticket.messages.get().text == "Hi! Is the blue one back in stock?"
    assert ticket.customer.name == "Mina Kim"
    identity = Identity.objects.get()
    assert (identity.kind, identity.value) == ("instagram", IGSID)
    assert ticket.messages.get().metadata["profile"]["username"] == "mina.k"


def test_an_instagram_image_is_downloaded(instagram, graph, run_tasks):
    payload = fixture(graph, "ig_image")
    payload["entry"][0]["messaging"][0]["message"]["attachments"][0]["payload"]["url"] = (
        graph.add_media("ig-photo.png", bytes.fromhex("89504e470d0a1a0a") + b"\0" * 64, "image/png")
    )

    post_hook(instagram, payload)
    run_tasks()

    assert Message.objects.get().attachments.get().content_type == "image/png"


def test_a_story_reply_shows_the_story_link_and_stores_no_story_media(instagram, graph, run_tasks):
    _receive(instagram, graph, run_tasks, "ig_story_reply")

    message = Message.objects.get()
    assert "이거 어디서 살 수 있어요?" in message.text
    assert "asset_id=17994392543298765" in message.text
    assert message.metadata["story"]["id"] == "17994392543298765"
    assert not message.attachments.exists()
    assert not [r for r in graph.received if "17994392543298765" in r.path]


def test_a_story_mention_is_a_link_not_a_stored_file(instagram, graph, run_tasks):
    _receive(instagram, graph, run_tasks, "ig_story_mention")

    message = Message.objects.get()
    assert "asset_id=17882334455667788" in message.text
    assert not message.attachments.exists()


def test_a_shared_post_shows_once_with_its_caption(instagram, graph, run_tasks):
    _receive(instagram, graph, run_tasks, "ig_share")

    text = Message.objects.get().text
    assert text.count("asset_id=18139494541428835") == 1
    assert "New season, new colours." in text


def test_an_icebreaker_tap_reads_as_its_title(instagram, graph, run_tasks):
    _receive(instagram, graph, run_tasks, "ig_postback")

    assert Message.objects.get().text == "배송 문의"


def test_the_accounts_own_echo_is_not_taken_in(instagram, graph, run_tasks):
    event = _receive(instagram, graph, run_tasks, "ig_echo")

    assert event.status == EventStatus.IGNORED
    assert not Message.objects.exists()


def test_a_deleted_message_is_ignored(instagram, graph, run_tasks):
    event = _receive(instagram, graph, run_tasks, "ig_deleted")

    assert event.status == EventStatus.IGNORED


def test_a_messenger_event_posted_to_the_instagram_channel_is_ignored(instagram, graph, run_tasks):
    event = _receive(instagram, graph, run_tasks, "text")

    assert event.status == EventStatus.IGNORED
    assert not Message.objects.exists()
