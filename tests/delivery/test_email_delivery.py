"""An agent's reply leaves by email through a real SMTP server, or says why it did not."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterator

import pytest
from django.utils import timezone
from django_tasks_db.models import DBTaskResult

from sangdam.connectors.delivery import deliver_message
from sangdam.connectors.models import Channel
from sangdam.tickets import actions
from sangdam.tickets.actor import Actor
from sangdam.tickets.attachments import check_attachment
from sangdam.tickets.models import DeliveryState, Message, Ticket
from tests import factories
from tests.delivery.smtp_server import MailSink, free_port, smtp_server
from tests.factories import customer_writes

pytestmark = pytest.mark.django_db

CUSTOMER_MESSAGE_ID = "<minji-1@mail.customer.example>"


@pytest.fixture
def smtp() -> Iterator[tuple[MailSink, int]]:
    with smtp_server() as server:
        yield server


@pytest.fixture
def mail_sink(smtp: tuple[MailSink, int]) -> MailSink:
    return smtp[0]


@pytest.fixture
def channel(smtp: tuple[MailSink, int]) -> Channel:
    return factories.make_channel(
        "email",
        address="help@sangdam.example",
        config={"smtp_host": "127.0.0.1", "smtp_port": smtp[1], "from_name": "Sangdam"},
    )


@pytest.fixture
def ticket(channel: Channel) -> Ticket:
    return customer_writes(
        channel,
        sender=("email", "minji@example.com"),
        sender_name="김민지",
        subject="환불 요청",
        external_id=CUSTOMER_MESSAGE_ID,
    ).ticket


def _reply(ticket: Ticket, agent, text: str = "환불을 접수했습니다.", **kw) -> Message:
    return actions.do_reply(ticket=ticket, actor=Actor.agent(agent), text=text, **kw)


def _retries(message: Message) -> list[DBTaskResult]:
    return [
        task
        for task in DBTaskResult.objects.filter(
            task_path="sangdam.connectors.delivery.deliver_message", status="READY"
        )
        if task.args_kwargs["args"] == [message.pk]
    ]


def test_the_customer_receives_the_reply_by_email(ticket, agent, mail_sink, run_tasks):
    _reply(ticket, agent)

    run_tasks()

    (mail_from, rcpt_tos, mail) = mail_sink.received[0]
    assert rcpt_tos == ["minji@example.com"]
    assert mail_from == "help@sangdam.example"
    assert "환불을 접수했습니다." in mail.get_body(("plain",)).get_content()
    assert str(mail["From"]) == "Sangdam <help@sangdam.example>"


def test_the_reply_subject_carries_the_ticket_reference(ticket, agent, mail_sink, run_tasks):
    _reply(ticket, agent)

    run_tasks()

    subject = str(mail_sink.messages[0]["Subject"])
    assert subject == f"Re: 환불 요청 [{ticket.reference}]"
    assert re.search(r"\[SD-\d{6}\]", subject)


def test_the_reply_threads_under_the_customers_email(ticket, agent, mail_sink, run_tasks):
    _reply(ticket, agent)

    run_tasks()

    mail = mail_sink.messages[0]
    assert mail["In-Reply-To"] == CUSTOMER_MESSAGE_ID
    assert CUSTOMER_MESSAGE_ID in mail["References"]


def test_a_sent_reply_is_marked_sent_with_its_message_id(ticket, agent, mail_sink, run_tasks):
    message = _reply(ticket, agent)

    run_tasks()

    message.refresh_from_db()
    assert message.delivery_state == DeliveryState.SENT
    assert message.external_id == mail_sink.messages[0]["Message-ID"]
    assert message.sent_at is not None
    assert message.delivery_attempts == 1


def test_a_customer_answer_to_our_reply_threads_onto_the_ticket(
    ticket, agent, channel, mail_sink, run_tasks
):
    message = _reply(ticket, agent)
    run_tasks()
    message.refresh_from_db()

    answer = customer_writes(
        channel, sender=("email", "minji@example.com"), in_reply_to=(message.external_id,)
    )

    assert answer.ticket.pk == ticket.pk


def test_a_busy_server_leaves_the_reply_queued_with_a_retry(ticket, agent, mail_sink, run_tasks):
    mail_sink.data_reply = "451 4.3.0 Try again later"
    message = _reply(ticket, agent)
    before = timezone.now()

    run_tasks()

    message.refresh_from_db()
    assert message.delivery_state == DeliveryState.QUEUED
    assert "451" in message.delivery_error
    assert "Try again later" in message.delivery_error
    assert message.delivery_attempts == 1
    (retry,) = _retries(message)
    assert retry.run_after >= before + dt.timedelta(seconds=29)


def test_retries_wait_longer_each_time(ticket, agent, mail_sink, run_tasks, settings):
    settings.DELIVERY_BACKOFF_SECONDS = 30
    mail_sink.rcpt_reply = "451 4.7.1 Greylisted, come back later"
    message = _reply(ticket, agent)
    run_tasks()
    first_retry = _retries(message)[0].run_after

    deliver_message.call(message.pk)  # the retry, run now instead of in 30 s

    second_retry = max(t.run_after for t in _retries(message))
    now = timezone.now()
    assert dt.timedelta(seconds=25) < first_retry - now < dt.timedelta(seconds=31)
    assert dt.timedelta(seconds=55) < second_retry - now < dt.timedelta(seconds=61)
    message.refresh_from_db()
    assert message.delivery_attempts == 2


def test_a_reply_fails_after_the_last_attempt(ticket, agent, mail_sink, run_tasks, settings):
    settings.DELIVERY_MAX_ATTEMPTS = 2
    mail_sink.data_reply = "451 4.3.0 Try again later"
    message = _reply(ticket, agent)
    run_tasks()

    deliver_message.call(message.pk)

    message.refresh_from_db()
    assert message.delivery_state == DeliveryState.FAILED
    assert "451" in message.delivery_error
    assert message.delivery_attempts == 2


def test_an_unreachable_server_leaves_the_reply_queued(ticket, agent, run_tasks):
    down = factories.make_channel(
        "email", config={"smtp_host": "127.0.0.1", "smtp_port": free_port()}
    )
    ticket = customer_writes(down, sender=("email", "john@example.com")).ticket
    message = _reply(ticket, agent)

    run_tasks()

    message.refresh_from_db()
    assert message.delivery_state == DeliveryState.QUEUED
    assert "unreachable" in message.delivery_error
    assert len(_retries(message)) == 1


def test_a_refused_recipient_fails_at_once_with_the_reason(ticket, agent, mail_sink, run_tasks):
    mail_sink.rcpt_reply = "550 5.1.1 No such user here"
    message = _reply(ticket, agent)

    run_tasks()

    message.refresh_from_db()
    assert message.delivery_state == DeliveryState.FAILED
    assert "550" in message.delivery_error
    assert "No such user" in message.delivery_error
    assert _retries(message) == []
    assert mail_sink.received == []


def test_a_failed_delivery_is_recorded_on_the_ticket(ticket, agent, mail_sink, run_tasks):
    mail_sink.rcpt_reply = "550 5.1.1 No such user here"
    _reply(ticket, agent)

    run_tasks()

    event = ticket.events.get(kind="delivery_failed")
    assert "550" in event.data["error"]


def test_an_internal_note_never_leaves(ticket, agent, mail_sink, run_tasks):
    note = _reply(ticket, agent, text="고객이 두 번 결제함. 환불 확인 필요.", note=True)

    run_tasks()

    note.refresh_from_db()
    assert mail_sink.received == []
    assert note.delivery_state == DeliveryState.NONE
    assert note.channel is None
    assert _retries(note) == []


def test_a_subject_with_line_breaks_cannot_inject_headers(channel, agent, mail_sink, run_tasks):
    ticket = customer_writes(
        channel,
        sender=("email", "mallory@example.com"),
        subject="Refund\r\nBcc: victim@example.com\nX-Evil: 1",
    ).ticket
    message = _reply(ticket, agent)

    run_tasks()

    message.refresh_from_db()
    assert message.delivery_state == DeliveryState.SENT
    (_, rcpt_tos, mail) = mail_sink.received[0]
    assert rcpt_tos == ["mallory@example.com"]
    assert mail["Bcc"] is None
    assert mail["X-Evil"] is None


def test_invalid_channel_settings_fail_the_reply_with_the_reason(ticket, agent, run_tasks):
    ticket.channel.config = {"smtp_host": "127.0.0.1", "smtp_port": "not a port"}
    ticket.channel.save(update_fields=["config"])
    message = _reply(ticket, agent)

    run_tasks()

    message.refresh_from_db()
    assert message.delivery_state == DeliveryState.FAILED
    assert "smtp_port" in message.delivery_error
    assert _retries(message) == []


def test_the_reply_goes_to_the_address_the_customer_wrote_from(
    ticket, channel, agent, mail_sink, run_tasks
):
    # Later Minji also gives her home address (in a form naming her first one too).
    webform = factories.make_channel("webform")
    customer_writes(
        webform, sender=("email", "minji.home@example.com"), also=[("email", "minji@example.com")]
    )
    assert ticket.customer.identities.count() == 2

    _reply(ticket, agent)
    run_tasks()

    assert mail_sink.received[0][1] == ["minji@example.com"]


def test_a_reply_whose_attachment_vanished_shows_the_error_and_retries(
    ticket, agent, mail_sink, run_tasks
):
    message = _reply(ticket, agent, attachments=[check_attachment("receipt.png", factories.PNG)])
    attachment = message.attachments.get()
    attachment.file.storage.delete(attachment.file.name)  # lost from the storage

    run_tasks()

    message.refresh_from_db()
    assert message.delivery_state == DeliveryState.QUEUED
    assert "unexpected error" in message.delivery_error
    assert len(_retries(message)) == 1
    assert mail_sink.received == []


def test_a_reply_with_an_attachment_carries_it(ticket, agent, mail_sink, run_tasks):
    _reply(ticket, agent, attachments=[check_attachment("receipt.png", factories.PNG)])

    run_tasks()

    (part,) = list(mail_sink.messages[0].iter_attachments())
    assert part.get_filename() == "receipt.png"
    assert part.get_content() == factories.PNG


def test_a_reply_is_sent_before_the_bookkeeping_of_inquiries_that_came_first(
    channel: Channel, ticket: Ticket, agent
) -> None:
    from sangdam.core.runtime import make_worker

    for n in range(3):
        customer_writes(channel, sender=("email", f"later{n}@example.com"), text="문의합니다")
    reply = _reply(ticket, agent)

    first = make_worker(batch=True, interval=0).claim()

    assert first is not None
    assert first.task_path == "sangdam.connectors.delivery.deliver_message"
    assert first.args_kwargs["args"] == [reply.pk]
