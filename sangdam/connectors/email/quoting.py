"""What the customer wrote this time, without the quoted history and the signature.

mail-parser-reply does the splitting (its patterns cover English, Korean, Japanese and
European clients). A few separators it lacks are added here: Gmail's Korean
attribution ("…님이 작성:"), the "Original Message" rules of Naver, Daum and Outlook, and
a trailing block of ``>`` lines. When stripping would leave nothing (a mail that is all
quote, or a misfire), the full text is kept: losing words is worse than showing too many.
"""

from __future__ import annotations

import re

from mailparser_reply import EmailReplyParser

LANGUAGES = ["ko", "en", "ja", "de", "fr", "es"]
EXTRA_SEPARATORS = re.compile(
    r"^(?:"
    r".{0,120}님이 작성(?:하였습니다|했습니다)?:\s*$"  # Gmail / Naver in Korean
    r"|-{2,}\s*(?:Original Message|원본 메시지|원본 메일)\s*-{2,}"
    r"|On .{0,200} wrote:\s*$"  # English attribution, including the wrapped variant
    r"|\d{4}[.-]\s?\d{1,2}[.-]\s?\d{1,2}.{0,80}(?:wrote|작성):\s*$"
    r")",
    re.IGNORECASE | re.MULTILINE,
)
SIGNATURE = re.compile(
    r"^(?:-- ?|Sent from my \w+.*|iPhone에서 보냄|Galaxy에서 보냄.*)$", re.MULTILINE
)


# "Fwd:", "FW:", "전달:", "転送:": a forwarded mail's history is its content.
FORWARD_SUBJECT = re.compile(r"^\s*(?:fwd?|전달|転送|转发)\s*[:：]", re.IGNORECASE)


def latest_reply(text: str, *, subject: str = "") -> str:
    """The newest part of a mail body; the full text if nothing sensible remains.

    A forwarded mail is kept whole: what the customer forwards (an order confirmation,
    a colleague's complaint) is what they want us to read.
    """
    full = text.replace("\r\n", "\n").strip()
    if not full or FORWARD_SUBJECT.match(subject):
        return full
    try:
        parsed = EmailReplyParser(languages=list(LANGUAGES)).read(full)
        reply = parsed.replies[0].body if parsed.replies else full
    except Exception:  # a regex library must never cost us the mail
        reply = full
    separator = EXTRA_SEPARATORS.search(reply)
    if separator:
        reply = reply[: separator.start()]
    signature = SIGNATURE.search(reply)
    if signature:
        reply = reply[: signature.start()]
    reply = _drop_trailing_quote(reply).strip()
    # The library strips every line; when nothing was cut, keep the text as written.
    if reply == "\n".join(line.strip() for line in full.split("\n")).strip():
        return full
    return reply or full


def _drop_trailing_quote(text: str) -> str:
    lines = text.rstrip().splitlines()
    end = len(lines)
    while end and (lines[end - 1].lstrip().startswith(">") or not lines[end - 1].strip()):
        end -= 1
    return "\n".join(lines[:end])
