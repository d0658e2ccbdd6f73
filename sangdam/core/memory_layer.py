"""The embedded server's in-memory channel layer, with its expiry sweep made cheap.

Channels' ``InMemoryChannelLayer`` sweeps every channel's queue and every group membership
for expired entries on each ``receive`` and each ``group_send``: work in proportion to the
sockets connected, for every message any socket gets. With a thousand chat widgets open
that sweep was most of the event loop's time (bench/profile_livechat.py: 1.2 ms a call at
200 sockets under the profiler, several calls per chat message). Here the same sweep runs
at most once a second, which keeps its meaning (messages expire after ``expiry`` seconds,
memberships after ``group_expiry``) at a second's precision.

``group_send_many`` sends one message to several groups, a channel in more than one of
them getting it once, as the Redis layer's (core/redis_layer.py) does.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Sequence
from contextlib import suppress
from copy import deepcopy
from typing import Any

from channels.exceptions import ChannelFull
from channels.layers import InMemoryChannelLayer

SWEEP_EVERY = 1.0  # seconds


class MemoryChannelLayer(InMemoryChannelLayer):
    _swept_at = 0.0

    def _clean_expired(self) -> None:
        now = time.monotonic()
        if now - self._swept_at < SWEEP_EVERY:
            return
        self._swept_at = now
        super()._clean_expired()

    def _queue(self, channel: str) -> asyncio.Queue[Any]:
        queue: asyncio.Queue[Any] | None = self.channels.get(channel)
        if queue is None:
            queue = asyncio.Queue(maxsize=self.get_capacity(channel))
            self.channels[channel] = queue
        return queue

    def _put(self, channel: str, message: dict[str, Any]) -> None:
        try:
            self._queue(channel).put_nowait((time.time() + self.expiry, deepcopy(message)))
        except asyncio.QueueFull:
            raise ChannelFull(channel) from None

    async def send(self, channel: str, message: dict[str, Any]) -> None:
        assert isinstance(message, dict), "message is not a dict"
        self.require_valid_channel_name(channel)
        assert "__asgi_channel__" not in message
        self._put(channel, message)

    async def receive(self, channel: str) -> dict[str, Any]:
        self.require_valid_channel_name(channel)
        self._clean_expired()
        queue = self._queue(channel)
        try:
            _expires, message = await queue.get()
        finally:
            if queue.empty():
                self.channels.pop(channel, None)
        return message

    async def group_send(self, group: str, message: dict[str, Any]) -> None:
        await self.group_send_many([group], message)

    async def group_send_many(self, groups: Sequence[str], message: dict[str, Any]) -> None:
        self.group_send_many_nowait(groups, message)

    def group_send_many_nowait(self, groups: Sequence[str], message: dict[str, Any]) -> None:
        """The sends, done at once: on the layer's own loop thread (``core.live.publish``
        hands it there with ``call_soon_threadsafe``, no coroutine, task or future)."""
        assert isinstance(message, dict), "message is not a dict"
        for group in groups:
            self.require_valid_group_name(group)
        self._clean_expired()
        members: dict[str, None] = {}  # ordered, each channel once
        for group in groups:
            members.update(dict.fromkeys(self.groups.get(group, ())))
        for channel in members:
            with suppress(ChannelFull):  # as upstream: a full channel misses the message
                self._put(channel, message)
