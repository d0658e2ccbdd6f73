"""Intake: how a customer's message becomes (or joins) a ticket."""

from __future__ import annotations

import datetime as dt
import hashlib
import re

import pytest
from django.utils import timezone

from sangdam.connectors.intake import receive
from sangdam.customers.models import Customer, Identity
from sangdam.tickets import actions
from sangdam.tickets.actor import SYSTEM
from sangdam.tickets.models import Event, Message, Status, Ticket, TicketLink
from tests import factories
from tests.factories import PNG, customer_writes, inbound

pytestmark = pytest.mark.django_db

MINJI = ("email", "minji@example.com")
JOHN = ("email", "john.park@example.com")


def test_a_new_email_opens_a_ticket_with_a_reference(email_channel):
    result = customer_writes(email_channel, sender=MINJI, subject="환불 요청")

    assert result.created_ticket
    assert re.fullmatch(r"SD-\d{6}", result.ticket.reference)
    assert result.ticket.subject == "환불 요청"
    assert result.ticket.status == Status.NEW
    assert result.message.ticket_id == result.ticket.pk


def test_a_new_sender_becomes_a_customer_with_an_identity(email_channel):
    result = customer_writes(
        email_channel, sender=("email", "Minji@Example.com"), sender_name="김민지"
    )

    identity = Identity.objects.get(kind="email", value="minji@example.com")
    assert identity.customer == result.ticket.customer
    assert result.ticket.customer.name == "김민지"


def test_each_new_ticket_gets_a_different_reference(email_channel):
    first = customer_writes(email_channel, sender=MINJI)
    second = customer_writes(email_channel, sender=JOHN)

    assert first.ticket.reference != second.ticket.reference


def test_the_same_message_delivered_twice_is_stored_once(email_channel):
    first = customer_writes(email_channel, external_id="<once@mail.example>")
    again = customer_writes(email_channel, external_id="<once@mail.example>")

    assert again.duplicate
    assert again.message.pk == first.message.pk
    assert Message.objects.count() == 1
    assert Ticket.objects.count() == 1


def test_a_telegram_message_with_a_known_email_joins_that_customer(email_channel):
    telegram = factories.make_channel("telegram")
    by_email = customer_writes(email_channel, sender=MINJI)

    by_telegram = customer_writes(telegram, sender=("telegram", "5550001"), also=[MINJI])

    assert by_telegram.ticket.customer == by_email.ticket.customer
    assert Customer.objects.count() == 1
    kinds = set(by_email.ticket.customer.identities.values_list("kind", flat=True))
    assert kinds == {"email", "telegram"}


def test_an_email_reply_threads_onto_the_open_ticket(email_channel):
    first = customer_writes(email_channel, external_id="<first@mail.example>")

    reply = customer_writes(email_channel, in_reply_to=("<first@mail.example>",))

    assert not reply.created_ticket
    assert reply.ticket.pk == first.ticket.pk


def test_a_chat_message_threads_on_its_conversation_key():
    telegram = factories.make_channel("telegram")
    john = ("telegram", "777")
    first = customer_writes(telegram, sender=john, thread_key="chat-777")

    second = customer_writes(telegram, sender=john, thread_key="chat-777")

    assert second.ticket.pk == first.ticket.pk


def test_a_message_naming_its_reference_threads_onto_that_ticket(email_channel):
    first = customer_writes(email_channel, sender=MINJI)

    again = customer_writes(email_channel, sender=MINJI, ticket_reference=first.ticket.reference)

    assert again.ticket.pk == first.ticket.pk


def test_a_reference_of_another_customer_does_not_thread(email_channel):
    minji = customer_writes(email_channel, sender=MINJI)

    john = customer_writes(email_channel, sender=JOHN, ticket_reference=minji.ticket.reference)

    assert john.created_ticket
    assert john.ticket.pk != minji.ticket.pk
    assert minji.ticket.messages.count() == 1


def test_a_reply_to_a_pending_ticket_opens_it_again(email_channel):
    first = customer_writes(email_channel, sender=MINJI)
    actions.do_change_status(ticket=first.ticket, actor=SYSTEM, status=Status.PENDING)

    reply = customer_writes(email_channel, sender=MINJI, ticket_reference=first.ticket.reference)

    assert reply.ticket.pk == first.ticket.pk
    assert Ticket.objects.get(pk=first.ticket.pk).status == Status.OPEN


def test_a_reply_within_the_reopen_window_reopens_a_solved_ticket(email_channel):
    first = customer_writes(email_channel, sender=MINJI)
    actions.do_change_status(ticket=first.ticket, actor=SYSTEM, status=Status.SOLVED)
    six_days_later = timezone.now() + dt.timedelta(days=6)

    reply = customer_writes(
        email_channel,
        sender=MINJI,
        ticket_reference=first.ticket.reference,
        received_at=six_days_later,
    )

    ticket = Ticket.objects.get(pk=first.ticket.pk)
    assert reply.ticket.pk == ticket.pk
    assert ticket.status == Status.OPEN
    assert ticket.solved_at is None


def test_a_reply_after_the_reopen_window_opens_a_linked_follow_up(email_channel):
    first = customer_writes(email_channel, sender=MINJI)
    actions.do_change_status(ticket=first.ticket, actor=SYSTEM, status=Status.SOLVED)
    eight_days_later = timezone.now() + dt.timedelta(days=8)

    reply = customer_writes(
        email_channel,
        sender=MINJI,
        ticket_reference=first.ticket.reference,
        received_at=eight_days_later,
    )

    assert reply.created_ticket
    assert Ticket.objects.get(pk=first.ticket.pk).status == Status.SOLVED
    link = TicketLink.objects.get(from_ticket=reply.ticket)
    assert (link.to_ticket_id, link.kind) == (first.ticket.pk, TicketLink.Kind.FOLLOW_UP)


def test_a_reply_to_a_closed_ticket_opens_a_linked_follow_up(email_channel):
    first = customer_writes(email_channel, sender=MINJI, external_id="<closed@mail.example>")
    actions.do_change_status(ticket=first.ticket, actor=SYSTEM, status=Status.CLOSED)

    reply = customer_writes(email_channel, sender=MINJI, in_reply_to=("<closed@mail.example>",))

    assert reply.created_ticket
    assert Ticket.objects.get(pk=first.ticket.pk).status == Status.CLOSED
    assert TicketLink.objects.filter(
        from_ticket=reply.ticket, to_ticket=first.ticket, kind=TicketLink.Kind.FOLLOW_UP
    ).exists()


def test_a_reply_to_a_merged_ticket_lands_on_the_ticket_it_was_merged_into(email_channel, agent):
    duplicate = customer_writes(email_channel, sender=MINJI, external_id="<dup@mail.example>")
    kept = customer_writes(email_channel, sender=MINJI)
    actions.do_merge_tickets(
        source=duplicate.ticket, target=kept.ticket, actor=actions.Actor.agent(agent)
    )

    reply = customer_writes(email_channel, sender=MINJI, in_reply_to=("<dup@mail.example>",))

    assert reply.ticket.pk == kept.ticket.pk
    assert not reply.created_ticket


@pytest.mark.parametrize(
    ("text", "language"),
    [
        ("안녕하세요. 결제가 두 번 되었는데 환불해 주실 수 있나요?", "ko"),
        ("Hello, I was charged twice for my subscription. Can you refund me?", "en"),
    ],
)
def test_the_language_of_the_message_is_detected(email_channel, text, language):
    result = customer_writes(email_channel, text=text)

    assert result.message.language == language
    assert result.ticket.language == language


def test_hostile_html_is_sanitized_before_it_is_stored(email_channel):
    hostile = (
        '<p>Hi <b>there</b></p><script>alert("x")</script>'
        '<img src="https://example.com/a.png" onerror="alert(1)">'
        '<a href="javascript:alert(2)">click</a>'
    )

    result = customer_writes(email_channel, text="", html=hostile)

    stored = Message.objects.get(pk=result.message.pk)
    assert "<script" not in stored.html
    assert "onerror" not in stored.html
    assert "javascript:" not in stored.html
    assert "<b>there</b>" in stored.html
    assert "Hi there" in stored.text


def test_an_attachment_is_stored_with_its_hash_and_size(email_channel):
    result = customer_writes(email_channel, files=[("screenshot.png", PNG)])

    attachment = result.message.attachments.get()
    assert attachment.filename == "screenshot.png"
    assert attachment.content_type == "image/png"
    assert attachment.size == len(PNG)
    assert attachment.sha256 == hashlib.sha256(PNG).hexdigest()
    with attachment.file.open("rb") as stored:
        assert stored.read() == PNG


def test_a_refused_attachment_is_listed_but_the_message_is_kept(email_channel):
    program = b"MZ\x90\x00\x03\x00\x00\x00\x04\x00" + b"\x00" * 200

    result = customer_writes(email_channel, files=[("invoice.exe", program), ("ok.png", PNG)])

    message = Message.objects.get(pk=result.message.pk)
    assert [a.filename for a in message.attachments.all()] == ["ok.png"]
    refused = message.metadata["refused_attachments"]
    assert len(refused) == 1
    assert "invoice.exe" in refused[0]
    assert result.refused_attachments == refused


def test_intake_writes_audit_events_naming_the_connector(email_channel):
    result = customer_writes(email_channel, sender=MINJI)
    actions.do_change_status(ticket=result.ticket, actor=SYSTEM, status=Status.PENDING)
    customer_writes(email_channel, sender=MINJI, ticket_reference=result.ticket.reference)

    events = list(Event.objects.filter(ticket=result.ticket).values_list("kind", "actor_label"))
    assert events == [
        ("ticket_created", "connector:email"),
        ("message_received", "connector:email"),
        ("status_changed", "system"),
        ("message_received", "connector:email"),
        ("status_changed", "connector:email"),
    ]
    reopened = Event.objects.filter(ticket=result.ticket, kind="status_changed").last()
    assert reopened is not None
    assert reopened.data == {"old": "pending", "new": "open"}


def test_a_message_without_a_sender_is_refused_and_stores_nothing(email_channel):
    from sangdam.tickets.errors import DomainError

    with pytest.raises(DomainError):
        receive(inbound(email_channel, sender=("email", "   ")))

    assert Ticket.objects.count() == 0
    assert Message.objects.count() == 0


def test_a_subject_with_line_breaks_is_kept_on_one_line(email_channel):
    result = customer_writes(email_channel, subject="Refund\r\nBcc: someone@example.com")

    assert result.ticket.subject == "Refund Bcc: someone@example.com"


def test_a_message_without_a_subject_is_named_by_its_first_line(email_channel):
    result = customer_writes(email_channel, text="앱이 멈춰요\n로그인하면 바로 꺼집니다.")

    assert result.ticket.subject == "앱이 멈춰요"
