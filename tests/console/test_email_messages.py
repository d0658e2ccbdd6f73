"""How an agent reads customer mail on the ticket page: held-back remote images, inline
images, the original with its quoted history, authentication verdicts, automatic mail,
and messages held because their sender is not the ticket's customer."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client

from sangdam.connectors.email.dispatch import dispatch
from sangdam.connectors.email.parse import parse_email
from sangdam.connectors.models import Channel
from sangdam.tickets import actions
from sangdam.tickets.actor import SYSTEM
from sangdam.tickets.models import DeliveryState, Message, Status, Ticket
from tests import factories

CORPUS = Path(__file__).parent.parent / "email" / "corpus"
TRACKER = "https://tracker.example.net/open.gif"


def mail_in(channel: Channel, raw: bytes) -> Message:
    """A mail goes through the real email pipeline (parse, dispatch, intake)."""
    parsed = parse_email(raw, channel_id=channel.pk, envelope_to=(channel.address,))
    outcome = dispatch(parsed, channel_id=channel.pk)
    assert outcome.startswith("ticket "), outcome
    return Message.objects.get(channel=channel, external_id=parsed.message_id)


def html_mail(message_id: str, html: str, *, headers: str = "") -> bytes:
    return (
        f"From: Minji Kim <minji@example.com>\r\nTo: support@example.com\r\n"
        f"Subject: 환불 문의\r\nMessage-ID: <{message_id}@example.com>\r\n{headers}"
        f"MIME-Version: 1.0\r\nContent-Type: text/html; charset=utf-8\r\n\r\n{html}\r\n"
    ).encode()


def page(client: Client, message: Message, query: str = "") -> str:
    response = client.get(f"/tickets/{message.ticket_id}/{query}")
    assert response.status_code == 200
    return response.content.decode()


def test_agent_does_not_load_remote_images_until_asking(
    en_client: Client, email_channel: Channel
) -> None:
    message = mail_in(
        email_channel, html_mail("img1", f'<p>영수증 첨부합니다</p><img src="{TRACKER}">')
    )

    body = page(en_client, message)

    assert TRACKER not in body
    assert "1 remote image was not loaded" in body
    assert f'href="?images={message.pk}#message-{message.pk}"' in body


def test_agent_sees_remote_images_after_clicking_show_images(
    en_client: Client, email_channel: Channel
) -> None:
    message = mail_in(
        email_channel, html_mail("img2", f'<p>영수증 첨부합니다</p><img src="{TRACKER}">')
    )

    body = page(en_client, message, f"?images={message.pk}")

    assert f'<img src="{TRACKER}"' in body
    assert "Hide images" in body


def test_show_images_loads_only_the_chosen_message(
    en_client: Client, email_channel: Channel
) -> None:
    first = mail_in(email_channel, html_mail("img3", f'<p>one</p><img src="{TRACKER}?a">'))
    second = mail_in(
        email_channel,
        html_mail(
            "img4",
            f'<p>two</p><img src="{TRACKER}?b">',
            headers="In-Reply-To: <img3@example.com>\r\n",
        ),
    )
    assert second.ticket_id == first.ticket_id

    body = page(en_client, first, f"?images={second.pk}")

    assert f"{TRACKER}?b" in body
    assert f"{TRACKER}?a" not in body


def test_inline_images_show_in_place_from_the_login_protected_download(
    en_client: Client, email_channel: Channel
) -> None:
    message = mail_in(email_channel, (CORPUS / "21_apple_mail_cid_inline.eml").read_bytes())
    image = message.attachments.get(filename="error.png")

    body = page(en_client, message)

    assert f'<img src="/attachments/{image.pk}/"' in body
    anonymous = Client().get(f"/attachments/{image.pk}/")
    assert anonymous.status_code == 302
    assert "/login/" in anonymous["Location"]


def test_agent_sees_the_newest_reply_first_and_the_original_one_click_away(
    en_client: Client, email_channel: Channel
) -> None:
    message = mail_in(email_channel, (CORPUS / "26_gmail_reply_english.eml").read_bytes())

    body = page(en_client, message)

    shown, _, original = body.partition('<details class="original">')
    assert "Thanks, but the money has not arrived yet." in shown
    assert "your refund was sent." not in shown
    assert "Show original" in original
    assert "your refund was sent." in original


def test_the_original_of_an_html_reply_keeps_its_quoted_html(
    en_client: Client, email_channel: Channel
) -> None:
    message = mail_in(email_channel, (CORPUS / "54_outlook_html_korean_reply.eml").read_bytes())
    full_html = message.metadata["email"]["full_html"]
    quoted = re.sub(r"<[^>]+>", " ", full_html).split()[-1]

    body = page(en_client, message)

    shown, _, original = body.partition('<details class="original">')
    assert "받았습니다. 감사합니다." in shown
    assert quoted in original


def test_agent_sees_authentication_verdicts_of_a_trusted_server(
    en_client: Client, email_channel: Channel, settings: object
) -> None:
    settings.EMAIL_AUTHSERV_IDS = ["mx.example.com"]  # type: ignore[attr-defined]
    results = (
        "Authentication-Results: mx.example.com; dkim=pass header.d=example.com;"
        " spf=pass smtp.mailfrom=example.com; dmarc=fail header.from=example.com\r\n"
    )
    message = mail_in(email_channel, html_mail("auth1", "<p>hello</p>", headers=results))

    body = page(en_client, message)

    assert 'class="auth auth-trusted"' in body
    assert '<span class="badge auth-pass">DKIM pass</span>' in body
    assert '<span class="badge auth-pass">SPF pass</span>' in body
    assert '<span class="badge auth-fail">DMARC fail</span>' in body
    assert "checked by mx.example.com" in body


def test_verdicts_a_sender_could_have_written_are_marked_unverified(
    en_client: Client, email_channel: Channel, settings: object
) -> None:
    settings.EMAIL_AUTHSERV_IDS = ["mx.example.com"]  # type: ignore[attr-defined]
    settings.EMAIL_VERIFY_DKIM = False  # type: ignore[attr-defined]
    forged = "Authentication-Results: forger.example; dkim=pass header.d=bank.example\r\n"
    message = mail_in(email_channel, html_mail("auth2", "<p>hello</p>", headers=forged))

    body = page(en_client, message)

    assert 'class="auth auth-untrusted"' in body
    assert "unverified: reported by the mail itself, may be forged" in body


def test_agent_sees_an_auto_reply_marked_as_automatic(
    en_client: Client, email_channel: Channel
) -> None:
    # The out-of-office answers our reply on John's ticket (an auto-reply with no ticket
    # to join would be held instead).
    ticket = factories.customer_writes(email_channel, sender=("email", "john@gmail.com")).ticket
    reply = actions.do_reply(ticket=ticket, actor=SYSTEM, text="Refunded.")
    actions.do_record_delivery(
        message=reply, state=DeliveryState.SENT, external_id="<sd-out-1@example.com>"
    )
    message = mail_in(email_channel, (CORPUS / "36_gmail_vacation.eml").read_bytes())

    body = page(en_client, message)

    assert message.ticket_id == ticket.pk
    assert "Sent automatically" in body
    assert "Auto-Submitted: auto-replied" in body


def test_agent_is_told_which_mailed_attachments_were_refused(
    en_client: Client, email_channel: Channel
) -> None:
    raw = (
        b"From: minji@example.com\r\nTo: support@example.com\r\nSubject: files\r\n"
        b"Message-ID: <exe1@example.com>\r\nMIME-Version: 1.0\r\n"
        b'Content-Type: multipart/mixed; boundary="b"\r\n\r\n--b\r\n'
        b"Content-Type: text/plain; charset=utf-8\r\n\r\nsee attached\r\n--b\r\n"
        b"Content-Type: application/octet-stream\r\n"
        b'Content-Disposition: attachment; filename="setup.exe"\r\n\r\nMZ\x90\x00\r\n--b--\r\n'
    )
    message = mail_in(email_channel, raw)

    body = page(en_client, message)

    assert message.metadata["refused_attachments"]
    assert "Attachments refused by Sangdam (the customer sent them" in body
    assert "setup.exe" in body


def test_korean_agent_reads_the_email_notes_in_korean(
    agent_client: Client, email_channel: Channel
) -> None:
    message = mail_in(email_channel, html_mail("ko1", f'<p>안녕하세요</p><img src="{TRACKER}">'))

    body = page(agent_client, message)

    assert "이미지 표시" in body


# --- messages held because the sender is not the ticket's customer --------------------


@pytest.fixture
def held(email_channel: Channel) -> tuple[Ticket, Ticket]:
    """(the original ticket, the held one): a colleague answers Minji's mail."""
    email_channel.config = {"mismatched_sender": "hold"}
    email_channel.save(update_fields=["config"])
    original = factories.customer_writes(email_channel, sender=("email", "minji@example.com"))
    colleague = factories.customer_writes(
        email_channel,
        sender=("email", "colleague@example.com"),
        text="제가 대신 답장드립니다.",
        ticket_reference=original.ticket.reference,
    )
    return original.ticket, colleague.ticket


def test_agent_sees_a_banner_on_a_held_message(
    en_client: Client, held: tuple[Ticket, Ticket]
) -> None:
    original, ticket = held

    body = en_client.get(f"/tickets/{ticket.pk}/").content.decode()

    assert "Held for your decision" in body
    assert f"Append to {original.reference}" in body
    assert "Keep separate" in body


def test_agent_appends_a_held_message_to_the_original(
    en_client: Client, held: tuple[Ticket, Ticket]
) -> None:
    original, ticket = held

    response = en_client.post(f"/tickets/{ticket.pk}/held/", {"decision": "append"})

    assert response.status_code == 302
    assert response["Location"] == f"/tickets/{original.pk}/"
    texts = list(Message.objects.filter(ticket=original).values_list("text", flat=True))
    assert "제가 대신 답장드립니다." in texts
    ticket.refresh_from_db()
    assert ticket.merged_into_id == original.pk
    assert "held-sender-mismatch" not in ticket.tags


def test_agent_keeps_a_held_message_separate(
    en_client: Client, held: tuple[Ticket, Ticket]
) -> None:
    original, ticket = held

    en_client.post(f"/tickets/{ticket.pk}/held/", {"decision": "separate"})

    ticket.refresh_from_db()
    assert ticket.tags == []
    assert ticket.status == Status.OPEN
    assert ticket.merged_into_id is None
    assert original.messages.count() == 1
    body = en_client.get(f"/tickets/{ticket.pk}/").content.decode()
    assert "Held for your decision" not in body


def test_read_only_users_see_the_banner_without_the_buttons(
    readonly_client: Client, held: tuple[Ticket, Ticket]
) -> None:
    _, ticket = held

    body = readonly_client.get(f"/tickets/{ticket.pk}/").content.decode()

    assert "Held for your decision" in body
    assert "Keep separate" not in body


def test_a_held_message_stays_held_when_the_original_was_closed(
    en_client: Client, agent: object, held: tuple[Ticket, Ticket]
) -> None:
    original, ticket = held
    actions.do_change_status(ticket=original, actor=SYSTEM, status=Status.CLOSED)

    en_client.post(f"/tickets/{ticket.pk}/held/", {"decision": "append"})

    ticket.refresh_from_db()
    assert ticket.tags == ["held-sender-mismatch"]
    assert ticket.merged_into_id is None
    body = en_client.get(f"/tickets/{ticket.pk}/").content.decode()
    assert "Cannot merge into a closed or merged ticket." in body


def test_a_held_message_is_appended_where_the_original_was_merged(
    en_client: Client, email_channel: Channel, held: tuple[Ticket, Ticket]
) -> None:
    original, ticket = held
    newer = factories.customer_writes(
        email_channel, sender=("email", "minji@example.com"), text="다른 문의"
    ).ticket
    actions.do_merge_tickets(source=original, target=newer, actor=SYSTEM)

    response = en_client.post(f"/tickets/{ticket.pk}/held/", {"decision": "append"})

    assert response["Location"] == f"/tickets/{newer.pk}/"
    ticket.refresh_from_db()
    assert ticket.merged_into_id == newer.pk


def test_a_customer_who_wrote_with_a_bare_address_is_shown_by_that_address(
    agent_client: Client, email_channel: Channel
):
    raw = (
        b"From: jiwoo.lee@example.net\r\nTo: support@example.com\r\nSubject: bare address\r\n"
        b"Message-ID: <bare-address@example.net>\r\nContent-Type: text/plain; charset=utf-8\r\n"
        b"\r\nhello\r\n"
    )
    ticket = mail_in(email_channel, raw).ticket

    inbox = agent_client.get("/").content.decode()
    page = agent_client.get(f"/tickets/{ticket.pk}/").content.decode()

    for html in (inbox, page):
        assert "jiwoo.lee@example.net" in html
        assert f"#{ticket.customer_id}<" not in html
