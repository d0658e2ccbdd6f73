"""A website that knows its visitor passes a signed user id (the app API's HMAC scheme)."""

from __future__ import annotations

from typing import Any

from asgiref.sync import async_to_sync

from sangdam.connectors.livechat.config import identity_signature
from sangdam.connectors.models import Channel
from sangdam.customers.models import Identity
from sangdam.tickets.models import Ticket
from tests.livechat.conftest import Visitor

SECRET = "site-identity-secret-0123456789"


def chat_as(channel: Channel, user_id: str, signature: str) -> list[dict[str, Any]]:
    async def scenario() -> list[dict[str, Any]]:
        visitor = Visitor(channel)
        connected, _ = await visitor.socket.connect()
        assert connected
        visit = {"user_id": user_id, "user_hash": signature}
        await visitor.send(type="hello", token=None, after=0, visit=visit)
        frames = [await visitor.receive()]
        if frames[0]["type"] == "error":
            frames.append(await visitor.receive())
        await visitor.send(type="message", client_id="client-id-0001", text="My order?")
        frames.append(await visitor.receive_type("ack"))
        await visitor.close()
        return frames

    return async_to_sync(scenario)()


def test_a_signed_user_id_makes_the_chat_that_users(chat_channel: Channel) -> None:
    chat_channel.secrets = {"identity_secret": SECRET}
    chat_channel.save()
    frames = chat_as(chat_channel, "user-42", identity_signature(SECRET, "user-42"))
    assert [f["type"] for f in frames] == ["welcome", "ack"]
    customer = Ticket.objects.get().customer
    assert Identity.objects.filter(customer=customer, kind="app_user", value="user-42").exists()


def test_a_wrong_signature_is_reported_and_the_chat_stays_anonymous(
    chat_channel: Channel,
) -> None:
    chat_channel.secrets = {"identity_secret": SECRET}
    chat_channel.save()
    frames = chat_as(chat_channel, "user-42", identity_signature("guessed", "user-42"))
    assert [f.get("code", f["type"]) for f in frames] == ["bad_identity", "welcome", "ack"]
    assert not Identity.objects.filter(kind="app_user").exists()
