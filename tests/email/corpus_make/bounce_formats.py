"""Writes tests/email/bounces/*.eml and index.json: ``python -m tests.email.corpus_make.bounce_formats``.

The formats live in bounce_reports.py (RFC 3464) and bounce_freetext.py; this module has
their shared helpers and writes the files.

Bounces as the mail servers of the world write them: RFC 3464 reports (Postfix, Exim,
Sendmail, Gmail, Microsoft 365, Naver, Daum, Yahoo, AOL, Amazon SES, Zimbra, Domino,
GroupWise, MDaemon) and the free-text kinds that predate it (classic Exim, qmail, old
Sendmail and Postfix, Exchange 2003, Lotus Notes, GroupWise, Yahoo, AOL, Hotmail,
IMail/SMTP32, Netscape, Sina, Korean and Japanese webmail). The shapes follow what
flufl.bounce's detectors recognise and samples seen in the wild; addresses, hosts and
ids are our own. Every one must open no ticket; those that quote our mail's Message-ID
must mark it failed (or leave it alone when the server is still trying).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

OUT = Path(__file__).parent.parent / "bounces"
FILES: dict[str, tuple[bytes, dict[str, Any]]] = {}
DATE = "Tue, 24 Nov 2026 09:20:01 +0900"
RCPT = "nobody@customer.example"


def original_headers(n: int) -> str:
    return (
        f"Return-Path: <support@example.com>\n"
        f"From: Support <support@example.com>\n"
        f"To: {RCPT}\n"
        f"Subject: Re: 환불 문의 [SD-100{n:03d}]\n"
        f"Date: Tue, 24 Nov 2026 09:19:40 +0900\n"
        f"Message-ID: <sd-out-{n}@example.com>\n"
        f"MIME-Version: 1.0\n"
        f"Content-Type: text/plain; charset=utf-8\n"
    )


def add(
    name: str,
    *,
    sender: str,
    subject: str,
    body: str,
    content_type: str = "text/plain; charset=us-ascii",
    null: str = "header",  # "header": Return-Path: <>; "envelope": MAIL FROM:<> only; "none"
    original: int | None = None,
    permanent: bool = True,
    extra: str = "",
) -> None:
    head = ""
    if null == "header":
        head += "Return-Path: <>\n"
    head += (
        f"Received: by mx.example.com (Postfix) id 4Xb3; {DATE}\n"
        f"Date: {DATE}\nFrom: {sender}\nTo: support@example.com\nSubject: {subject}\n"
        f"Message-ID: <bounce-{name}@mx.bounce.example>\nMIME-Version: 1.0\n"
        f"Content-Type: {content_type}\n{extra}"
    )
    raw = (head.rstrip("\n") + "\n\n" + body).replace("\r\n", "\n").replace("\n", "\r\n")
    FILES[f"{name}.eml"] = (
        raw.encode("utf-8"),
        {
            "envelope_null": null != "none",
            "original": f"<sd-out-{original}@example.com>" if original else "",
            "permanent": permanent,
        },
    )


def dsn(
    name: str,
    *,
    sender: str,
    subject: str,
    human: str,
    reporting: str,
    status: str = "5.1.1",
    action: str = "failed",
    diagnostic: str = "smtp; 550 5.1.1 User unknown",
    returned: str = "message",  # "message", "headers" or "none"
    original: int | None = None,
    null: str = "header",
    human_type: str = "text/plain; charset=us-ascii",
) -> None:
    """An RFC 3464 multipart/report."""
    boundary = f"=_{name}_boundary"
    parts = [
        f"--{boundary}\nContent-Type: {human_type}\nContent-Description: Notification\n\n{human}\n",
        f"--{boundary}\nContent-Type: message/delivery-status\n\n"
        f"Reporting-MTA: dns; {reporting}\nArrival-Date: {DATE}\n\n"
        f"Final-Recipient: rfc822; {RCPT}\nOriginal-Recipient: rfc822;{RCPT}\n"
        f"Action: {action}\nStatus: {status}\nDiagnostic-Code: {diagnostic}\n",
    ]
    if original and returned == "message":
        parts.append(
            f"--{boundary}\nContent-Type: message/rfc822\n\n{original_headers(original)}\n"
            "확인했습니다. 환불은 3일 안에 처리됩니다.\n"
        )
    elif original and returned == "headers":
        parts.append(
            f"--{boundary}\nContent-Type: text/rfc822-headers\n\n{original_headers(original)}"
        )
    body = "This is a MIME-encapsulated message.\n\n" + "\n".join(parts) + f"--{boundary}--\n"
    add(
        name,
        sender=sender,
        subject=subject,
        body=body,
        content_type=f'multipart/report; report-type=delivery-status;\n\tboundary="{boundary}"',
        null=null,
        original=original,
        permanent=action == "failed",
    )


def quoted(n: int | None) -> str:
    """The failed mail's headers as free-text bounces append them."""
    return original_headers(n) + "\n확인했습니다.\n" if n else ""


def main() -> None:
    # Imported here: both modules use this one's helpers. They fill the FILES of the
    # module by its package name (run with -m, this file is also __main__).
    from tests.email.corpus_make import bounce_formats
    from tests.email.corpus_make.bounce_freetext import free_text
    from tests.email.corpus_make.bounce_reports import rfc3464

    rfc3464()
    free_text()
    files = bounce_formats.FILES
    OUT.mkdir(exist_ok=True)
    for old in OUT.glob("*.eml"):
        old.unlink()
    index = {}
    for name, (raw, expect) in sorted(files.items()):
        (OUT / name).write_bytes(raw)
        index[name] = expect
    (OUT / "index.json").write_text(
        json.dumps(index, ensure_ascii=False, indent=1, sort_keys=True) + "\n", encoding="utf-8"
    )
    print(f"wrote {len(files)} bounces to {OUT}")


if __name__ == "__main__":
    main()
