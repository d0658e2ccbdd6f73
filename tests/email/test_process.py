"""Raw mail through process_email into tickets: threading, loops, bounces, storms."""

from __future__ import annotations

from email.message import EmailMessage
from email.utils import make_msgid
from pathlib import Path

import pytest
from django.core.cache import cache

from sangdam.connectors.base import TemporaryRefusal
from sangdam.connectors.email.loops import may_answer_automatically
from sangdam.connectors.email.models import HeldMail
from sangdam.connectors.email.parse import process_email
from sangdam.connectors.models import Channel
from sangdam.tickets import actions
from sangdam.tickets.actor import SYSTEM, Actor
from sangdam.tickets.models import DeliveryState, Direction, Message, Ticket, TicketLink
from tests import factories

pytestmark = pytest.mark.django_db
CORPUS = Path(__file__).parent / "corpus"
MINJI = "minji@example.com"


@pytest.fixture(autouse=True)
def _fresh_rate_counters() -> None:
    cache.clear()


@pytest.fixture
def channel() -> Channel:
    return factories.make_channel("email", address="support@example.com")


def mail(
    *,
    sender: str = MINJI,
    subject: str = "환불 문의",
    text: str = "결제가 두 번 되었어요.",
    message_id: str | None = None,
    in_reply_to: str = "",
    references: str = "",
    to: str = "support@example.com",
    **headers: str,
) -> bytes:
    message = EmailMessage()
    message["From"] = f"김민지 <{sender}>"
    message["To"] = to
    message["Subject"] = subject
    message["Message-ID"] = message_id or make_msgid(domain="mail.customer.example")
    if in_reply_to:
        message["In-Reply-To"] = in_reply_to
    if references:
        message["References"] = references
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content(text)
    return message.as_bytes()


def ticket_of(outcome: str) -> Ticket:
    assert outcome.startswith("ticket "), outcome
    return Ticket.objects.get(reference=outcome.removeprefix("ticket "))


def agent_reply(ticket: Ticket, message_id: str) -> Message:
    """An agent's reply as the delivery task leaves it: sent, with our Message-ID."""
    agent = factories.make_agent()
    reply = actions.do_reply(ticket=ticket, actor=Actor.agent(agent), text="확인했습니다.")
    actions.do_record_delivery(message=reply, state=DeliveryState.SENT, external_id=message_id)
    return reply


def test_a_new_mail_opens_a_ticket_for_its_sender(channel):
    outcome = process_email(mail(), channel_id=channel.pk)

    ticket = ticket_of(outcome)
    assert ticket.subject == "환불 문의"
    assert ticket.customer.identities.get().value == MINJI
    assert ticket.messages.get().text == "결제가 두 번 되었어요."


def test_the_same_mail_delivered_twice_is_a_duplicate(channel):
    raw = mail(message_id="<once@mail.customer.example>")

    first = process_email(raw, channel_id=channel.pk)
    second = process_email(raw, channel_id=channel.pk)

    assert first.startswith("ticket ")
    assert second == "duplicate"
    assert Message.objects.count() == 1


def test_a_reply_to_our_mail_lands_on_the_same_ticket(channel):
    ticket = ticket_of(process_email(mail(), channel_id=channel.pk))
    agent_reply(ticket, "<reply-1@example.com>")

    outcome = process_email(
        mail(subject="Re: 환불 문의", text="감사합니다", in_reply_to="<reply-1@example.com>"),
        channel_id=channel.pk,
    )

    assert ticket_of(outcome) == ticket
    assert ticket.messages.filter(direction=Direction.IN).count() == 2


# What the receiving MTA (trusted through EMAIL_AUTHSERV_IDS) writes for a real customer.
AUTHENTICATED = "mx.example.com; dkim=pass header.d=example.com; spf=pass smtp.mailfrom=minji@example.com; dmarc=pass header.from=example.com"


def test_a_reply_naming_the_reference_in_its_subject_lands_on_the_ticket(channel, settings):
    settings.EMAIL_AUTHSERV_IDS = ["mx.example.com"]
    ticket = ticket_of(process_email(mail(), channel_id=channel.pk))

    outcome = process_email(
        mail(subject=f"Re: 환불 문의 [{ticket.reference}]", Authentication_Results=AUTHENTICATED),
        channel_id=channel.pk,
    )

    assert ticket_of(outcome) == ticket


def test_a_reply_to_a_plus_address_lands_on_the_ticket(channel, settings):
    settings.EMAIL_AUTHSERV_IDS = ["mx.example.com"]
    ticket = ticket_of(process_email(mail(), channel_id=channel.pk))

    outcome = process_email(
        mail(subject="추가 문의", Authentication_Results=AUTHENTICATED),
        channel_id=channel.pk,
        envelope_to=(f"support+{ticket.reference}@example.com",),
    )

    assert ticket_of(outcome) == ticket


def test_a_reply_from_someone_else_opens_a_linked_ticket_instead_of_joining(channel):
    ticket = ticket_of(process_email(mail(), channel_id=channel.pk))
    agent_reply(ticket, "<reply-2@example.com>")

    outcome = process_email(
        mail(
            sender="colleague@other.example",
            subject=f"Re: 환불 문의 [{ticket.reference}]",
            in_reply_to="<reply-2@example.com>",
        ),
        channel_id=channel.pk,
    )

    other = ticket_of(outcome)
    assert other != ticket
    assert ticket.messages.filter(direction=Direction.IN).count() == 1
    assert TicketLink.objects.get(from_ticket=other).to_ticket == ticket


def test_a_reply_that_arrives_before_its_original_ends_on_one_ticket(channel):
    original = mail(message_id="<first@mail.customer.example>", text="처음 메일")
    reply = mail(
        message_id="<second@mail.customer.example>",
        subject="Re: 환불 문의",
        text="추가로 말씀드리면",
        in_reply_to="<first@mail.customer.example>",
        references="<first@mail.customer.example>",
    )

    early = ticket_of(process_email(reply, channel_id=channel.pk))
    late = ticket_of(process_email(original, channel_id=channel.pk))

    assert early == late
    assert early.messages.count() == 2


def test_reply_ids_and_the_full_text_are_kept_on_the_message(channel):
    ticket = ticket_of(process_email(mail(), channel_id=channel.pk))
    agent_reply(ticket, "<reply-3@example.com>")

    process_email(
        mail(
            subject="Re: 환불 문의",
            text="네 좋아요\n\nOn Tue, Nov 24, 2026 at 10:00 AM Support wrote:\n> 확인했습니다.\n",
            in_reply_to="<reply-3@example.com>",
        ),
        channel_id=channel.pk,
    )

    latest = ticket.messages.filter(direction=Direction.IN).last()
    assert latest is not None
    assert latest.text == "네 좋아요"
    assert latest.metadata["email"]["in_reply_to"] == ["<reply-3@example.com>"]
    assert "> 확인했습니다." in latest.metadata["email"]["full_text"]


def test_authentication_results_are_recorded_on_the_message(channel):
    outcome = process_email(
        mail(
            Authentication_Results="mx.example.com; dkim=pass header.d=customer.example; "
            "spf=fail smtp.mailfrom=customer.example; dmarc=fail header.from=customer.example"
        ),
        channel_id=channel.pk,
    )

    auth = ticket_of(outcome).messages.get().metadata["email"]["authentication"]
    assert (auth["dkim"], auth["spf"], auth["dmarc"]) == ("pass", "fail", "fail")
    assert auth["authserv_id"] == "mx.example.com"


def test_an_auto_reply_to_our_answer_joins_its_ticket_marked_and_never_reopens_it(channel):
    ticket = ticket_of(process_email(mail(), channel_id=channel.pk))
    agent_reply(ticket, "<reply-ooo@example.com>")
    actions.do_change_status(ticket=ticket, actor=SYSTEM, status="solved")

    outcome = process_email(
        mail(
            subject="부재중 자동응답",
            Auto_Submitted="auto-replied",
            in_reply_to="<reply-ooo@example.com>",
        ),
        channel_id=channel.pk,
    )

    assert ticket_of(outcome) == ticket
    metadata = (
        ticket.messages.filter(direction=Direction.IN).order_by("id").reverse()[0].metadata["email"]
    )
    assert metadata["auto_submitted"] is True
    assert metadata["kind"] == "auto_reply"
    ticket.refresh_from_db()
    assert ticket.status == "solved"


def test_a_bounce_marks_our_reply_failed_with_the_reason(channel):
    ticket = ticket_of(process_email(mail(), channel_id=channel.pk))
    reply = agent_reply(ticket, "<sd-out-43@example.com>")

    outcome = process_email(
        (CORPUS / "43_postfix_dsn_user_unknown.eml").read_bytes(),
        channel_id=channel.pk,
        envelope_from="<>",
    )

    reply.refresh_from_db()
    assert outcome == "bounce"
    assert reply.delivery_state == DeliveryState.FAILED
    assert "5.1.1" in reply.delivery_error
    assert Ticket.objects.count() == 1


def test_a_non_standard_korean_bounce_marks_our_reply_failed(channel):
    ticket = ticket_of(process_email(mail(), channel_id=channel.pk))
    reply = agent_reply(ticket, "<sd-out-46@example.com>")

    process_email((CORPUS / "46_naver_korean_bounce.eml").read_bytes(), channel_id=channel.pk)

    reply.refresh_from_db()
    assert reply.delivery_state == DeliveryState.FAILED
    assert "550" in reply.delivery_error


def test_a_delay_warning_leaves_our_reply_as_it_was(channel):
    ticket = ticket_of(process_email(mail(), channel_id=channel.pk))
    reply = agent_reply(ticket, "<sd-out-47@example.com>")

    outcome = process_email((CORPUS / "47_delayed_dsn.eml").read_bytes(), channel_id=channel.pk)

    reply.refresh_from_db()
    assert outcome == "bounce: delayed"
    assert reply.delivery_state == DeliveryState.SENT


def test_a_bounce_for_a_mail_we_never_sent_goes_to_the_bounce_log_not_the_inbox(channel):
    outcome = process_email(
        (CORPUS / "44_gmail_dsn_headers_only.eml").read_bytes(), channel_id=channel.pk
    )

    assert outcome == "held: bounce"
    assert not Ticket.objects.exists()
    logged = HeldMail.objects.get()
    assert logged.reason == "bounce"
    assert logged.detail


def test_a_read_receipt_opens_nothing(channel):
    outcome = process_email((CORPUS / "52_read_receipt.eml").read_bytes(), channel_id=channel.pk)

    assert outcome == "ignored: read receipt"
    assert not Ticket.objects.exists()


def test_mail_without_any_sender_opens_nothing(channel):
    outcome = process_email((CORPUS / "51_no_from.eml").read_bytes(), channel_id=channel.pk)

    assert outcome == "held: unreadable"


def test_garbage_bytes_never_raise(channel):
    outcome = process_email(b"\x00\xff\xfe garbage \r\n\r\n\x00", channel_id=channel.pk)

    # Kept for a person to look at, never dropped and never a ticket.
    assert outcome == "held: unreadable"
    assert not Ticket.objects.exists()


def test_a_mail_storm_from_one_sender_is_refused_for_now_at_the_hourly_limit(channel, settings):
    settings.EMAIL_SENDER_RATE_LIMIT = 3

    outcomes = [
        process_email(mail(sender="storm@robot.example"), channel_id=channel.pk) for _ in range(3)
    ]
    # The fourth is refused before anything is stored: the transport asks for a retry
    # (SMTP 451, IMAP message left unseen) instead of acknowledging and dropping it.
    with pytest.raises(TemporaryRefusal):
        process_email(mail(sender="storm@robot.example"), channel_id=channel.pk)

    assert all(o.startswith("ticket ") for o in outcomes)
    assert Message.objects.count() == 3
    assert process_email(mail(sender="calm@example.com"), channel_id=channel.pk).startswith(
        "ticket "
    )


def test_attachments_are_stored_under_safe_names(channel):
    outcome = process_email((CORPUS / "23_mixed_pdf_png.eml").read_bytes(), channel_id=channel.pk)

    names = sorted(a.filename for a in ticket_of(outcome).messages.get().attachments.all())
    assert names == ["contract.pdf", "id card.png"]


def test_an_inline_image_is_stored_and_the_html_points_at_it(channel):
    outcome = process_email(
        (CORPUS / "21_apple_mail_cid_inline.eml").read_bytes(), channel_id=channel.pk
    )

    message = ticket_of(outcome).messages.get()
    assert [a.filename for a in message.attachments.all()] == ["error.png"]
    assert 'src="cid:F3A1@apple"' in message.html
    assert message.metadata["email"]["inline_images"] == {"F3A1@apple": "error.png"}


def test_a_korean_html_only_mail_reads_as_clean_text(channel):
    outcome = process_email((CORPUS / "20_naver_html_only.eml").read_bytes(), channel_id=channel.pk)

    message = ticket_of(outcome).messages.get()
    assert message.text.startswith("쿠폰 적용이 안 됩니다 & 결제가 <실패>해요.")
    assert "<script" not in message.html
    assert message.metadata["email"]["remote_images"] == [
        "https://mail.naver.com/readReceipt/track.gif"
    ]


def test_our_own_mail_coming_back_opens_nothing(channel):
    outcome = process_email(mail(sender="support@example.com"), channel_id=channel.pk)

    assert outcome == "ignored: sent by this channel"
    assert not Ticket.objects.exists()


def test_an_email_reply_to_our_answer_of_a_web_form_inquiry_joins_that_ticket(channel):
    webform = factories.make_channel("webform")
    ticket = factories.customer_writes(webform, sender=("email", MINJI), subject="문의").ticket
    agent_reply(ticket, "<answer-by-mail@example.com>")

    outcome = process_email(
        mail(subject="Re: 문의", in_reply_to="<answer-by-mail@example.com>"),
        channel_id=channel.pk,
    )

    assert ticket_of(outcome) == ticket


def test_sangdam_may_acknowledge_a_person_but_not_an_autoresponder(channel):
    person = ticket_of(process_email(mail(), channel_id=channel.pk)).messages.get()
    robot = ticket_of(
        process_email(
            mail(sender="bot@example.net", List_Id="<news.example.net>"), channel_id=channel.pk
        )
    ).messages.get()

    assert may_answer_automatically(person.metadata) is True
    assert may_answer_automatically(robot.metadata) is False


def test_the_console_shows_an_inline_image_from_its_attachment(channel):
    from django.template import Context, Template

    outcome = process_email(
        (CORPUS / "21_apple_mail_cid_inline.eml").read_bytes(), channel_id=channel.pk
    )
    message = ticket_of(outcome).messages.get()

    shown = Template("{% load email_html %}{% email_html message %}").render(
        Context({"message": message})
    )

    attachment = message.attachments.get()
    assert f'src="/attachments/{attachment.pk}/"' in shown


def test_an_absurdly_long_sender_address_is_refused_before_the_database(channel):
    outcome = process_email(mail(sender=f"{'a' * 300}@example.com"), channel_id=channel.pk)

    assert outcome == "held: unreadable"


def test_nul_characters_in_a_broken_mail_do_not_stop_it(channel):
    raw = mail(subject="nul", text="before\x00after").replace(b"nul", b"n\x00ul", 1)

    outcome = process_email(raw, channel_id=channel.pk)

    message = ticket_of(outcome).messages.get()
    assert message.text == "beforeafter"


def test_a_nul_inside_the_message_id_does_not_stop_the_mail(channel):
    raw = mail(message_id="<nul-id@example.com>").replace(b"<nul-id@", b"<nul\x00id@", 1)

    outcome = process_email(raw, channel_id=channel.pk)

    assert ticket_of(outcome).messages.get().external_id == "<nulid@example.com>"
