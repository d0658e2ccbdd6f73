"""Customer mails for the transport tests, as the bytes a mail server hands over."""

from __future__ import annotations

import itertools
from email import policy
from email.message import EmailMessage
from email.utils import format_datetime, make_msgid

from django.utils import timezone

_seq = itertools.count(1)


def customer_mail(
    *,
    sender: str = "Minji Kim <minji@example.com>",
    to: str = "support@example.com",
    subject: str = "결제가 두 번 되었어요",
    text: str = "어제 결제가 두 번 되었습니다. 한 건 환불 부탁드립니다.",
    message_id: str = "",
    padding: int = 0,
) -> bytes:
    mail = EmailMessage()
    mail["From"] = sender
    mail["To"] = to
    mail["Subject"] = subject
    mail["Date"] = format_datetime(timezone.now())
    mail["Message-ID"] = message_id or make_msgid(f"t{next(_seq)}", domain="mail.example")
    mail.set_content(text + ("\n" + "x" * 76) * (padding // 77))
    # CRLF line ends, as mail travels over SMTP and sits in IMAP.
    return mail.as_bytes(policy=policy.SMTP)
