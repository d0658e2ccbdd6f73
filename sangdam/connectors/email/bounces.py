"""Bounces: which of our mails failed, for whom, why, and whether retrying can help.

RFC 3464 delivery status notifications are read field by field; the many servers that
still send free-text bounces (Exim, older Postfix, Naver, Daum, Exchange) are
recognised by flufl.bounce's detectors (Mailman's) and by their subjects, and the
failed mail's Message-ID is taken from the returned copy or headers they quote.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from email.message import EmailMessage, Message

from sangdam.connectors.email.decode import decode_bytes, raw_header, raw_items
from sangdam.connectors.email.loops import is_robot_address
from sangdam.connectors.email.threads import message_ids, normalize_message_id

BOUNCE_SUBJECTS = re.compile(
    r"undeliver|returned mail|returned to sender|delivery status notification \((failure|delay)|"
    r"delivery (has )?failed|mail delivery (failed|failure|subsystem)|failure notice|"
    r"delivery failure|could not be delivered|non[- ]?delivery|address not found|"
    r"warning: could not send|delayed mail|delivery (status notification \(delay|delayed)|"
    r"message status - undeliverable|"
    r"메일 ?(발송|전송|배달) ?(실패|불가|오류)|반송|전송 ?실패|配信エラー|退信",
    re.IGNORECASE,
)
DELAY_WORDS = re.compile(
    r"delayed|delay\)|will (be )?retr|still trying|warning: message|warning: could not send|"
    r"지연",
    re.IGNORECASE,
)
# What a free-text bounce says in its body, for bounces sent with the null sender but
# an unhelpful subject ("Your message"). An autoresponder's text says none of this.
BOUNCE_BODY = re.compile(
    r"(?:was|were|could) not (?:be )?delivered|undeliverable|delivery (?:has |to .{0,80})?failed|"
    r"permanent (?:fatal )?error|user unknown|no such (?:user|mailbox)|address not found|"
    r"mailbox (?:is )?(?:full|unavailable)|전송되지 못|전달되지 못|반송되었|配信できません",
    re.IGNORECASE,
)
SMTP_STATUS = re.compile(r"\b([245])\.(\d{1,3})\.(\d{1,3})\b")
SMTP_REPLY = re.compile(r"\b([45]\d\d)[ -](?:[45]\.\d{1,3}\.\d{1,3} )?([^\n]{0,200})")
QUOTED_MSGID = re.compile(r"^\s*>?\s*Message-ID:\s*(<[^>\s]+>)", re.IGNORECASE | re.MULTILINE)


@dataclass(frozen=True)
class BounceInfo:
    original_message_ids: tuple[str, ...]
    reason: str
    permanent: bool
    recipients: tuple[str, ...] = ()


def _text_of(part: Message) -> str:
    payload = part.get_payload(decode=True)
    if isinstance(payload, bytes):
        return decode_bytes(payload, part.get_content_charset())
    raw = part.get_payload()
    return raw if isinstance(raw, str) else ""


def _dsn_fields(message: Message) -> list[dict[str, str]]:
    """The per-recipient groups of every message/delivery-status part."""
    groups: list[dict[str, str]] = []
    for part in message.walk():
        if part.get_content_type() != "message/delivery-status":
            continue
        payload = part.get_payload()
        blocks = payload if isinstance(payload, list) else []
        for block in blocks:
            if not isinstance(block, Message):
                continue
            fields = {k.lower(): " ".join(v.split()) for k, v in raw_items(block)}
            if "action" in fields or "status" in fields:
                groups.append(fields)
    return groups


def _original_ids(message: Message, body: str) -> list[str]:
    ids: list[str] = []
    for part in message.walk():
        content_type = part.get_content_type()
        if content_type == "message/rfc822":
            inner = part.get_payload()
            inner = inner[0] if isinstance(inner, list) and inner else inner
            if isinstance(inner, Message) and raw_header(inner, "Message-ID"):
                ids.append(normalize_message_id(raw_header(inner, "Message-ID")))
        elif content_type == "text/rfc822-headers":
            ids += [m for m in QUOTED_MSGID.findall(_text_of(part))]
    ids += QUOTED_MSGID.findall(body)
    # Some servers answer "in reply to" the failed mail instead of quoting it.
    ids += message_ids(raw_header(message, "In-Reply-To"))
    return [i for i in dict.fromkeys(ids) if i]


def _plain_body(message: Message) -> str:
    texts = [
        _text_of(part)
        for part in message.walk()
        if part.get_content_type() == "text/plain"
        and part.get_content_disposition() != "attachment"
    ]
    return "\n".join(texts)


def detect_bounce(
    message: EmailMessage, *, sender: str, subject: str, null_sender: bool = False
) -> BounceInfo | None:
    """A :class:`BounceInfo` when this mail reports a failed delivery; else None.

    ``null_sender``: it came with the null reverse-path (``MAIL FROM:<>`` or
    ``Return-Path: <>``), which only bounces and autoresponders use.
    """
    is_dsn = (
        message.get_content_type() == "multipart/report"
        and str(message.get_param("report-type") or "").lower() == "delivery-status"
    )
    robot = is_robot_address(sender) or "mailer-daemon" in sender.lower() or null_sender
    if not (is_dsn or robot or BOUNCE_SUBJECTS.search(subject)):
        # The common case, decided cheaply: flufl's heuristics run only on suspects.
        return None
    groups = _dsn_fields(message) if is_dsn else []
    body = _plain_body(message)
    # flufl's detectors are loaded by the first suspect, not by every process.
    from flufl.bounce import all_failures

    try:
        temporary, permanent_set = all_failures(message)
    except Exception:  # a heuristic detector tripping on odd mail
        temporary, permanent_set = frozenset(), frozenset()
    subject_says = bool(BOUNCE_SUBJECTS.search(subject))
    flufl_says = bool(temporary or permanent_set)
    looks_like = (
        (robot and (subject_says or flufl_says or bool(BOUNCE_BODY.search(body))))
        # Exchange 2003 and some gateways write from an ordinary-looking address
        # ("System Administrator <admin@…>"): the subject and a detector must both agree.
        or (subject_says and flufl_says)
    )
    if not (is_dsn or looks_like):
        return None
    if is_dsn and groups and all(g.get("action", "").lower() == "delivered" for g in groups):
        # A success report (we never ask for them, but some servers send them anyway).
        return None
    recipients = [g.get("final-recipient", "").partition(";")[2].strip() for g in groups]
    recipients += [
        a.decode(errors="replace") if isinstance(a, bytes) else str(a)
        for a in (*permanent_set, *temporary)
    ]
    reason, permanent = _reason(groups, body, subject, bool(permanent_set), bool(temporary))
    return BounceInfo(
        original_message_ids=tuple(_original_ids(message, body)),
        reason=reason,
        permanent=permanent,
        recipients=tuple(r for r in dict.fromkeys(recipients) if r),
    )


def _reason(
    groups: list[dict[str, str]], body: str, subject: str, has_permanent: bool, has_temporary: bool
) -> tuple[str, bool]:
    for group in groups:
        action = group.get("action", "").lower()
        status = group.get("status", "")
        diagnostic = group.get("diagnostic-code", "").partition(";")[2].strip() or group.get(
            "diagnostic-code", ""
        )
        permanent = action == "failed" or status.startswith("5")
        if action in ("failed", "delayed") or status[:1] in ("4", "5"):
            text = " ".join(x for x in (status, diagnostic) if x) or action
            return text[:500], permanent and action != "delayed"
    reply = SMTP_REPLY.search(body)
    code = SMTP_STATUS.search(body)
    reason = ""
    if reply:
        reason = f"{reply.group(1)} {reply.group(2).strip()}"
    elif code:
        reason = code.group(0)
    else:
        lines = [line.strip() for line in body.splitlines() if line.strip()]
        reason = " ".join(lines[:3])
    delayed = bool(DELAY_WORDS.search(subject)) or (has_temporary and not has_permanent)
    if reply:
        permanent = reply.group(1).startswith("5")
    elif code:
        permanent = code.group(1) == "5"
    else:
        permanent = not delayed
    return (reason or subject)[:500], permanent and not delayed
