"""A large mail read from disk reads exactly as the same mail parsed in memory."""

from __future__ import annotations

import random
from email import policy
from email.message import EmailMessage
from pathlib import Path

from sangdam.connectors.email.parse import parse_email
from sangdam.connectors.email.spool import LIFT_BYTES, lift

PNG = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR"


def picture(seed: int) -> bytes:
    return PNG + random.Random(seed).randbytes(LIFT_BYTES)


def files(raw: bytes, spool_dir: Path | None) -> list[tuple[str, str, bytes]]:
    parsed = parse_email(raw, channel_id=1, spool_dir=spool_dir)
    assert parsed.inbound is not None
    return [
        (a.filename, a.content_type, Path(a.path).read_bytes() if a.path else a.content)
        for a in parsed.inbound.attachments
    ]


def newsletter_reply() -> EmailMessage:
    """HTML with an inline picture (multipart/related) and a file, as Outlook sends them."""
    mail = EmailMessage()
    mail["From"] = "minji@example.com"
    mail["To"] = "support@example.com"
    mail["Subject"] = "화면 캡처"
    mail.set_content("캡처 보냅니다")
    mail.add_alternative('<p>캡처 보냅니다 <img src="cid:shot@mail"></p>', subtype="html")
    html = mail.get_body(("html",))
    assert isinstance(html, EmailMessage)
    html.add_related(picture(1), maintype="image", subtype="png", cid="<shot@mail>")
    mail.add_attachment(picture(2), maintype="image", subtype="png", filename="receipt.png")
    return mail


def test_an_inline_picture_read_from_disk_keeps_its_place_in_the_html(tmp_path: Path):
    raw = newsletter_reply().as_bytes(policy=policy.SMTP)

    parsed = parse_email(raw, channel_id=1, spool_dir=tmp_path)

    assert parsed.inbound is not None
    assert all(a.path for a in parsed.inbound.attachments)  # both were decoded to disk
    assert files(raw, tmp_path) == files(raw, None)
    in_memory = parse_email(raw, channel_id=1).inbound
    assert in_memory is not None
    inline = parsed.inbound.message_metadata["email"]["inline_images"]
    assert inline == in_memory.message_metadata["email"]["inline_images"] != {}


def test_a_forwarded_mail_with_a_large_file_is_kept_whole_as_one_eml(tmp_path: Path):
    inner = newsletter_reply()
    outer = EmailMessage()
    outer["From"] = "minji@example.com"
    outer["To"] = "support@example.com"
    outer["Subject"] = "Fwd: 화면 캡처"
    outer.set_content("전달합니다")
    outer.add_attachment(inner)
    raw = outer.as_bytes(policy=policy.SMTP)

    assert lift(raw, tmp_path).files == {}
    assert [name for name, _, _ in files(raw, tmp_path)] == ["화면 캡처.eml"]
    assert files(raw, tmp_path) == files(raw, None)


def test_a_sender_cannot_point_a_part_at_a_file_it_did_not_send(tmp_path: Path):
    mail = newsletter_reply()
    receipt = next(mail.iter_attachments())
    assert isinstance(receipt, EmailMessage)
    receipt["X-Sangdam-Lifted"] = "0123456789abcdef-1"
    raw = mail.as_bytes(policy=policy.SMTP)

    assert files(raw, tmp_path) == files(raw, None)
