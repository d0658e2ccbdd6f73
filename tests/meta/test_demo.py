"""The demo's Messenger channel answers against the fake Graph API (`sangdam fake-providers`)."""

from __future__ import annotations

import pytest

from sangdam.connectors.facebook import fake as meta_fake
from sangdam.connectors.models import Channel
from sangdam.core.demo import load_demo
from sangdam.tickets import actions
from sangdam.tickets.actor import Actor
from sangdam.tickets.models import DeliveryState, Direction, Status, Ticket

pytestmark = pytest.mark.django_db


def test_a_reply_on_a_demo_messenger_ticket_goes_out(agent, run_tasks, settings):
    settings.NETGUARD_ALLOW_LOCAL = True
    load_demo()
    run_tasks()
    channel = Channel.objects.get(kind="facebook")
    fake = meta_fake.for_channels("facebook")()
    assert isinstance(fake, meta_fake.FakeGraph)
    with fake:
        channel.config = {**channel.config, "api_base": fake.url}  # what fake-providers does
        channel.save(update_fields=["config"])
        ticket = (
            Ticket.objects.filter(channel=channel)
            .exclude(status=Status.CLOSED)
            .order_by("-created_at")
            .first()
        )
        assert ticket is not None

        reply = actions.do_reply(ticket=ticket, actor=Actor.agent(agent), text="확인했습니다.")
        run_tasks()

        reply.refresh_from_db()
        assert reply.delivery_state == DeliveryState.SENT, reply.delivery_error
        assert fake.sends()[0].json()["message"] == {"text": "확인했습니다."}
        assert fake.webhook_urls["page"].endswith(f"/hooks/facebook/{channel.key}")


def test_the_demo_has_an_instagram_channel_with_a_chat_link(agent):
    load_demo()

    channel = Channel.objects.get(kind="instagram")

    assert channel.address == "example.shop"
    assert not Ticket.objects.filter(channel=channel, messages__direction=Direction.IN).exists()
