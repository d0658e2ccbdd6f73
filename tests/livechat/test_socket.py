"""The visitor's websocket protocol, frame by frame, against the real intake and database."""

from __future__ import annotations

from typing import Any

from asgiref.sync import async_to_sync, sync_to_async
from django.core import signing

from sangdam.connectors.livechat.config import TOKEN_SALT, visitor_token
from sangdam.connectors.models import Channel
from sangdam.tickets.models import Message, Ticket
from tests import factories
from tests.livechat.conftest import Socket, Visitor

CID = "c0ffee00-0000-4000-8000-000000000001"


def test_a_visitor_message_opens_a_chat_ticket_and_is_acked(chat_channel: Channel) -> None:
    async def scenario() -> dict[str, Any]:
        visitor = Visitor(chat_channel)
        await visitor.connect(page_url="https://shop.example.com/cart", language="ko-KR")
        ack = await visitor.say("배송이 언제 오나요?", CID)
        await visitor.close()
        return ack

    ack = async_to_sync(scenario)()
    assert ack["client_id"] == CID
    message = Message.objects.select_related("ticket").get(pk=ack["message"]["id"])
    assert message.text == "배송이 언제 오나요?"
    assert message.ticket.channel_id == chat_channel.pk
    assert message.ticket.metadata["page_url"] == "https://shop.example.com/cart"
    assert message.ticket.metadata["browser"] == "Playwright/1.0"


def test_a_repeated_client_id_is_acked_again_and_stored_once(chat_channel: Channel) -> None:
    async def scenario() -> tuple[dict[str, Any], dict[str, Any]]:
        visitor = Visitor(chat_channel)
        await visitor.connect()
        first = await visitor.say("Hello?", CID)
        await visitor.close()
        # The connection dropped before the widget saw the ack: it sends again.
        again = Visitor(chat_channel, token=visitor.token)
        await again.connect()
        second = await again.say("Hello?", CID)
        await again.close()
        return first, second

    first, second = async_to_sync(scenario)()
    assert first["message"]["id"] == second["message"]["id"]
    assert Message.objects.filter(channel=chat_channel).count() == 1


def test_a_message_shows_in_the_visitors_other_tab_and_not_again_in_its_own(
    chat_channel: Channel,
) -> None:
    async def scenario() -> tuple[dict[str, Any], dict[str, Any], bool]:
        sending = Visitor(chat_channel)
        await sending.connect()
        other = Visitor(chat_channel, token=sending.token)  # the same browser, another tab
        await other.connect()
        ack = await sending.say("Is my order shipped?", CID)
        shown = await other.receive_type("message")
        nothing_more = await sending.socket.receive_nothing(0.3)
        await sending.close()
        await other.close()
        return ack, shown, nothing_more

    ack, shown, nothing_more = async_to_sync(scenario)()
    assert shown["message"]["id"] == ack["message"]["id"]
    assert shown["message"]["text"] == "Is my order shipped?"
    assert nothing_more  # the ack was the sending tab's answer; no echo follows


def test_a_returning_visitor_gets_the_history_and_the_same_ticket(chat_channel: Channel) -> None:
    async def scenario() -> dict[str, Any]:
        visitor = Visitor(chat_channel)
        await visitor.connect()
        await visitor.say("First question", "client-id-0001")
        await visitor.close()
        back = Visitor(chat_channel, token=visitor.token)
        welcome = await back.connect()
        await back.say("Second question", "client-id-0002")
        await back.close()
        return welcome

    welcome = async_to_sync(scenario)()
    assert [m["text"] for m in welcome["messages"]] == ["First question"]
    assert Ticket.objects.filter(channel=chat_channel).count() == 1
    assert Message.objects.filter(channel=chat_channel).count() == 2


def test_catch_up_sends_only_messages_after_the_last_seen(chat_channel: Channel) -> None:
    async def scenario() -> dict[str, Any]:
        visitor = Visitor(chat_channel)
        await visitor.connect()
        seen = await visitor.say("one", "client-id-0001")
        await visitor.say("two", "client-id-0002")
        await visitor.close()
        back = Visitor(chat_channel, token=visitor.token)
        welcome = await back.connect(after=seen["message"]["id"])
        await back.close()
        return welcome

    assert [m["text"] for m in async_to_sync(scenario)()["messages"]] == ["two"]


def test_a_forged_token_is_refused_and_the_socket_closed(chat_channel: Channel) -> None:
    forged = signing.dumps(
        {"c": chat_channel.pk, "v": "someone-else"}, key="not-our-secret", salt=TOKEN_SALT
    )

    async def scenario() -> tuple[dict[str, Any], dict[str, Any]]:
        visitor = Visitor(chat_channel, token=forged)
        connected, _ = await visitor.socket.connect()
        assert connected
        await visitor.send(type="hello", token=forged)
        error = await visitor.receive()
        closed = await visitor.socket.receive_output(timeout=5)
        return error, closed

    error, closed = async_to_sync(scenario)()
    assert error["code"] == "bad_token"
    assert closed == {"type": "websocket.close", "code": 4403}


def test_a_token_of_another_channel_is_refused(chat_channel: Channel) -> None:
    other = factories.make_channel("livechat", name="Other shop")
    token = visitor_token(other, "visitor-of-other-shop")

    async def scenario() -> dict[str, Any]:
        visitor = Visitor(chat_channel)
        await visitor.socket.connect()
        await visitor.send(type="hello", token=token)
        return await visitor.receive()

    assert async_to_sync(scenario)()["code"] == "bad_token"


def test_an_unknown_channel_key_closes_the_socket(chat_channel: Channel) -> None:
    async def scenario() -> tuple[bool, int | None]:
        return await Socket("/ws/chat/no-such-key/").connect()

    assert async_to_sync(scenario)() == (False, 4404)


def test_messages_before_hello_and_bad_frames_get_errors(chat_channel: Channel) -> None:
    async def scenario() -> list[str]:
        visitor = Visitor(chat_channel)
        await visitor.socket.connect()
        codes = []
        await visitor.send(type="message", client_id=CID, text="hi")
        codes.append((await visitor.receive())["code"])
        await visitor.send(type="hello")
        await visitor.receive_type("welcome")
        for frame in (
            {"type": "message", "client_id": "short", "text": "hi"},
            {"type": "message", "client_id": CID, "text": "   "},
            {"type": "message", "client_id": CID, "text": "x" * 5001},
            {"type": "launch-rockets"},
        ):
            await visitor.send(**frame)
            codes.append((await visitor.receive())["code"])
        await visitor.send(type="ping")
        codes.append((await visitor.receive())["type"])
        await visitor.close()
        return codes

    assert async_to_sync(scenario)() == [
        "no_hello",
        "bad_client_id",
        "empty",
        "too_long",
        "unknown_type",
        "pong",
    ]
    assert not Message.objects.filter(channel=chat_channel).exists()


def test_a_visitor_over_the_rate_limit_is_told_to_wait(
    chat_channel: Channel, settings: Any
) -> None:
    settings.LIVECHAT_RATE_PER_VISITOR = 2

    async def scenario() -> dict[str, Any]:
        visitor = Visitor(chat_channel)
        await visitor.connect()
        await visitor.say("one", "client-id-0001")
        await visitor.say("two", "client-id-0002")
        await visitor.send(type="message", client_id="client-id-0003", text="three")
        error = await visitor.receive_type("error")
        await visitor.close()
        return error

    error = async_to_sync(scenario)()
    assert error["code"] == "rate_limited"
    assert error["client_id"] == "client-id-0003"
    assert Message.objects.filter(channel=chat_channel).count() == 2


def test_typing_goes_both_ways_through_the_tickets_group(chat_channel: Channel) -> None:
    from channels.layers import get_channel_layer

    from sangdam.core.live import ticket_group

    async def scenario() -> tuple[dict[str, Any], dict[str, Any]]:
        layer = get_channel_layer()
        visitor = Visitor(chat_channel)
        await visitor.connect()
        ack = await visitor.say("Hello", "client-id-0001")
        ticket_id = await sync_to_async(
            lambda: Message.objects.get(pk=ack["message"]["id"]).ticket_id
        )()
        console = await layer.new_channel()  # the agent's ticket page
        await layer.group_add(ticket_group(ticket_id), console)
        await visitor.send(type="typing", on=True)
        heard = await layer.receive(console)
        await layer.group_send(
            ticket_group(ticket_id),
            {
                "type": "live.event",
                "payload": {  # the console's presence roster of the ticket
                    "event": "presence",
                    "ticket_id": ticket_id,
                    "agents": [{"id": 7, "name": "Minji", "typing": True}],
                },
            },
        )
        shown = await visitor.receive_type("typing")
        await visitor.close()
        return heard["payload"], shown

    heard, shown = async_to_sync(scenario)()
    assert heard["event"] == "typing" and heard["on"] is True
    assert shown == {"type": "typing", "on": True, "author": "Minji"}
