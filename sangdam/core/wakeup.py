"""Waking idle task workers when an urgent task commits (an agent's answer on its way).

An idle worker looks for tasks every ``TASK_POLL_SECONDS`` (0.1 s): a live chat answer
waited half of that on average, plus the worker's turn. Bookkeeping tasks can wait (they
then run together, core/taskloop.py ``run_together``); a reply should not.

- The worker of the same process (embedded, ``sangdam run``) waits on a thread event.
- Workers of other processes (scaled, ``REDIS_URL``) are told through Redis: the
  committing process publishes on one channel, each idle worker is subscribed to it.
  The subscription lasts as long as the worker, so a commit while the worker is busy is
  heard at its next wait, never lost. Without Redis, or when it fails, the worker falls
  back to its poll interval: a missed wake-up costs at most one interval.
"""

from __future__ import annotations

import logging
import threading
from contextlib import suppress
from typing import Any

from django.conf import settings

log = logging.getLogger(__name__)

CHANNEL = "sangdam:tasks:urgent"
# A task of this priority or above wakes idle workers when it commits: an agent's answer
# (connectors/delivery.py). Not the acknowledgement each inquiry queues: woken for every
# inquiry, the worker would run the bookkeeping one inquiry at a time instead of together.
URGENT_PRIORITY = 20
# An urgent task that waits on nothing but this database (a live chat answer: a push to
# the visitor's socket). In the embedded process, when its worker is busy, the process
# that commits it runs it right away instead of waiting for that worker (core/taskloop.py
# ``run_committed``).
RUN_HERE_PRIORITY = 30
_local = threading.Event()
_publishers: dict[str, Any] = {}  # URL -> redis.Redis


def urgent_committed() -> None:
    """Call when an urgent task's row has committed."""
    _local.set()
    if settings.REDIS_URL:
        publish(settings.REDIS_URL)


def publish(url: str) -> None:
    import redis  # only where Redis is configured: a command need not load it

    try:
        client = _publishers.get(url)
        if client is None:
            client = _publishers[url] = redis.Redis.from_url(url)
        client.publish(CHANNEL, b"1")
    except redis.RedisError:
        log.warning("could not wake the workers through Redis", exc_info=True)


class Waiter:
    """One worker's idle wait: until a wake-up or ``timeout`` seconds."""

    def __init__(self) -> None:
        self._pubsub: Any = None

    def wait(self, timeout: float) -> None:
        url = settings.REDIS_URL
        if url:
            import redis

            try:
                self._wait_redis(url, timeout)
                return
            except redis.RedisError:
                log.warning("waiting on Redis failed; polling", exc_info=True)
                self.close()
        # Cleared before the worker's next claim: a task committed before the clear is
        # found by that claim, one committed after it sets the event again.
        _local.wait(timeout)
        _local.clear()

    def _wait_redis(self, url: str, timeout: float) -> None:
        import redis

        if self._pubsub is None:
            self._pubsub = redis.Redis.from_url(url).pubsub(ignore_subscribe_messages=True)
            self._pubsub.subscribe(CHANNEL)
        if self._pubsub.get_message(timeout=timeout) is not None:
            while self._pubsub.get_message(timeout=0) is not None:
                pass  # one claim answers every wake-up that piled up
        _local.clear()

    def close(self) -> None:
        if self._pubsub is not None:
            import redis

            with suppress(redis.RedisError):
                self._pubsub.close()
            self._pubsub = None
