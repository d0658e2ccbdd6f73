"""Live chat fixtures: a channel, and a visitor's socket driven in process through ASGI.

``channels.testing`` imports daphne (not installed), so the socket is asgiref's
``ApplicationCommunicator`` with the few websocket calls the tests need.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from asgiref.testing import ApplicationCommunicator
from channels.routing import URLRouter

from sangdam.connectors.livechat.routing import websocket_urlpatterns
from sangdam.connectors.models import Channel
from tests import factories

APP = URLRouter(websocket_urlpatterns)


@pytest.fixture
def chat_channel(transactional_db: None) -> Channel:
    return factories.make_channel("livechat", name="Website chat")


class Socket(ApplicationCommunicator):
    def __init__(self, path: str, headers: list[tuple[bytes, bytes]] | None = None) -> None:
        scope = {"type": "websocket", "path": path, "query_string": b"", "headers": headers or []}
        super().__init__(APP, scope)

    async def connect(self) -> tuple[bool, int | None]:
        await self.send_input({"type": "websocket.connect"})
        answer = await self.receive_output(5)
        if answer["type"] == "websocket.close":
            return False, answer.get("code", 1000)
        return True, None

    async def send_json_to(self, data: Any) -> None:
        await self.send_input({"type": "websocket.receive", "text": json.dumps(data)})

    async def receive_json_from(self, timeout: float = 5) -> Any:
        answer = await self.receive_output(timeout)
        assert answer["type"] == "websocket.send", answer
        return json.loads(answer["text"])

    async def disconnect(self) -> None:
        await self.send_input({"type": "websocket.disconnect", "code": 1000})
        await self.wait(5)


class Visitor:
    """One browser tab of a visitor: connects, says hello, sends and reads frames."""

    def __init__(self, channel: Channel, token: str | None = None) -> None:
        self.channel = channel
        self.token = token
        self.socket = Socket(f"/ws/chat/{channel.key}/", [(b"user-agent", b"Playwright/1.0")])

    async def connect(self, after: int = 0, **visit: str) -> dict[str, Any]:
        connected, _code = await self.socket.connect()
        assert connected
        await self.socket.send_json_to(
            {"type": "hello", "token": self.token, "after": after, "visit": visit}
        )
        welcome = await self.receive()
        assert welcome["type"] == "welcome", welcome
        self.token = welcome["token"]
        return welcome

    async def send(self, **frame: Any) -> None:
        await self.socket.send_json_to(frame)

    async def receive(self, timeout: float = 5) -> dict[str, Any]:
        frame: dict[str, Any] = await self.socket.receive_json_from(timeout=timeout)
        return frame

    async def receive_type(self, kind: str, timeout: float = 5) -> dict[str, Any]:
        """The next frame of ``kind`` (echoes of the visitor's own message are skipped)."""
        while True:
            frame = await self.receive(timeout)
            if frame["type"] == kind:
                return frame

    async def say(self, text: str, client_id: str, **extra: Any) -> dict[str, Any]:
        await self.send(type="message", client_id=client_id, text=text, **extra)
        return await self.receive_type("ack")

    async def close(self) -> None:
        await self.socket.disconnect()


class HeldMessages:
    """Holds the visitors' messages before the database, as a long queue on the sockets'
    database thread does on a saturated process, until ``release()``."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.monkeypatch = monkeypatch
        self.released = threading.Event()
        self.started = threading.Event()  # a held message has reached the database thread

    def hold(self) -> None:
        from sangdam.connectors.livechat.consumer import ChatConsumer

        take = ChatConsumer._take

        def held(consumer: ChatConsumer, *args: Any) -> dict[str, Any]:
            self.started.set()
            self.released.wait(10)
            return take(consumer, *args)

        self.monkeypatch.setattr(ChatConsumer, "_take", held)

    def release(self) -> None:
        self.released.set()


@pytest.fixture
def held_messages(monkeypatch: pytest.MonkeyPatch) -> Iterator[HeldMessages]:
    held = HeldMessages(monkeypatch)
    yield held
    held.release()  # never leave the database thread waiting
