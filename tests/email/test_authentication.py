"""DKIM / SPF / DMARC verdicts are recorded, and forged ones are not believed."""

from __future__ import annotations

import base64
from email.message import EmailMessage
from typing import Any

import dkim
import dkim.dnsplug
import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from sangdam.connectors.email.parse import parse_email

HEADER = (
    "mx.example.com; dkim=pass header.d=customer.example header.s=s1; "
    "spf=fail smtp.mailfrom=customer.example; dmarc=fail header.from=customer.example"
)


def mail(**headers: str) -> bytes:
    message = EmailMessage()
    message["From"] = "minji@customer.example"
    message["To"] = "support@example.com"
    message["Subject"] = "환불 문의"
    message["Message-ID"] = "<auth-1@customer.example>"
    for name, value in headers.items():
        message[name.replace("_", "-")] = value
    message.set_content("결제가 두 번 되었어요.")
    return message.as_bytes()


def auth_of(raw: bytes) -> dict[str, Any]:
    parsed = parse_email(raw, channel_id=1)
    assert parsed.inbound is not None
    result: dict[str, Any] = parsed.inbound.message_metadata["email"]["authentication"]
    return result


def test_verdicts_from_our_own_receiving_server_are_recorded_as_trusted(settings):
    settings.EMAIL_AUTHSERV_IDS = ["mx.example.com"]

    auth = auth_of(mail(Authentication_Results=HEADER))

    assert auth["trusted"] is True
    assert (auth["dkim"], auth["spf"], auth["dmarc"]) == ("pass", "fail", "fail")
    assert auth["dkim_details"]["header.d"] == "customer.example"


def test_a_verdict_from_an_unknown_server_is_marked_untrusted(settings):
    settings.EMAIL_AUTHSERV_IDS = ["mx.example.com"]

    auth = auth_of(mail(Authentication_Results=HEADER.replace("mx.example.com", "forger.example")))

    assert auth["trusted"] is False
    assert auth["authserv_id"] == "forger.example"


def test_only_the_topmost_header_counts(settings):
    settings.EMAIL_AUTHSERV_IDS = ["mx.example.com"]
    raw = mail(Authentication_Results="mx.example.com; dkim=fail header.d=customer.example")
    forged_below = raw.replace(
        b"Content-Type", b"Authentication-Results: " + HEADER.encode() + b"\nContent-Type", 1
    )

    assert auth_of(forged_below)["dkim"] == "fail"


@pytest.fixture
def signed_mail(monkeypatch: pytest.MonkeyPatch) -> bytes:
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    private = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.TraditionalOpenSSL,
        serialization.NoEncryption(),
    )
    public = key.public_key().public_bytes(
        serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
    )
    txt = b"v=DKIM1; k=rsa; p=" + base64.b64encode(public)

    def get_txt(name: bytes, timeout: int = 5) -> bytes | None:
        # The DNS of the outside world, replaced at dkimpy's own lookup seam.
        return txt if name == b"s1._domainkey.customer.example." else None

    monkeypatch.setattr(dkim.dnsplug, "get_txt", get_txt)
    raw = mail()
    signature = dkim.sign(raw, b"s1", b"customer.example", private)
    return signature + raw


def test_with_dkim_checking_on_a_signed_mail_is_verified_by_us(settings, signed_mail):
    settings.EMAIL_VERIFY_DKIM = True

    auth = auth_of(signed_mail)

    assert (auth["authserv_id"], auth["dkim"], auth["trusted"]) == ("sangdam", "pass", True)


def test_with_dkim_checking_on_an_altered_mail_fails(settings, signed_mail):
    settings.EMAIL_VERIFY_DKIM = True

    altered = signed_mail.replace(b"From: minji@", b"From: mallo@")
    assert altered != signed_mail

    auth = auth_of(altered)

    assert auth["dkim"] == "fail"


def test_with_dkim_checking_on_a_forged_header_does_not_replace_our_check(settings, signed_mail):
    settings.EMAIL_VERIFY_DKIM = True
    forged = b"Authentication-Results: " + HEADER.encode() + b"\r\n" + signed_mail

    auth = auth_of(forged)

    assert auth["authserv_id"] == "sangdam"
    assert auth["untrusted_header"]["authserv_id"] == "mx.example.com"
