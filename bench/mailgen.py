"""Mixed inbound mail for ``email.py``: conversations of one to three messages.

The mix is what customers really send, so the bench measures the parser on real work:
about 20 % Korean (UTF-8, EUC-KR and CP949, with RFC 2047 encoded subjects and names),
HTML-only mails, multipart/alternative, small PNG or PDF attachments, replies quoting
the previous message. Replies carry ``In-Reply-To`` and ``References`` as mail clients
write them, and :func:`delivery_order` shuffles the whole lot, so many replies arrive
before the mail they answer. Deterministic for a given seed.
"""

from __future__ import annotations

import random
import struct
import zlib
from dataclasses import dataclass
from email.header import Header
from email.mime.application import MIMEApplication
from email.mime.base import MIMEBase
from email.mime.image import MIMEImage
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from email.policy import compat32
from email.utils import formataddr, formatdate

SUPPORT = "support@example.com"
KOREAN = [
    "결제가 두 번 되었어요. 한 건은 환불 부탁드립니다.",
    "앱이 로그인 화면에서 계속 멈춥니다. 확인 부탁드려요.",
    "구독을 해지했는데 이번 달에도 요금이 청구되었습니다.",
    "배송지 주소를 바꾸고 싶습니다. 아직 출고 전인가요?",
]
# Only in CP949 (Unified Hangul Code), not in EUC-KR: a mail labelled cp949 needs them.
CP949_ONLY = "똠방각하 똥꼬 쀍"
ENGLISH = [
    "I was charged twice for my subscription this month, please refund one.",
    "The app freezes on the login screen since the last update.",
    "Could you change the delivery address of my order before it ships?",
    "I cannot download my invoice from the account page.",
]
KOREAN_NAMES = ["김민준", "이서연", "박지호", "최수아", "정우진", "강하은"]
ENGLISH_NAMES = ["Alex Kim", "Jamie Park", "Sam Lee", "Robin Choi", "Taylor Jung"]


@dataclass(frozen=True)
class Mail:
    conversation: int
    message_id: str  # "<…>", as the intake stores it in Message.external_id
    sender: str
    raw: bytes
    k: int  # 0: the conversation's first mail
    korean: bool
    html_only: bool
    attachment: bool


def tiny_png() -> bytes:
    """A valid 1×1 PNG: attachment checks sniff the content, not the name."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(b"\x00\xff\x00\x00"))
        + chunk(b"IEND", b"")
    )


def tiny_pdf() -> bytes:
    return (
        b"%PDF-1.4\n1 0 obj<</Type/Catalog/Pages 2 0 R>>endobj\n"
        b"2 0 obj<</Type/Pages/Kids[3 0 R]/Count 1>>endobj\n"
        b"3 0 obj<</Type/Page/Parent 2 0 R/MediaBox[0 0 200 200]>>endobj\n"
        b"trailer<</Root 1 0 R>>\n%%EOF\n"
    )


PNG, PDF = tiny_png(), tiny_pdf()


def _body(text: str, html_only: bool, charset: str, alternative: bool) -> MIMEBase:
    html = f"<html><body><p>{text.replace(chr(10), '<br>')}</p></body></html>"
    if html_only:
        return MIMEText(html, "html", charset)
    if not alternative:
        return MIMEText(text, "plain", charset)
    part = MIMEMultipart("alternative")
    part.attach(MIMEText(text, "plain", charset))
    part.attach(MIMEText(html, "html", charset))
    return part


def build(
    *, conv: int, k: int, tag: str, sender: str, name: str, subject: str, text: str,
    charset: str, html_only: bool, attach: str, parents: list[str], rng: random.Random,
) -> tuple[str, bytes]:  # fmt: skip
    """One mail as a mail client would write it; (Message-ID, bytes)."""
    message_id = f"<{tag}.{conv}.{k}.{rng.randrange(10**9)}@mail.customer.example>"
    body = _body(text, html_only, charset, alternative=rng.random() < 0.3)
    if attach:
        mime: MIMEBase = MIMEMultipart("mixed")
        mime.attach(body)
        if attach == "png":
            file: MIMEBase = MIMEImage(PNG, "png")
            filename = (
                "스크린샷.png" if charset != "us-ascii" and rng.random() < 0.5 else "shot.png"
            )
        else:
            file, filename = MIMEApplication(PDF, "pdf"), "invoice.pdf"
        # RFC 2231 for a non-ASCII name, as current clients send it.
        file.add_header("Content-Disposition", "attachment", filename=("utf-8", "", filename))
        mime.attach(file)
    else:
        mime = body
    header_charset = "utf-8" if charset == "us-ascii" else charset
    mime["From"] = formataddr((name, sender), charset=header_charset)
    mime["To"] = SUPPORT
    mime["Subject"] = Header(subject, header_charset).encode()
    mime["Date"] = formatdate(localtime=False)
    mime["Message-ID"] = message_id
    if parents:
        mime["In-Reply-To"] = parents[-1]
        mime["References"] = " ".join(parents)
    # On the wire, mail has CRLF line ends (smtplib sends bytes as they are).
    return message_id, mime.as_bytes(policy=compat32.clone(linesep="\r\n"))


def conversations(count: int, tag: str, seed: int = 4) -> list[list[Mail]]:
    """Conversations totalling ``count`` mails; a customer may have several."""
    rng = random.Random(seed)
    customers = max(1, count // 5)
    result: list[list[Mail]] = []
    made = 0
    while made < count:
        conv = len(result)
        size = min(count - made, rng.choice([1, 2, 2, 3, 3]))
        who = rng.randrange(customers)
        sender = f"{tag}-customer{who}@customer.example"
        korean = rng.random() < 0.2
        charset = rng.choice(["utf-8", "euc-kr", "cp949"]) if korean else "us-ascii"
        names = KOREAN_NAMES if korean else ENGLISH_NAMES
        name = names[who % len(names)]
        texts = KOREAN if korean else ENGLISH
        subject = texts[conv % len(texts)].split(".")[0]
        mails: list[Mail] = []
        parents: list[str] = []
        previous = ""
        for k in range(size):
            text = texts[(conv + k) % len(texts)]
            if charset == "cp949":
                text += f" ({CP949_ONLY})"
            if previous:
                quoted = "\n".join(f"> {line}" for line in previous.splitlines())
                text += f"\n\n{name} wrote:\n{quoted}"
            html_only = rng.random() < 0.15
            attach = rng.choice(["png", "pdf"]) if rng.random() < 0.1 else ""
            message_id, raw = build(
                conv=conv, k=k, tag=tag, sender=sender, name=name,
                subject=subject if k == 0 else f"Re: {subject}", text=text,
                charset=charset, html_only=html_only, attach=attach, parents=parents, rng=rng,
            )  # fmt: skip
            mails.append(Mail(conv, message_id, sender, raw, k, korean, html_only, bool(attach)))
            parents.append(message_id)
            previous = text
        result.append(mails)
        made += size
    return result


def large_mails(count: int, megabytes: float, seed: int = 7) -> list[Mail]:
    """``count`` new inquiries of about ``megabytes`` each on the wire: a short Korean text
    and photos of random (incompressible) bytes, each under the attachment limit, base64
    encoded as mail clients send them. Each is its own conversation."""
    rng = random.Random(seed)
    per_file = 6 * 1024 * 1024
    files = max(1, round(megabytes * 1024 * 1024 * 3 / 4 / per_file))
    mails = []
    for conv in range(count):
        message_id = f"<large.{conv}.{rng.randrange(10**9)}@mail.customer.example>"
        mime = MIMEMultipart("mixed")
        mime.attach(MIMEText(KOREAN[conv % len(KOREAN)], "plain", "utf-8"))
        for n in range(files):
            photo = MIMEImage(PNG + rng.randbytes(per_file), "png")
            photo.add_header("Content-Disposition", "attachment", filename=f"photo{n}.png")
            mime.attach(photo)
        sender = f"large-customer{conv}@customer.example"
        mime["From"] = formataddr(("Large Sender", sender))
        mime["To"] = SUPPORT
        mime["Subject"] = Header("사진 첨부합니다", "utf-8").encode()
        mime["Date"] = formatdate(localtime=False)
        mime["Message-ID"] = message_id
        raw = mime.as_bytes(policy=compat32.clone(linesep="\r\n"))
        mails.append(Mail(conv, message_id, sender, raw, 0, True, False, True))
    return mails


def delivery_order(convs: list[list[Mail]], seed: int = 5) -> list[Mail]:
    """Every mail once, in random order: replies often come before their originals."""
    mails = [m for conv in convs for m in conv]
    random.Random(seed).shuffle(mails)
    return mails


def early_replies(order: list[Mail]) -> int:
    """How many replies are delivered before the first message of their conversation."""
    position = {m.message_id: i for i, m in enumerate(order)}
    firsts: dict[int, int] = {}
    for m in order:
        if m.k == 0:
            firsts[m.conversation] = position[m.message_id]
    return sum(1 for i, m in enumerate(order) if m.k and i < firsts[m.conversation])
