"""A poller killed between the commit and the flag loses nothing and doubles nothing.

The poller runs in a real process that ends with ``os._exit`` (no clean-up, no logout,
like a killed worker) right after message 1's intake committed, or right after its receipt
was stored; the next poll, as the next scheduled run would, finishes the job.
"""

from __future__ import annotations

import multiprocessing
from collections.abc import Callable

import pytest
from django.db import connection

from sangdam.connectors.email.imap import poll_mailbox
from sangdam.connectors.email.models import ImapReceipt, Mailbox
from sangdam.tickets.models import Message, Ticket
from tests.email.transport.children import CRASHED, poll_then_die
from tests.email.transport.conftest import append, flags_by_message_id
from tests.email.transport.mails import customer_mail

pytestmark = pytest.mark.django_db(transaction=True)

FIRST = "<first@mail.example>"
SECOND = "<second@mail.example>"


def kill_poller(mailbox: Mailbox, after: str) -> None:
    process = multiprocessing.get_context("spawn").Process(
        target=poll_then_die, args=(connection.settings_dict["NAME"], mailbox.pk, after)
    )
    process.start()
    process.join(120)
    assert process.exitcode == CRASHED


@pytest.fixture
def two_mails(imap_folder: str) -> str:
    append(
        imap_folder,
        customer_mail(message_id=FIRST),
        customer_mail(sender="John Park <john@example.com>", subject="Refund", message_id=SECOND),
    )
    return imap_folder


def test_a_poller_killed_after_the_commit_leaves_a_duplicate_that_is_detected(
    make_mailbox: Callable[..., Mailbox], two_mails: str
):
    mailbox = make_mailbox()

    kill_poller(mailbox, after="intake")

    assert Ticket.objects.count() == 1
    assert not ImapReceipt.objects.exists()
    assert flags_by_message_id(two_mails) == {FIRST: set(), SECOND: set()}

    result = poll_mailbox(mailbox)

    assert result.error == ""
    assert Ticket.objects.count() == 2
    assert Message.objects.count() == 2  # message 1 once, message 2 once
    assert flags_by_message_id(two_mails) == {FIRST: {"\\Seen"}, SECOND: {"\\Seen"}}
    assert ImapReceipt.objects.filter(mailbox=mailbox).count() == 2


def test_a_poller_killed_after_the_receipt_only_flags_that_message_next_time(
    make_mailbox: Callable[..., Mailbox], two_mails: str
):
    mailbox = make_mailbox()

    kill_poller(mailbox, after="receipt")

    assert ImapReceipt.objects.count() == 1
    assert flags_by_message_id(two_mails)[FIRST] == set()

    result = poll_mailbox(mailbox)

    assert result.acknowledged_only == 1
    assert len(result.outcomes) == 1
    assert Message.objects.count() == 2
    assert flags_by_message_id(two_mails) == {FIRST: {"\\Seen"}, SECOND: {"\\Seen"}}
