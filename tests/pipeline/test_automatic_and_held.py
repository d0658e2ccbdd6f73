"""Automatic mail does not reopen tickets; a mismatched sender is held when the channel
says so."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from sangdam.connectors.email.dispatch import dispatch
from sangdam.connectors.email.parse import parse_email
from sangdam.connectors.models import Channel
from sangdam.tickets import actions
from sangdam.tickets.actor import SYSTEM, Actor
from sangdam.tickets.models import (
    DeliveryState,
    Event,
    Message,
    MessageKind,
    Status,
    Ticket,
    TicketLink,
)
from tests.factories import customer_writes

pytestmark = pytest.mark.django_db

MINJI = ("email", "minji@example.com")
AUTOMATIC = {"email": {"auto_submitted": True, "kind": "auto_reply"}}


def _ticket_in(channel: Channel, status: str) -> Ticket:
    ticket = customer_writes(channel, sender=MINJI).ticket
    actions.do_change_status(ticket=ticket, actor=SYSTEM, status=status)
    return ticket


def test_an_auto_reply_to_a_pending_ticket_leaves_it_pending(email_channel):
    ticket = _ticket_in(email_channel, Status.PENDING)

    result = customer_writes(
        email_channel,
        sender=MINJI,
        text="부재중입니다.",
        ticket_reference=ticket.reference,
        message_metadata=AUTOMATIC,
        automatic=True,
    )

    assert result.ticket.pk == ticket.pk
    assert Ticket.objects.get(pk=ticket.pk).status == Status.PENDING
    assert result.message.text == "부재중입니다."


def test_an_auto_reply_to_a_solved_ticket_leaves_it_solved(email_channel):
    ticket = _ticket_in(email_channel, Status.SOLVED)

    customer_writes(
        email_channel,
        sender=MINJI,
        ticket_reference=ticket.reference,
        message_metadata=AUTOMATIC,
        automatic=True,
    )

    stored = Ticket.objects.get(pk=ticket.pk)
    assert stored.status == Status.SOLVED
    assert stored.solved_at is not None
    assert stored.messages.count() == 2


def test_an_auto_reply_is_still_recorded_in_the_audit_trail(email_channel):
    ticket = _ticket_in(email_channel, Status.PENDING)

    result = customer_writes(
        email_channel,
        sender=MINJI,
        ticket_reference=ticket.reference,
        message_metadata=AUTOMATIC,
        automatic=True,
    )

    event = Event.objects.filter(ticket=ticket, kind="message_received").last()
    assert event is not None
    assert event.data == {"message_id": result.message.pk, "automatic": True}
    assert not Event.objects.filter(ticket=ticket, kind="status_changed", data__new="open")


def test_an_auto_reply_to_a_long_solved_ticket_joins_it_without_a_follow_up(email_channel):
    ticket = _ticket_in(email_channel, Status.SOLVED)
    a_month_later = timezone.now() + dt.timedelta(days=30)

    result = customer_writes(
        email_channel,
        sender=MINJI,
        ticket_reference=ticket.reference,
        message_metadata=AUTOMATIC,
        automatic=True,
        received_at=a_month_later,
    )

    assert result.ticket.pk == ticket.pk
    assert not result.created_ticket
    assert Ticket.objects.get(pk=ticket.pk).status == Status.SOLVED


def test_an_out_of_office_mail_does_not_reopen_the_ticket_it_answers(email_channel, settings):
    settings.EMAIL_AUTHSERV_IDS = ["mx.example.com"]
    ticket = _ticket_in(email_channel, Status.PENDING)
    raw = (
        f"Authentication-Results: mx.example.com; dmarc=pass header.from=example.com\r\n"
        f"From: minji@example.com\r\nTo: support@example.com\r\n"
        f"Subject: 자동 회신: [{ticket.reference}] 환불 문의\r\n"
        f"Message-ID: <oof-1@example.com>\r\nAuto-Submitted: auto-replied\r\n"
        f"Content-Type: text/plain; charset=utf-8\r\n\r\n12월 1일까지 휴가입니다.\r\n"
    ).encode()

    outcome = dispatch(parse_email(raw, channel_id=email_channel.pk), channel_id=email_channel.pk)

    assert outcome == f"ticket {ticket.reference}"
    assert Ticket.objects.get(pk=ticket.pk).status == Status.PENDING
    assert Message.objects.filter(ticket=ticket, text="12월 1일까지 휴가입니다.").exists()


def test_a_customer_written_reply_still_reopens_a_pending_ticket(email_channel):
    ticket = _ticket_in(email_channel, Status.PENDING)

    customer_writes(email_channel, sender=MINJI, ticket_reference=ticket.reference)

    assert Ticket.objects.get(pk=ticket.pk).status == Status.OPEN


# --- mismatched senders ----------------------------------------------------------------


def _colleague_answers(channel: Channel) -> tuple[Ticket, Ticket]:
    original = customer_writes(channel, sender=MINJI).ticket
    other = customer_writes(
        channel,
        sender=("email", "colleague@example.com"),
        text="제가 대신 답장드립니다.",
        ticket_reference=original.reference,
    )
    assert other.created_ticket
    return original, other.ticket


def test_by_default_a_mismatched_sender_opens_a_linked_ticket_for_agents(email_channel):
    original, ticket = _colleague_answers(email_channel)

    assert ticket.status == Status.NEW
    assert ticket.tags == []
    assert TicketLink.objects.filter(from_ticket=ticket, to_ticket=original).exists()


def test_with_hold_a_mismatched_sender_waits_tagged_with_an_explaining_note(email_channel):
    email_channel.config = {"mismatched_sender": "hold"}
    email_channel.save(update_fields=["config"])

    original, ticket = _colleague_answers(email_channel)

    ticket.refresh_from_db()
    assert ticket.status == Status.PENDING
    assert ticket.tags == ["held-sender-mismatch"]
    assert TicketLink.objects.filter(from_ticket=ticket, to_ticket=original).exists()
    note = ticket.messages.get(kind=MessageKind.NOTE)
    assert original.reference in note.text
    assert note.author_user is None
    assert original.messages.count() == 1


def test_a_channel_that_holds_mismatched_senders_still_sends_replies(
    email_channel, agent, run_tasks, mailoutbox
):
    email_channel.config = {"mismatched_sender": "hold"}
    email_channel.save(update_fields=["config"])
    ticket = customer_writes(email_channel, sender=MINJI).ticket

    reply = actions.do_reply(ticket=ticket, actor=Actor.agent(agent), text="확인했습니다.")
    run_tasks()

    assert Message.objects.get(pk=reply.pk).delivery_state == DeliveryState.SENT
    assert mailoutbox[0].to == ["minji@example.com"]
