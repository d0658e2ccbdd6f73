"""Polling a real Dovecot: tickets from unseen mail, flags and folders set after the commit."""

from __future__ import annotations

import datetime as dt
import io
from collections.abc import Callable

import pytest
from django.core.management import call_command
from django.utils import timezone

from sangdam.connectors.email.imap import poll_mailbox
from sangdam.connectors.email.models import ImapReceipt, Mailbox
from sangdam.connectors.email.tasks import poll_mailboxes
from sangdam.core.scheduler import JOBS, enqueue_due_jobs
from sangdam.tickets.models import Message, Ticket
from tests.delivery.smtp_server import free_port
from tests.email.transport.conftest import append, flags_by_message_id, imap_client
from tests.email.transport.mails import customer_mail

MakeMailbox = Callable[..., Mailbox]


def test_unseen_mail_becomes_tickets_and_is_flagged_seen(
    make_mailbox: MakeMailbox, imap_folder: str
):
    mailbox = make_mailbox()
    append(
        imap_folder,
        customer_mail(message_id="<one@mail.example>"),
        customer_mail(
            sender="John Park <john@example.com>",
            subject="Cannot log in",
            text="The app says my password is wrong.",
            message_id="<two@mail.example>",
        ),
    )

    result = poll_mailbox(mailbox)

    assert result.error == ""
    assert len(result.outcomes) == 2
    assert Ticket.objects.count() == 2
    flags = flags_by_message_id(imap_folder)
    assert flags == {"<one@mail.example>": {"\\Seen"}, "<two@mail.example>": {"\\Seen"}}
    mailbox.refresh_from_db()
    assert mailbox.last_error == ""
    assert mailbox.last_polled_at is not None
    assert mailbox.uidvalidity is not None
    assert ImapReceipt.objects.filter(mailbox=mailbox).count() == 2


def test_mail_already_read_in_the_mailbox_is_left_alone(
    make_mailbox: MakeMailbox, imap_folder: str
):
    mailbox = make_mailbox()
    with imap_client() as client:
        client.append(
            customer_mail(message_id="<read@mail.example>"), imap_folder, flag_set=("\\Seen",)
        )

    result = poll_mailbox(mailbox)

    assert result.outcomes == []
    assert Ticket.objects.count() == 0


def test_polling_again_takes_nothing_twice(make_mailbox: MakeMailbox, imap_folder: str):
    mailbox = make_mailbox()
    append(imap_folder, customer_mail())
    poll_mailbox(mailbox)
    append(imap_folder, customer_mail(text="추가로 영수증도 보내 주세요."))

    second = poll_mailbox(mailbox)

    assert len(second.outcomes) == 1
    assert Message.objects.count() == 2


def test_processed_mail_is_moved_to_the_processed_folder(
    make_mailbox: MakeMailbox, imap_folder: str
):
    done = f"{imap_folder}-done"
    mailbox = make_mailbox(processed_folder=done)
    append(imap_folder, customer_mail(message_id="<moved@mail.example>"))

    poll_mailbox(mailbox)

    assert Ticket.objects.count() == 1
    assert flags_by_message_id(imap_folder) == {}
    assert list(flags_by_message_id(done)) == ["<moved@mail.example>"]


def test_a_mailbox_that_cannot_log_in_shows_its_error_and_the_others_keep_going(
    make_mailbox: MakeMailbox, imap_folder: str, run_tasks: Callable[[], None]
):
    broken = make_mailbox(secrets={"password": "not-the-password"})
    working = make_mailbox()
    append(imap_folder, customer_mail())

    poll_mailboxes.enqueue()
    run_tasks()

    broken.refresh_from_db()
    working.refresh_from_db()
    assert "MailboxLoginError" in broken.last_error
    assert broken.last_polled_at is not None
    assert working.last_error == ""
    assert Ticket.objects.count() == 1


def test_an_unreachable_server_is_reported_on_the_mailbox(make_mailbox: MakeMailbox):
    mailbox = make_mailbox(port=free_port())

    result = poll_mailbox(mailbox)

    mailbox.refresh_from_db()
    assert "ConnectionRefusedError" in result.error
    assert mailbox.last_error == result.error


def test_a_disabled_mailbox_is_not_polled(
    make_mailbox: MakeMailbox, imap_folder: str, run_tasks: Callable[[], None]
):
    mailbox = make_mailbox(enabled=False)
    append(imap_folder, customer_mail())

    poll_mailboxes.enqueue()
    run_tasks()

    mailbox.refresh_from_db()
    assert mailbox.last_polled_at is None
    assert Ticket.objects.count() == 0


@pytest.fixture(autouse=True)
def _db(db: None) -> None:
    """Every test here stores tickets."""


def test_the_scheduler_polls_the_mailboxes_every_minute(
    make_mailbox: MakeMailbox, imap_folder: str, run_tasks: Callable[[], None]
):
    mailbox = make_mailbox()
    append(imap_folder, customer_mail())
    job = next(job for job in JOBS if job.name == "poll_mailboxes")
    start = timezone.now()
    enqueue_due_jobs(start, [job])

    enqueued = enqueue_due_jobs(start + dt.timedelta(minutes=1), [job])
    run_tasks()

    assert enqueued == ["poll_mailboxes"]
    mailbox.refresh_from_db()
    assert mailbox.last_polled_at is not None
    assert Ticket.objects.count() == 1


def test_a_poll_task_that_ran_late_skips_a_mailbox_polled_moments_ago(
    make_mailbox: MakeMailbox, imap_folder: str, run_tasks: Callable[[], None]
):
    # Tasks pile up while no worker runs; when one comes back, one poll is enough.
    just_now = timezone.now() - dt.timedelta(seconds=5)
    mailbox = make_mailbox(last_polled_at=just_now)
    append(imap_folder, customer_mail())

    poll_mailboxes.enqueue()
    run_tasks()

    mailbox.refresh_from_db()
    assert mailbox.last_polled_at == just_now
    assert Ticket.objects.count() == 0


def test_poll_imap_polls_now_and_says_what_came_in(make_mailbox: MakeMailbox, imap_folder: str):
    mailbox = make_mailbox()
    append(imap_folder, customer_mail())
    out = io.StringIO()

    call_command("poll_imap", stdout=out)

    assert f"{mailbox.pk} {mailbox}: 1 new, 0 only flagged" in out.getvalue()
    assert Ticket.objects.count() == 1


def test_mail_over_the_sender_limit_is_held_for_an_agent_not_dropped(
    make_mailbox: MakeMailbox, imap_folder: str, settings
):
    from django.core.cache import cache

    from sangdam.connectors.email.models import HeldMail

    cache.clear()
    settings.EMAIL_SENDER_RATE_LIMIT = 1
    mailbox = make_mailbox()
    append(
        imap_folder,
        customer_mail(message_id="<first@mail.example>"),
        customer_mail(message_id="<second@mail.example>"),
    )

    result = poll_mailbox(mailbox)

    assert result.error == ""
    assert Ticket.objects.count() == 1
    held = HeldMail.objects.get()
    assert (held.reason, held.message_id) == ("rate_limited", "<second@mail.example>")
    # Both are acknowledged: one is a ticket, the other waits in held mail.
    assert flags_by_message_id(imap_folder) == {
        "<first@mail.example>": {"\\Seen"},
        "<second@mail.example>": {"\\Seen"},
    }
