"""Our replies thread in the customer's client, carry HTML, mark automatic mail, sign DKIM."""

from __future__ import annotations

import base64
import email
from email import policy
from email.message import EmailMessage
from typing import Any

import dkim
import pytest
from aiosmtpd.controller import Controller
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa
from django.core import mail as django_mail

from sangdam.connectors.base import OutboundMessage
from sangdam.connectors.email.connector import EmailConnector
from sangdam.connectors.email.parse import parse_email
from sangdam.connectors.models import Channel
from tests import factories
from tests.delivery.smtp_server import free_port

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _locmem(settings) -> None:
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


def outbound(**fields: object) -> OutboundMessage:
    values: dict[str, object] = {
        "message_id": 1,
        "ticket_reference": "SD-100001",
        "subject": "환불 문의",
        "text": "환불을 접수했습니다.\n3일 안에 입금됩니다.",
        "html": "",
        "recipient": "minji@example.com",
        "recipient_name": "김민지",
        "in_reply_to": ("<first@mail.customer.example>", "<reply-1@example.com>"),
    }
    values.update(fields)
    return OutboundMessage(**values)  # type: ignore[arg-type]


def sent(channel: Channel, message: OutboundMessage) -> tuple[str, bytes]:
    message_id = EmailConnector().send(channel, message)
    return message_id, django_mail.outbox[-1].message().as_bytes(linesep="\r\n")


def parsed(raw: bytes) -> EmailMessage:
    result = email.message_from_bytes(raw, policy=policy.default)
    assert isinstance(result, EmailMessage)
    return result


def test_a_reply_carries_the_thread_headers_and_the_reference(email_channel):
    message_id, raw = sent(email_channel, outbound())

    mail = parsed(raw)
    assert mail["Message-ID"] == message_id
    assert mail["In-Reply-To"] == "<reply-1@example.com>"
    assert mail["References"] == "<first@mail.customer.example> <reply-1@example.com>"
    assert mail["Subject"] == "Re: 환불 문의 [SD-100001]"


def test_a_plain_text_reply_is_sent_as_text_and_html_alternatives(email_channel):
    _, raw = sent(email_channel, outbound())

    mail = parsed(raw)
    assert mail.get_content_type() == "multipart/alternative"
    html = mail.get_body(("html",))
    assert html is not None
    assert "환불을 접수했습니다.<br>3일 안에 입금됩니다." in html.get_content()


def test_an_agent_reply_is_not_marked_automatic(email_channel):
    _, raw = sent(email_channel, outbound())

    assert parsed(raw)["Auto-Submitted"] is None


def test_an_automatic_mail_says_auto_submitted_so_autoresponders_stay_quiet(email_channel):
    _, raw = sent(email_channel, outbound(automatic=True))

    assert parsed(raw)["Auto-Submitted"] == "auto-replied"
    assert parse_email(raw, channel_id=email_channel.pk).auto_submitted is True


def test_our_reply_threads_back_onto_the_ticket_when_the_customer_answers(email_channel):
    message_id, raw = sent(email_channel, outbound())
    answer = EmailMessage()
    answer["From"] = "minji@example.com"
    answer["Subject"] = parsed(raw)["Subject"]
    answer["Message-ID"] = "<answer@mail.customer.example>"
    answer["In-Reply-To"] = message_id
    answer["References"] = f"{parsed(raw)['References']} {message_id}"
    answer.set_content("고맙습니다")

    result = parse_email(answer.as_bytes(), channel_id=email_channel.pk)

    assert result.inbound is not None
    assert result.inbound.ticket_reference == "SD-100001"
    assert result.inbound.in_reply_to[0] == message_id
    assert result.inbound.thread_key == "<first@mail.customer.example>"


def _key_pair() -> tuple[str, bytes]:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    ).decode()
    public = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    return private, b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)


def test_a_reply_is_dkim_signed_with_the_channel_key_and_verifies():
    private, txt = _key_pair()
    channel = factories.make_channel(
        "email",
        address="help@sangdam.example",
        config={"dkim_selector": "sd2026"},
        secrets={"dkim_private_key": private},
    )

    _, raw = sent(channel, outbound(html="<p>환불을 <b>접수</b>했습니다.</p>"))

    assert b"DKIM-Signature:" in raw
    assert b"d=sangdam.example" in raw and b"s=sd2026" in raw

    def dns(name: bytes, timeout: int = 5) -> bytes:
        assert name == b"sd2026._domainkey.sangdam.example."
        return txt

    assert dkim.verify(raw, dnsfunc=dns)


def test_a_tampered_signed_reply_fails_verification():
    private, txt = _key_pair()
    channel = factories.make_channel(
        "email",
        address="help@sangdam.example",
        config={"dkim_selector": "sd2026"},
        secrets={"dkim_private_key": private},
    )

    _, raw = sent(channel, outbound())

    tampered = raw.replace(b"To: minji@example.com", b"To: evil@example.com")
    assert tampered != raw
    assert not dkim.verify(tampered, dnsfunc=lambda name, timeout=5: txt)


class RawSink:
    """Keeps the bytes exactly as they crossed the SMTP socket."""

    def __init__(self) -> None:
        self.raw: list[bytes] = []

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.raw.append(envelope.original_content or envelope.content)
        return "250 OK"


def test_a_signed_reply_still_verifies_after_crossing_a_real_smtp_server():
    private, txt = _key_pair()
    sink, port = RawSink(), free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        channel = factories.make_channel(
            "email",
            address="help@sangdam.example",
            config={"dkim_selector": "sd2026", "smtp_host": "127.0.0.1", "smtp_port": port},
            secrets={"dkim_private_key": private},
        )
        EmailConnector().send(channel, outbound(html="<p>환불을 <b>접수</b>했습니다.</p>"))
    finally:
        controller.stop()

    assert dkim.verify(sink.raw[0], dnsfunc=lambda name, timeout=5: txt)


def test_without_a_key_the_reply_is_sent_unsigned(email_channel):
    _, raw = sent(email_channel, outbound())

    assert b"DKIM-Signature" not in raw
