"""Writes tests/email/corpus/*.eml and expected.json: ``python -m tests.email.corpus_make``.

The mails copy the shapes real clients and servers produce (Gmail, Outlook, Naver,
Daum, Apple Mail, Exchange, Postfix, Exim) byte for byte where it matters: charsets,
transfer encodings, header folding, boundaries. They are written by code because
EUC-KR, ISO-2022 and base64 bodies cannot be typed by hand; the files are committed,
so the tests read fixed bytes. This package holds the shared helpers; one module per
family of mails.
"""

from __future__ import annotations

import base64
import quopri
from pathlib import Path
from typing import Any

OUT = Path(__file__).parent.parent / "corpus"
CORPUS: dict[str, tuple[bytes, dict[str, Any]]] = {}


def b64(data: bytes) -> str:
    return base64.encodebytes(data).decode("ascii")


def qp(data: bytes) -> str:
    return quopri.encodestring(data).decode("ascii")


def bword(text: str, label: str = "UTF-8", codec: str = "utf-8") -> str:
    """One RFC 2047 B-encoded word, with the charset label a given client writes."""
    return f"=?{label}?B?{base64.b64encode(text.encode(codec)).decode()}?="


def mail(name: str, head: str, body: bytes | str, **expect: Any) -> None:
    raw = head.strip("\n").replace("\n", "\r\n").encode("ascii") + b"\r\n\r\n"
    raw += (body.encode() if isinstance(body, str) else body).replace(b"\n", b"\r\n")
    CORPUS[name] = (raw, expect)


GMAIL_TEXT = "안녕하세요, 어제 결제한 건 환불 부탁드립니다.\n주문번호 20261123-0042\n"
APPLE_TEXT = "이 화면이 떠요.\n\n[image: error.png]\n"
COMMON = """Received: from mx.example.net (mx.example.net [203.0.113.7])
\tby mail.example.com (Postfix) with ESMTPS id 4Xb2kQ1z9Lz1;
\tTue, 24 Nov 2026 09:12:44 +0900 (KST)
Date: Tue, 24 Nov 2026 09:12:40 +0900
MIME-Version: 1.0
To: support@example.com"""
