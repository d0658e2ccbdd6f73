"""IMAP IDLE: a watched mailbox's new mail becomes a ticket within seconds, not the minute."""

from __future__ import annotations

import threading
import time
from collections.abc import Callable

import pytest

from sangdam.connectors.email.idle import watch_mailbox
from sangdam.connectors.email.models import Mailbox
from sangdam.tickets.models import Ticket
from tests.email.transport.conftest import append
from tests.email.transport.mails import customer_mail

pytestmark = pytest.mark.django_db(transaction=True)


def _wait_for(condition: Callable[[], bool], seconds: float = 15) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.1)
    return False


def test_mail_arriving_in_a_watched_mailbox_becomes_a_ticket_at_once(
    make_mailbox: Callable[..., Mailbox], imap_folder: str
):
    mailbox = make_mailbox()
    stop = threading.Event()
    # Rounds of 30 s: the ticket can only come that fast from the server's IDLE push.
    watcher = threading.Thread(
        target=watch_mailbox, args=(mailbox.pk, stop), kwargs={"round_seconds": 30}
    )
    watcher.start()
    try:
        assert _wait_for(lambda: Mailbox.objects.get(pk=mailbox.pk).last_polled_at is not None)
        time.sleep(0.5)  # the watcher is now in IDLE
        append(imap_folder, customer_mail())

        assert _wait_for(lambda: Ticket.objects.exists(), seconds=10)
    finally:
        stop.set()
        append(imap_folder, customer_mail(text="wake the watcher so it sees the stop"))
        watcher.join(40)
    assert not watcher.is_alive()


def test_a_watch_ends_when_the_mailbox_is_disabled(
    make_mailbox: Callable[..., Mailbox], imap_folder: str
):
    mailbox = make_mailbox(enabled=False)
    watcher = threading.Thread(target=watch_mailbox, args=(mailbox.pk, threading.Event()))
    watcher.start()
    watcher.join(10)

    assert not watcher.is_alive()
