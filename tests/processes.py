"""Run code in several real processes at the same moment, against the test database.

Threads in one process would share one connection and prove nothing about a scaled
deployment, so concurrency tests spawn processes. The child functions live here, and
this module imports nothing from Django at import time: a child may import it
before Django is set up.
"""

from __future__ import annotations

import multiprocessing
import os
import queue
import time
from collections.abc import Callable
from typing import Any


def at_once(target: Callable[..., Any], calls: list[tuple[Any, ...]]) -> list[Any]:
    """Run ``target(*args)`` in one process per call, all released together; their results."""
    from django.db import connection

    db_name = connection.settings_dict["NAME"]
    assert ":memory:" not in str(db_name) and "mode=memory" not in str(db_name), (
        "child processes need a database file they can open"
    )
    context = _fork_server()
    barrier = context.Barrier(len(calls))
    results = context.Queue()
    processes = [
        context.Process(target=_child, args=(db_name, target, args, barrier, results))
        for args in calls
    ]
    for process in processes:
        process.start()
    outcomes = [_next_result(results, processes) for _ in processes]
    for process in processes:
        process.join(30)
        assert process.exitcode == 0
    errors = [o for o in outcomes if isinstance(o, BaseException)]
    assert not errors, errors
    return outcomes


def _fork_server() -> Any:
    """Children forked from a server that has imported Django and the intake already.

    A spawned child spent ~5 s of CPU importing them, and a test of four rounds of three
    children a minute. The fork server is a fresh interpreter of its own that opens no
    database connection, so each child is still a clean process with its own connection,
    not a copy of the test process and its connection.
    """
    context = multiprocessing.get_context("forkserver")
    context.set_forkserver_preload(["tests.process_preload"])
    return context


def _next_result(results: Any, processes: list[Any], timeout: float = 120) -> Any:
    """The next child's result; fail at once if every child died without answering."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            return results.get(timeout=0.2)
        except queue.Empty:
            if not any(process.is_alive() for process in processes) and results.empty():
                codes = [process.exitcode for process in processes]
                raise AssertionError(f"child processes ended without a result: {codes}") from None
    raise AssertionError(f"no result from the child processes within {timeout} s")


def _child(
    db_name: str, target: Callable[..., Any], args: tuple[Any, ...], barrier: Any, results: Any
) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")
    import django
    from django.conf import settings

    django.setup()
    # The child read the settings afresh, whose NAME is the non-test database.
    settings.DATABASES["default"]["NAME"] = db_name
    from django.db import connection

    connection.ensure_connection()
    barrier.wait(timeout=60)
    try:
        results.put(target(*args))
    except Exception as exc:
        results.put(RuntimeError(repr(exc)))
    finally:
        connection.close()


def deliver(channel_id: int, external_id: str, email: str) -> tuple[int, int, bool]:
    """The intake, as a connector in another process calls it: (ticket, message, duplicate)."""
    from sangdam.connectors.base import InboundMessage, SenderIdentity
    from sangdam.connectors.intake import receive

    result = receive(
        InboundMessage(
            channel_id=channel_id,
            external_id=external_id,
            identities=(SenderIdentity("email", email),),
            text="동시에 두 번 보낸 문의입니다.",
            subject="Same moment",
            language="ko",  # skip loading the language models in every child
        )
    )
    return result.ticket.pk, result.message.pk, result.duplicate


def deliver_in_conversation(channel_id: int, external_id: str, email: str, thread_key: str) -> int:
    """One message of a conversation (a chat line, a mail of a thread); its ticket."""
    from sangdam.connectors.base import InboundMessage, SenderIdentity
    from sangdam.connectors.intake import receive

    result = receive(
        InboundMessage(
            channel_id=channel_id,
            external_id=external_id,
            identities=(SenderIdentity("email", email),),
            text="같은 대화의 메시지입니다.",
            thread_key=thread_key,
            language="ko",
        )
    )
    return result.ticket.pk


def take_lease(holder: str) -> bool:
    from sangdam.core.scheduler import acquire_lease

    return acquire_lease(holder)
