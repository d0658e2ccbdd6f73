"""The Redis channel layer, with one message sent to several groups in two round trips.

Every live push goes to two groups at least (the inbox and the ticket's page).
channels_redis's ``group_send`` costs two round trips per group to read its members, and
two more per group that has any; on a loaded process each round trip is far dearer than
its Redis time (the thread gives up the interpreter lock and waits to get it back): in the
embedded server, the Redis layer alone added ~1.7 ms of CPU to each form inquiry.
``group_send_many`` reads every group's members in one pipeline and delivers to all their
channels with one script, keeping channels_redis's message format, capacity and expiry.
A channel in several of the groups gets the message once.

``group_send_many_now`` does the same from a thread with redis-py's blocking client: a
request's or a mail's push costs a blocking round trip or two on its own thread, instead of a
hand-off to an event loop thread and asyncio's futures there (a tenth of the SMTP
receiver's CPU per mail went to that hand-off and the asyncio client).
"""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from typing import Any

import redis
from channels_redis.core import RedisChannelLayer as UpstreamLayer

# A stuck Redis must not hold a request for long: a push is best effort.
_BLOCKING_TIMEOUT = 2.0

# KEYS: channel keys. ARGV: a message per key, a capacity per key, now, expiry, and the
# score before which a key's old messages are dropped (upstream does that in a pipeline).
_SEND = """
local n = #KEYS
local now, expiry, stale = ARGV[2 * n + 1], ARGV[2 * n + 2], ARGV[2 * n + 3]
local over_capacity = 0
for i = 1, n do
    redis.call('ZREMRANGEBYSCORE', KEYS[i], 0, stale)
    if redis.call('ZCOUNT', KEYS[i], '-inf', '+inf') < tonumber(ARGV[n + i]) then
        redis.call('ZADD', KEYS[i], now, ARGV[i])
        redis.call('EXPIRE', KEYS[i], expiry)
    else
        over_capacity = over_capacity + 1
    end
end
return over_capacity
"""


class RedisChannelLayer(UpstreamLayer):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._blocking: dict[int, redis.Redis] = {}
        self._blocking_lock = threading.Lock()

    async def group_send_many(self, groups: Sequence[str], message: dict[str, Any]) -> None:
        """``group_send`` to each of ``groups``: two round trips per Redis host in all."""
        members: dict[str, None] = {}  # ordered, each channel once
        now = int(time.time())
        for index, host_groups in self._groups_by_host(groups).items():
            pipe = self.connection(index).pipeline(transaction=False)
            self._read_members(pipe, host_groups, now)
            self._add_members(members, await pipe.execute())
        for index, keys, args in self._deliveries(members, message):
            await self.connection(index).eval(_SEND, len(keys), *keys, *args)

    def group_send_many_now(self, groups: Sequence[str], message: dict[str, Any]) -> None:
        """``group_send_many`` from a thread outside any event loop, blocking it."""
        members: dict[str, None] = {}
        now = int(time.time())
        for index, host_groups in self._groups_by_host(groups).items():
            pipe = self._blocking_client(index).pipeline(transaction=False)
            self._read_members(pipe, host_groups, now)
            self._add_members(members, pipe.execute())
        for index, keys, args in self._deliveries(members, message):
            self._blocking_client(index).eval(_SEND, len(keys), *keys, *args)

    def _groups_by_host(self, groups: Sequence[str]) -> dict[int, list[str]]:
        by_host: dict[int, list[str]] = {}
        for group in groups:
            assert self.require_valid_group_name(group), "Group name not valid"
            by_host.setdefault(self.consistent_hash(group), []).append(group)
        return by_host

    def _read_members(self, pipe: Any, groups: list[str], now: int) -> None:
        for group in groups:
            key = self._group_key(group)
            pipe.zremrangebyscore(key, min=0, max=now - self.group_expiry)
            pipe.zrange(key, 0, -1)

    @staticmethod
    def _add_members(members: dict[str, None], replies: list[Any]) -> None:
        for names in replies[1::2]:
            members.update((name.decode("utf8"), None) for name in names)

    def _deliveries(
        self, members: dict[str, None], message: dict[str, Any]
    ) -> list[tuple[int, list[str], list[Any]]]:
        """Per Redis host: the channel keys and the script's arguments for them."""
        if not members:
            return []
        keys_by_host, message_of, capacity_of = self._map_channel_keys_to_connection(
            list(members), message
        )
        out = []
        for index, keys in keys_by_host.items():
            args = [message_of[key] for key in keys] + [capacity_of[key] for key in keys]
            args += [time.time(), self.expiry, int(time.time()) - int(self.expiry)]
            out.append((index, keys, args))
        return out

    def _blocking_client(self, index: int) -> redis.Redis:
        client = self._blocking.get(index)
        if client is None:
            with self._blocking_lock:
                client = self._blocking.get(index)
                if client is None:
                    client = self._blocking[index] = redis.Redis(
                        connection_pool=_blocking_pool(self.hosts[index])
                    )
        return client


def _blocking_pool(host: dict[str, Any]) -> redis.ConnectionPool:
    """redis-py's blocking twin of channels_redis's ``create_pool`` for one host entry."""
    host = {
        "socket_timeout": _BLOCKING_TIMEOUT,
        "socket_connect_timeout": _BLOCKING_TIMEOUT,
        **host,
    }
    if "address" in host:
        return redis.ConnectionPool.from_url(host.pop("address"), **host)
    master_name = host.pop("master_name", None)
    if master_name is not None:
        from redis.sentinel import Sentinel, SentinelConnectionPool

        sentinel = Sentinel(
            host.pop("sentinels"), sentinel_kwargs=host.pop("sentinel_kwargs", None)
        )
        return SentinelConnectionPool(master_name, sentinel, **host)
    return redis.ConnectionPool(**host)
