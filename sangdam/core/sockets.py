"""The base of our websocket consumers: a frame or a push costs no hop to another thread.

Channels (since 4.2) runs Django's ``close_old_connections`` through ``sync_to_async``
before every handler call of every consumer: for each frame a socket sends and each push
it hears, a round trip to the one thread that runs the sockets' database work, queued
behind the other sockets' database calls. With a chat message heard by the visitor's tab
(the echo, the ticket's push) and the agents' inboxes, that was five hops per message and
a fifth of the event loop's time (py-spy, bench/livechat.py). Our consumers reach the
database only through ``database_sync_to_async``, which closes old connections before
and after each call itself, so the extra hop bought them nothing.
"""

from __future__ import annotations

from typing import Any

from channels.consumer import get_handler_name
from channels.generic.websocket import AsyncJsonWebsocketConsumer


class JsonSocket(AsyncJsonWebsocketConsumer):
    async def dispatch(self, message: dict[str, Any]) -> None:
        handler = getattr(self, get_handler_name(message), None)
        if handler is None:
            raise ValueError(f"No handler for message type {message['type']}")
        await handler(message)
