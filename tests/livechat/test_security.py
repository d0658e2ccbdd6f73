"""The chat's defences: sockets only from our own pages, tokens that expire, rate limits
per visitor and per IP address, size limits, files checked, and every protocol error."""

from __future__ import annotations

import time
from typing import Any

from asgiref.sync import async_to_sync
from asgiref.testing import ApplicationCommunicator
from django.core import signing

from sangdam.connectors.livechat.config import TOKEN_MAX_AGE, TOKEN_SALT, visitor_token
from sangdam.connectors.models import Channel
from sangdam.tickets.models import Message
from tests import factories
from tests.livechat.conftest import Visitor
from tests.livechat.test_files import send_file


def test_a_socket_opened_from_a_foreign_page_is_refused(chat_channel: Channel) -> None:
    from config.asgi import application

    async def scenario(origin: bytes) -> str:
        scope = {
            "type": "websocket",
            "path": f"/ws/chat/{chat_channel.key}/",
            "query_string": b"",
            "headers": [(b"host", b"127.0.0.1"), (b"origin", origin)],
        }
        socket = ApplicationCommunicator(application, scope)
        await socket.send_input({"type": "websocket.connect"})
        answer: dict[str, Any] = await socket.receive_output(5)
        await socket.wait(1) if answer["type"] == "websocket.close" else None
        return str(answer["type"])

    assert async_to_sync(scenario)(b"https://evil.example") == "websocket.close"
    assert async_to_sync(scenario)(b"http://127.0.0.1") == "websocket.accept"


def test_an_expired_visitor_token_is_refused(chat_channel: Channel) -> None:
    class LongAgo(signing.TimestampSigner):
        def timestamp(self) -> str:
            return signing.b62_encode(int(time.time()) - TOKEN_MAX_AGE - 60)

    old = LongAgo(salt=TOKEN_SALT).sign_object({"c": chat_channel.pk, "v": "back-after-a-year"})

    async def scenario() -> tuple[str, dict[str, Any]]:
        visitor = Visitor(chat_channel, token=old)
        await visitor.socket.connect()
        await visitor.send(type="hello", token=old)
        error = await visitor.receive()
        closed = await visitor.socket.receive_output(5)
        return error["code"], closed

    code, closed = async_to_sync(scenario)()
    assert code == "bad_token"
    assert closed == {"type": "websocket.close", "code": 4403}


def test_many_visitors_from_one_address_are_limited(chat_channel: Channel, settings: Any) -> None:
    settings.LIVECHAT_RATE_PER_IP = 2

    async def scenario() -> dict[str, Any]:
        first, second = Visitor(chat_channel), Visitor(chat_channel)
        await first.connect()
        await second.connect()
        await first.say("one", "client-id-0001")
        await second.say("two", "client-id-0002")
        await second.send(type="message", client_id="client-id-0003", text="three")
        error = await second.receive_type("error")
        await first.close()
        await second.close()
        return error

    error = async_to_sync(scenario)()
    assert error["code"] == "rate_limited"
    assert Message.objects.filter(channel=chat_channel).count() == 2


def test_a_file_over_the_size_limit_is_refused(chat_channel: Channel, settings: Any) -> None:
    settings.ATTACHMENT_MAX_BYTES = 50
    answer = send_file(chat_channel, visitor_token(chat_channel, "visitor-1"), factories.PNG)
    assert answer.status_code == 400
    assert not Message.objects.exists()


def test_customer_html_is_kept_as_text(chat_channel: Channel) -> None:
    async def scenario() -> dict[str, Any]:
        visitor = Visitor(chat_channel)
        await visitor.connect()
        ack = await visitor.say(
            '<img src=x onerror="alert(1)"> https://a.example', "client-id-0001"
        )
        await visitor.close()
        return dict(ack["message"])

    message = async_to_sync(scenario)()
    # Text only (the page shows it with textContent and makes links by hand): no HTML field.
    assert message["text"] == '<img src=x onerror="alert(1)"> https://a.example'
    assert "html" not in message
    assert Message.objects.get().html == ""


def test_every_other_protocol_error_is_answered(chat_channel: Channel) -> None:
    other = visitor_token(chat_channel, "someone-else")

    async def scenario() -> list[str]:
        visitor = Visitor(chat_channel)
        await visitor.socket.connect()
        await visitor.socket.send_input({"type": "websocket.receive", "text": "[1, 2]"})
        codes = [(await visitor.receive())["code"]]
        await visitor.send(type="hello")
        await visitor.receive_type("welcome")
        for frame in (
            {"type": "hello", "token": other},  # another visitor on the same socket
            {"type": "rating", "score": 9},
            {"type": "rating", "score": 5},  # nothing to rate yet
            {"type": "transcript", "email": "not an address"},
            {"type": "end"},  # nothing to end yet
            {"type": "message", "client_id": "client-id-0001", "text": "hi", "offline": True},
        ):
            await visitor.send(**frame)
            codes.append((await visitor.receive_type("error"))["code"])
        await visitor.close()
        return codes

    assert async_to_sync(scenario)() == [
        "bad_frame",
        "bad_hello",
        "bad_score",
        "no_chat",
        "email_needed",
        "no_chat",
        "email_needed",
    ]
