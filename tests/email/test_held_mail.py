"""Automatic replies and spam never reach the inbox: they are held, and an agent can
release them (which runs the normal intake)."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import make_msgid

import pytest

from sangdam.connectors.email.held import release_held
from sangdam.connectors.email.models import HeldMail
from sangdam.connectors.email.parse import process_email
from sangdam.connectors.models import Channel
from sangdam.tickets import actions
from sangdam.tickets.actor import SYSTEM, Actor
from sangdam.tickets.models import DeliveryState, Direction, Status, Ticket
from tests import factories

pytestmark = pytest.mark.django_db


@pytest.fixture
def channel() -> Channel:
    return factories.make_channel("email", address="support@example.com")


def mail(
    *,
    subject: str = "환불 문의",
    text: str = "결제가 두 번 되었어요.",
    in_reply_to: str = "",
    **headers: str,
) -> bytes:
    message = EmailMessage()
    message["From"] = "김민지 <minji@example.com>"
    message["To"] = "support@example.com"
    message["Subject"] = subject
    message["Message-ID"] = make_msgid(domain="mail.customer.example")
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(text)
    return message.as_bytes()


AUTO_REPLIES = {
    "rfc3834": dict(Auto_Submitted="auto-replied", subject="Re: 환불 문의"),
    "rfc3834-generated": dict(Auto_Submitted="auto-generated", subject="알림"),
    "x-autoreply": dict(X_Autoreply="yes", subject="Re: 환불 문의"),
    "x-autorespond": dict(X_Autorespond="vacation", subject="Re: 환불 문의"),
    "precedence-auto-reply": dict(Precedence="auto_reply", subject="Re: 환불 문의"),
    "exchange-oof": dict(
        X_Auto_Response_Suppress="All, OOF",
        X_MS_Exchange_Inbox_Rules_Loop="minji@example.com",
        subject="Re: 환불 문의",
    ),
    "korean-absent": dict(subject="부재중입니다"),
    "korean-absent-bracket": dict(subject="[부재중] 12월 2일까지 휴가입니다"),
    "korean-auto-reply": dict(subject="자동 회신: 환불 문의"),
    "korean-auto-answer": dict(subject="[자동응답] 문의 감사합니다"),
    "japanese-auto-reply": dict(subject="【自動返信】お問い合わせありがとうございます"),
    "japanese-absent": dict(subject="不在通知"),
    "english-ooo": dict(subject="Out of Office: 환불 문의"),
    "english-automatic-reply": dict(subject="Automatic reply: 환불 문의"),
    "english-auto-response": dict(subject="Auto-Response: your message"),
    "german-absent": dict(subject="Abwesenheitsnotiz: 환불 문의"),
}


@pytest.mark.parametrize("headers", AUTO_REPLIES.values(), ids=AUTO_REPLIES.keys())
def test_an_auto_reply_never_opens_a_ticket(channel: Channel, headers: dict[str, str]):
    outcome = process_email(mail(text="I am away until Monday.", **headers), channel_id=channel.pk)

    assert outcome == "held: auto_reply"
    assert not Ticket.objects.exists()
    assert HeldMail.objects.get().reason == "auto_reply"


def test_mail_sent_with_the_null_sender_never_opens_a_ticket(channel: Channel):
    outcome = process_email(mail(subject="안내"), channel_id=channel.pk, envelope_from="<>")

    assert outcome == "held: auto_reply"
    assert not Ticket.objects.exists()


@pytest.mark.parametrize("headers", AUTO_REPLIES.values(), ids=AUTO_REPLIES.keys())
def test_an_auto_reply_never_reopens_a_solved_ticket(channel: Channel, headers: dict[str, str]):
    ticket = factories.customer_writes(channel).ticket
    reply = actions.do_reply(
        ticket=ticket, actor=Actor.agent(factories.make_agent()), text="환불했습니다."
    )
    actions.do_record_delivery(
        message=reply, state=DeliveryState.SENT, external_id="<our-answer@example.com>"
    )
    actions.do_change_status(ticket=ticket, actor=SYSTEM, status=Status.SOLVED)

    outcome = process_email(
        mail(in_reply_to="<our-answer@example.com>", **headers), channel_id=channel.pk
    )

    assert outcome == f"ticket {ticket.reference}"
    ticket.refresh_from_db()
    assert ticket.status == Status.SOLVED
    assert Ticket.objects.count() == 1


def test_a_customer_writing_about_an_absence_is_not_an_auto_reply(channel: Channel):
    outcome = process_email(mail(subject="부재중에 택배가 반송됐어요"), channel_id=channel.pk)

    assert outcome.startswith("ticket ")


@pytest.mark.parametrize(
    "headers",
    [
        {"X_Spam_Flag": "YES"},
        {"X_Spam_Status": "Yes, score=9.1 required=5.0 tests=BAYES_99"},
        {"X_Spam": "Yes"},
    ],
    ids=["x-spam-flag", "x-spam-status", "x-spam"],
)
def test_mail_flagged_as_spam_upstream_goes_to_the_spam_folder(
    channel: Channel, headers: dict[str, str]
):
    outcome = process_email(mail(**headers), channel_id=channel.pk)

    assert outcome == "held: spam"
    assert not Ticket.objects.exists()
    held = HeldMail.objects.get()
    assert held.reason == "spam"
    assert "yes" in held.detail


def test_mail_judged_clean_upstream_reaches_the_inbox(channel: Channel):
    outcome = process_email(
        mail(X_Spam_Flag="NO", X_Spam_Status="No, score=0.1"), channel_id=channel.pk
    )

    assert outcome.startswith("ticket ")


def test_releasing_held_spam_runs_the_normal_intake_once(channel: Channel):
    process_email(mail(X_Spam_Flag="YES", text="진짜 문의입니다."), channel_id=channel.pk)
    held = HeldMail.objects.get()
    agent = factories.make_agent()

    first = release_held(held=held, user=agent)
    second = release_held(held=HeldMail.objects.get(), user=agent)

    ticket = Ticket.objects.get()
    assert first == second == f"ticket {ticket.reference}"
    assert ticket.messages.get(direction=Direction.IN).text == "진짜 문의입니다."
    held.refresh_from_db()
    assert held.released_at is not None and held.released_by == agent


def test_releasing_a_held_auto_reply_opens_its_ticket(channel: Channel):
    process_email(mail(subject="자동 회신: 문의"), channel_id=channel.pk)

    outcome = release_held(held=HeldMail.objects.get(), user=factories.make_agent())

    assert outcome.startswith("ticket ")


def test_the_same_held_mail_delivered_twice_is_held_once(channel: Channel):
    raw = mail(X_Spam_Flag="YES")

    assert process_email(raw, channel_id=channel.pk) == "held: spam"
    assert process_email(raw, channel_id=channel.pk) == "duplicate"
    assert HeldMail.objects.count() == 1
