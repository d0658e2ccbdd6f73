"""The whole loop: a customer's mail, the agent's reply through the delivery task, the
customer's answer in their client, and the bounce of a reply to a dead address."""

from __future__ import annotations

from email import message_from_bytes, policy
from email.message import EmailMessage

import pytest
from django.core import mail as django_mail

from sangdam.connectors.email.parse import process_email
from sangdam.tickets import actions
from sangdam.tickets.actor import Actor
from sangdam.tickets.models import DeliveryState, Direction, Ticket

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _locmem(settings) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def customer_mail(**headers: str) -> bytes:
    message = EmailMessage()
    message["From"] = "김민지 <minji@example.com>"
    message["To"] = "support@example.com"
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content("결제가 두 번 되었어요.")
    return message.as_bytes()


def test_the_customer_s_answer_to_our_emailed_reply_joins_the_ticket(
    email_channel, agent, run_tasks
):
    first = process_email(
        customer_mail(Subject="환불 문의", Message_ID="<q1@mail.example.com>"),
        channel_id=email_channel.pk,
    )
    ticket = Ticket.objects.get(reference=first.removeprefix("ticket "))
    actions.do_reply(ticket=ticket, actor=Actor.agent(agent), text="환불해 드리겠습니다.")
    run_tasks()
    sent = message_from_bytes(django_mail.outbox[-1].message().as_bytes(), policy=policy.default)

    # The customer's client answers: Re: subject (token kept), In-Reply-To, References.
    answer = process_email(
        customer_mail(
            Subject=f"Re: {sent['Subject']}",
            Message_ID="<q2@mail.example.com>",
            In_Reply_To=str(sent["Message-ID"]),
            References=f"{sent['References']} {sent['Message-ID']}",
        ),
        channel_id=email_channel.pk,
    )

    assert answer == first
    assert ticket.messages.filter(direction=Direction.IN).count() == 2
    assert str(sent["In-Reply-To"]) == "<q1@mail.example.com>"


def test_a_bounce_of_our_emailed_reply_shows_the_agent_why_it_failed(
    email_channel, agent, run_tasks
):
    first = process_email(
        customer_mail(Subject="문의", Message_ID="<q3@mail.example.com>"),
        channel_id=email_channel.pk,
    )
    ticket = Ticket.objects.get(reference=first.removeprefix("ticket "))
    reply = actions.do_reply(ticket=ticket, actor=Actor.agent(agent), text="답변입니다.")
    run_tasks()
    reply.refresh_from_db()
    assert reply.delivery_state == DeliveryState.SENT
    bounce = (
        "From: Mail Delivery System <MAILER-DAEMON@mx.example.com>\r\n"
        "To: support@example.com\r\n"
        "Subject: Undelivered Mail Returned to Sender\r\n"
        "Message-ID: <dsn-1@mx.example.com>\r\n"
        "MIME-Version: 1.0\r\n"
        'Content-Type: multipart/report; report-type=delivery-status; boundary="b"\r\n\r\n'
        "--b\r\nContent-Type: text/plain\r\n\r\nYour message could not be delivered.\r\n"
        "--b\r\nContent-Type: message/delivery-status\r\n\r\n"
        "Reporting-MTA: dns; mx.example.com\r\n\r\n"
        "Final-Recipient: rfc822; minji@example.com\r\nAction: failed\r\nStatus: 5.2.2\r\n"
        "Diagnostic-Code: smtp; 552 5.2.2 Mailbox full\r\n"
        "--b\r\nContent-Type: text/rfc822-headers\r\n\r\n"
        f"Message-ID: {reply.external_id}\r\nSubject: Re: 문의\r\n"
        "--b--\r\n"
    ).encode()

    outcome = process_email(bounce, channel_id=email_channel.pk, envelope_from="<>")

    reply.refresh_from_db()
    assert outcome == "bounce"
    assert reply.delivery_state == DeliveryState.FAILED
    assert "Mailbox full" in reply.delivery_error
    assert Ticket.objects.count() == 1
