"""IMAP IDLE: poll a mailbox the moment its server says new mail arrived (RFC 2177).

``sangdam imap_idle`` keeps one connection per mailbox in IDLE and runs the ordinary
:func:`poll_mailbox` whenever the server announces a change. It only shortens the
wait: the scheduler's one-minute poll goes on regardless, and both are safe to run at
once (receipts and the intake's Message-ID dedupe keep each mail once).
"""

from __future__ import annotations

import logging
import threading

from django.db import DatabaseError, close_old_connections, connections

from sangdam.connectors.email.imap import (
    CONNECTION_ERRORS,
    connect,
    disconnect,
    poll_mailbox,
    pollable_mailboxes,
)
from sangdam.connectors.email.models import Mailbox
from sangdam.core.env import env_int

log = logging.getLogger(__name__)

# One IDLE round; the connection is then checked (mailbox still enabled, stop asked).
# RFC 2177 asks to re-issue IDLE at least every 29 minutes.
ROUND_SECONDS = env_int("IMAP_IDLE_SECONDS", 60)
# Wait before reconnecting after an error, and between checks for new mailboxes.
RETRY_SECONDS = 30


def _current(mailbox_id: int) -> Mailbox | None:
    close_old_connections()
    return (
        Mailbox.objects.select_related("channel")
        .filter(pk=mailbox_id, enabled=True, channel__enabled=True)
        .first()
    )


def watch_mailbox(
    mailbox_id: int,
    stop: threading.Event,
    *,
    round_seconds: float = 0,
    no_idle: set[int] | None = None,
) -> None:
    """Until ``stop`` is set or the mailbox is disabled: IDLE, and poll on every change.

    A server without IDLE ends the watch (its id goes into ``no_idle``): the scheduler's
    polls serve that mailbox. Runs on a thread of its own, whose database connection it
    closes as it ends (left open, it would hold a server session until the process ends).
    """
    try:
        _watch(mailbox_id, stop, round_seconds or ROUND_SECONDS, no_idle)
    finally:
        connections.close_all()


def _watch(
    mailbox_id: int, stop: threading.Event, round_seconds: float, no_idle: set[int] | None
) -> None:
    while not stop.is_set():
        try:
            mailbox = _current(mailbox_id)
            if mailbox is None:
                return
            poll_mailbox(mailbox)  # what arrived while we were not listening
            client = connect(mailbox)
        except (*CONNECTION_ERRORS, DatabaseError) as exc:
            log.warning("imap idle %s: %s", mailbox_id, exc)
            stop.wait(RETRY_SECONDS)
            continue
        try:
            if "IDLE" not in client.client.capabilities:
                log.info("imap idle %s: the server has no IDLE; the scheduler polls it", mailbox)
                if no_idle is not None:
                    no_idle.add(mailbox_id)
                return
            while not stop.is_set():
                if client.idle.wait(timeout=round_seconds):
                    mailbox = _current(mailbox_id)
                    if mailbox is None:
                        return
                    poll_mailbox(mailbox)
                elif _current(mailbox_id) is None:
                    return
        except (*CONNECTION_ERRORS, DatabaseError) as exc:
            log.warning("imap idle %s: %s; reconnecting", mailbox_id, exc)
            stop.wait(RETRY_SECONDS)
        finally:
            disconnect(client)
            close_old_connections()


def watch_all(stop: threading.Event) -> None:
    """A watcher thread per pollable mailbox; new mailboxes are picked up as they appear."""
    threads: dict[int, threading.Thread] = {}
    no_idle: set[int] = set()
    while not stop.is_set():
        try:
            close_old_connections()
            ids = [mailbox.pk for mailbox in pollable_mailboxes()]
        except DatabaseError:
            log.warning("imap idle: database unavailable", exc_info=True)
            ids = []
        for mailbox_id in ids:
            running = mailbox_id in threads and threads[mailbox_id].is_alive()
            if not running and mailbox_id not in no_idle:
                threads[mailbox_id] = threading.Thread(
                    target=watch_mailbox,
                    args=(mailbox_id, stop),
                    kwargs={"no_idle": no_idle},
                    name=f"sangdam-imap-idle-{mailbox_id}",
                    daemon=True,
                )
                threads[mailbox_id].start()
        stop.wait(RETRY_SECONDS)
    for thread in threads.values():
        thread.join(ROUND_SECONDS + 5)
