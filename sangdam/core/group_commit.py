"""Writes that queue for the database while one runs, taken in one transaction (SQLite).

The chat sockets of a process share one database thread, and every visitor message is a
transaction of its own on it. On SQLite a transaction first waits for the process's writer
turn (core/sqlite/base.py), which the task worker and the agents' requests take too. With
a thousand chat widgets on one process that turn was busy nearly all the time: each
message waited for it (2.1 ms on average) and then held it (2.4 ms, half of that waiting
for the interpreter lock between statements), so the one thread fell behind and visitors'
messages queued for seconds before an agent saw them (bench/livechat.py).

``GroupCommit.call`` hands a function to the sockets' database thread; the calls that
arrive while one batch runs wait and then run as the next batch, in one transaction (one
writer turn, one commit), each inside a savepoint of its own: one that raises is undone
alone and its caller gets the exception, the others commit. Every caller hears back after
the commit (a chat message is acknowledged only once it is stored). If the transaction
fails as a whole (at commit), each call runs again alone, as it would have without this
(what a call did outside the database, such as counting a rate limit, is then done twice).
The task listeners hear a batch's events as one transaction's (tickets/dispatch.py): every
batch listener (SLA clocks, triggers, notifications, live pushes) takes them ticket by ticket.
At 1,000 widgets (bench/livechat.py, SQLite, one process) a visitor's message reached the
agent after 3.7-4.4 s at the median and 5.5-7.9 s at p99 before, 28-33 ms and 114-156 ms
with this, for about 5 % less CPU per message; at 300 widgets a batch is mostly one call and
nothing changes. Sixteen calls at most in one transaction: the agents' requests wait for
the writer turn too, and more did not make the batches cheaper.

Only SQLite batches: there a savepoint is a statement in the process, while on PostgreSQL
it is a round trip each way (more than the transaction it saves), and a batch would hold
the intake's per-conversation locks of several conversations at once. Elsewhere each call
is its own hop to the thread, as before (a batch of hops would hold the first call's
answer until the last is done).
"""

from __future__ import annotations

import asyncio
import logging
import weakref
from collections.abc import Callable
from typing import Any

from channels.db import database_sync_to_async
from django.db import connection, connections, transaction

log = logging.getLogger(__name__)

_Outcome = tuple[bool, Any]  # (True, result) or (False, the exception)
_Waiting = list[tuple[Callable[[], Any], "asyncio.Future[Any]"]]


class GroupCommit:
    def __init__(self, limit: int = 16) -> None:
        self.limit = limit
        self._waiting: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, _Waiting] = (
            weakref.WeakKeyDictionary()
        )
        self._drains: set[asyncio.Task[None]] = set()

    async def call(self, func: Callable[[], Any]) -> Any:
        """``func()`` on the sockets' database thread, with the calls waiting beside it."""
        if connections["default"].vendor != "sqlite":
            return await database_sync_to_async(func)()
        loop = asyncio.get_running_loop()
        future: asyncio.Future[Any] = loop.create_future()
        waiting = self._waiting.get(loop)
        if waiting is None:  # nothing is being drained on this loop: start
            waiting = self._waiting[loop] = []
            drain = loop.create_task(self._drain(loop, waiting))
            self._drains.add(drain)  # a task nobody refers to may be collected mid-way
            drain.add_done_callback(self._drains.discard)
        waiting.append((func, future))
        return await future

    async def _drain(self, loop: asyncio.AbstractEventLoop, waiting: _Waiting) -> None:
        batch: _Waiting = []
        try:
            while waiting:
                batch = waiting[: self.limit]
                del waiting[: self.limit]
                outcomes = await database_sync_to_async(run_together)([f for f, _ in batch])
                for (_func, future), (ok, value) in zip(batch, outcomes, strict=True):
                    if not future.done():  # its caller may have been cancelled
                        if ok:
                            future.set_result(value)
                        else:
                            future.set_exception(value)
                batch = []
        except BaseException as exc:  # the hop to the thread itself failed (or was cancelled)
            for _func, future in batch + waiting:
                if not future.done():
                    future.set_exception(exc)
            if not isinstance(exc, Exception):
                raise  # cancelled: the callers have heard; an error is theirs, not the loop's
        finally:
            del self._waiting[loop]  # the next call starts a new drain


def run_together(funcs: list[Callable[[], Any]]) -> list[_Outcome]:
    """Each call's outcome; in one transaction when there are several."""
    if len(funcs) == 1 or connection.in_atomic_block:
        return [_alone(func) for func in funcs]
    try:
        with transaction.atomic():
            return [_in_savepoint(func) for func in funcs]
    except Exception:
        log.warning("%d writes failed together; each runs alone", len(funcs), exc_info=True)
        return [_alone(func) for func in funcs]


def _alone(func: Callable[[], Any]) -> _Outcome:
    try:
        return True, func()
    except Exception as exc:
        return False, exc


def _in_savepoint(func: Callable[[], Any]) -> _Outcome:
    try:
        with transaction.atomic():
            return True, func()
    except Exception as exc:
        return False, exc
