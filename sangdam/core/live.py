"""Live push to connected browsers through the channel layer, after commit.

Actions call :func:`publish_on_commit`; nothing is pushed for a transaction that rolls
back. Publishing never raises: a browser that misses a push sees the change on its next
refresh, while a failed push must not undo a committed inquiry.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from asgiref.sync import async_to_sync
from channels.layers import get_channel_layer
from django.db import transaction

log = logging.getLogger(__name__)

INBOX_GROUP = "inbox"

# Set by the embedded server: the event loop that owns the in-memory channel layer.
# Threads outside that loop (the embedded worker) hand their sends to it.
MAIN_LOOP: asyncio.AbstractEventLoop | None = None


def ticket_group(ticket_id: int) -> str:
    return f"ticket-{ticket_id}"


def user_group(user_id: int) -> str:
    """One agent's open console pages (notifications, the screen pop of a call for them)."""
    return f"user-{user_id}"


def publish(groups: list[str], payload: dict[str, Any]) -> None:
    layer = get_channel_layer()
    if layer is None:
        return
    message = {"type": "live.event", "payload": payload}

    async def send_all() -> None:
        many = getattr(layer, "group_send_many", None)
        if many is not None:  # Redis: all the groups in two round trips (core/redis_layer.py)
            await many(groups, message)
            return
        for group in groups:
            await layer.group_send(group, message)

    try:
        loop = MAIN_LOOP
        now = getattr(layer, "group_send_many_now", None)
        if now is not None and not _in_any_loop():
            # Redis from a thread (a request's, the SMTP receiver's, a worker's): its own
            # blocking round trips, no hand-off to an event loop (core/redis_layer.py).
            now(groups, message)
        elif loop is not None and loop.is_running() and not _in_loop(loop):
            # Hand the sends to the loop that owns the layer (the embedded server's for the
            # in-memory one) and do not wait: a push is best effort, and the request should
            # not queue for it.
            nowait = getattr(layer, "group_send_many_nowait", None)
            if nowait is not None:
                # The in-memory layer's sends need no awaiting: a callback on its loop
                # costs a tenth of a coroutine run there (task, future, chaining).
                loop.call_soon_threadsafe(_send_logged, nowait, groups, message)
            else:
                future = asyncio.run_coroutine_threadsafe(send_all(), loop)
                future.add_done_callback(_log_failure)
        else:
            # One event loop for all groups: async_to_sync costs ~0.5 ms a call.
            async_to_sync(send_all)()
    except Exception:
        log.warning("live push failed for %s", groups, exc_info=True)


def _send_logged(send: Any, groups: list[str], message: dict[str, Any]) -> None:
    try:
        send(groups, message)
    except Exception:
        log.warning("live push failed for %s", groups, exc_info=True)


def _log_failure(future: Any) -> None:
    if not future.cancelled() and future.exception() is not None:
        log.warning("live push failed", exc_info=future.exception())


def publish_on_commit(groups: list[str], payload: dict[str, Any]) -> None:
    transaction.on_commit(lambda: publish(groups, payload))


def _in_any_loop() -> bool:
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return False
    return True


def _in_loop(loop: asyncio.AbstractEventLoop) -> bool:
    try:
        return asyncio.get_running_loop() is loop
    except RuntimeError:
        return False
