"""Inbound mail: raw RFC 5322 bytes → :class:`ParsedEmail` → the intake.

The transports (SMTP receiver, IMAP poller) hand every mail to :func:`process_email`
and acknowledge it only after it returns; it raises only when the database fails, so
the sender retries. Parsing never raises: a mail we cannot fully read becomes a
message with what could be decoded, or is ignored with a reason.
"""

from __future__ import annotations

import functools
import logging
import shutil
import tempfile
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.parser import BytesParser
from email.policy import EmailPolicy
from email.utils import getaddresses
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sangdam.connectors.base import InboundMessage, SenderIdentity
from sangdam.connectors.email import threads
from sangdam.connectors.email.authresults import (
    authentication,
    describe_verdicts,
    sender_authenticated,
)
from sangdam.connectors.email.bounces import BounceInfo, detect_bounce
from sangdam.connectors.email.decode import decode_header_value, unsmuggle
from sangdam.connectors.email.htmlbody import clean_html, html_to_text
from sangdam.connectors.email.loops import (
    classify,
    is_null_sender,
    is_robot_address,
    spam_verdict,
)
from sangdam.connectors.email.mime import extract
from sangdam.connectors.email.quoting import latest_reply
from sangdam.connectors.email.spool import SPOOL_BYTES, CannotLift, Raw, lift, read_all, size_of

log = logging.getLogger(__name__)

MAX_ADDRESS = 254
if TYPE_CHECKING:
    _EmailPolicy = EmailPolicy[EmailMessage]
else:  # not generic at run time
    _EmailPolicy = EmailPolicy

# The headers the stdlib reads again and again while walking a mail's parts, kept parsed
# when their value is at most this long. A parsed header is large (a 500-character
# Content-Type is ~24 KB, a 2,000-character To ~500 KB): 256 short ones stay a few MB.
ONCE_HEADERS = frozenset({"content-type", "content-disposition", "content-transfer-encoding"})
ONCE_MAX_CHARS = 500


class _OncePolicy(_EmailPolicy):
    """``email.policy.default``, with the content headers of each part parsed once.

    The standard policy parses a header again each time it is read, and walking a mail's
    parts reads each part's Content-Type a dozen times (the stdlib's own ``get_content``
    and ``is_attachment`` included): a fifth of the intake's CPU per mail. Parsed headers
    are immutable strings with their parse, so one parse serves every later read.
    """

    def header_fetch_parse(self, name: str, value: str) -> Any:
        if (
            hasattr(value, "name")
            or len(value) > ONCE_MAX_CHARS
            or name.lower() not in ONCE_HEADERS
        ):
            return super().header_fetch_parse(name, value)
        return _parsed_header(self, name, value)


@functools.lru_cache(maxsize=256)
def _parsed_header(policy: _OncePolicy, name: str, value: str) -> Any:
    return EmailPolicy.header_fetch_parse(policy, name, value)


POLICY = _OncePolicy()

__all__ = ["BounceInfo", "ParsedEmail", "parse_email", "process_email"]


@dataclass(frozen=True)
class ParsedEmail:
    inbound: InboundMessage | None  # None: this mail must not open or extend a ticket
    kind: str  # "message", "auto_reply", "list", "bounce" or "ignored"
    message_id: str
    bounce: BounceInfo | None = None
    auto_submitted: bool = False  # True: never send an automatic answer to this sender
    reason: str = ""  # why ``inbound`` is None, for the transport's log
    sender: str = ""
    subject: str = ""
    # The header by which the receiving server flagged it as spam ("" when it did not).
    spam: str = ""
    notes: tuple[str, ...] = field(default=())


class Headers:
    """Decoded header values, read from the raw header lines the parser kept."""

    def __init__(self, message: EmailMessage) -> None:
        self.raw: dict[str, list[str]] = {}
        try:
            items = list(message.raw_items())
        except Exception:
            items = []
        for name, value in items:
            # NUL never belongs in a header, and PostgreSQL refuses it in any text.
            # Raw 8-bit bytes (kept as surrogate escapes) are decoded here, once: no
            # surrogate may reach a Message-ID, an address or the database.
            value = unsmuggle(str(value)).replace("\x00", "")
            self.raw.setdefault(name.lower(), []).append(value)

    def first(self, name: str) -> str:
        values = self.raw.get(name.lower())
        return decode_header_value(values[0]) if values else ""

    def raw_first(self, name: str) -> str:
        values = self.raw.get(name.lower())
        return " ".join(values[0].split()) if values else ""

    def addresses(self, *names: str) -> list[tuple[str, str]]:
        """(display name, address) pairs; names decoded after splitting, so a comma
        inside an encoded display name cannot split an address."""
        values = [v for n in names for v in self.raw.get(n.lower(), [])]
        try:
            pairs = getaddresses(values)
        except Exception:
            pairs = []
        return [(decode_header_value(n), a.strip()) for n, a in pairs if "@" in a]


def parse_email(
    raw: Raw,
    *,
    channel_id: int,
    envelope_from: str = "",
    envelope_to: tuple[str, ...] = (),
    spool_dir: Path | None = None,
) -> ParsedEmail:
    """Read one mail. ``envelope_from``: "" when unknown, "<>" for the null sender.

    ``spool_dir``: decode the mail's large files into this folder (spool.py) instead of
    parsing them in memory; they must outlive the returned message's intake.
    """
    fallback_id = threads.synthetic_message_id(raw)
    try:
        lifted: dict[str, Path] = {}
        text = None
        if spool_dir is not None:
            try:
                stand_in = lift(raw, spool_dir)
                text, lifted = stand_in.raw, stand_in.files
            except CannotLift as exc:
                log.info("mail %s parsed whole in memory: %s", fallback_id, exc)
        message = BytesParser(policy=POLICY).parsebytes(read_all(raw) if text is None else text)
        assert isinstance(message, EmailMessage)
        return _parse(message, raw, lifted, channel_id, envelope_from, envelope_to, fallback_id)
    except Exception as exc:
        # Last line of defence: the stdlib parser is lenient, so this is a bug of ours
        # on strange input. Log it with the id so the raw mail can be found and replayed.
        log.exception("could not parse mail %s", fallback_id)
        return ParsedEmail(
            inbound=None, kind="ignored", message_id=fallback_id, reason=f"unreadable: {exc!r}"
        )


def _parse(
    message: EmailMessage,
    raw: Raw,
    lifted: dict[str, Path],
    channel_id: int,
    envelope_from: str,
    envelope_to: tuple[str, ...],
    fallback_id: str,
) -> ParsedEmail:
    headers = Headers(message)
    message_id = threads.normalize_message_id(headers.raw_first("Message-ID")) or fallback_id
    message_id = message_id[:300]
    subject = headers.first("Subject")
    senders = headers.addresses("From") or headers.addresses("Sender")
    sender_name, sender = senders[0] if senders else ("", "")
    if not sender and envelope_from.strip("<> "):
        sender = envelope_from.strip("<> ")
    sender = sender.strip("<> ")

    null_sender = is_null_sender(headers.raw, envelope_from)
    bounce = detect_bounce(
        message, sender=sender or envelope_from, subject=subject, null_sender=null_sender
    )
    if bounce is not None:
        return ParsedEmail(
            inbound=None,
            kind="bounce",
            message_id=message_id,
            bounce=bounce,
            auto_submitted=True,
            reason="bounce",
            sender=sender,
            subject=subject,
        )
    if (
        message.get_content_type() == "multipart/report"
        and str(message.get_param("report-type") or "").lower() == "disposition-notification"
    ):
        # A read receipt: it tells nothing an agent must answer.
        return ParsedEmail(
            inbound=None,
            kind="ignored",
            message_id=message_id,
            auto_submitted=True,
            reason="read receipt",
            sender=sender,
            subject=subject,
        )
    from_address = sender
    reply_to = headers.addresses("Reply-To")
    if is_robot_address(sender) and reply_to and not is_robot_address(reply_to[0][1]):
        # A form or shop system writing for a person ("no-reply@…, Reply-To: the
        # customer"): the customer is the one to answer.
        sender_name, sender = reply_to[0]
    automation = classify(headers.raw, sender=sender, envelope_from=envelope_from, subject=subject)
    if not sender or len(sender) > MAX_ADDRESS or any(c.isspace() for c in sender):
        # Nobody to answer, or an address no mail server would accept (RFC 5321 caps a
        # path at 256 octets): refusing it here keeps it from failing in the database.
        return ParsedEmail(
            inbound=None,
            kind="ignored",
            message_id=message_id,
            auto_submitted=True,
            reason="no sender address" if not sender else "invalid sender address",
            subject=subject,
        )

    bodies = extract(message, lifted)
    cleaned = clean_html(bodies.html)
    full_text = bodies.text.strip() or html_to_text(cleaned.html)
    text = latest_reply(full_text, subject=subject)
    in_reply_to = threads.reply_chain(
        headers.raw_first("In-Reply-To"), headers.raw_first("References")
    )
    recipients = [a for _, a in headers.addresses("To", "Cc", "Delivered-To", "X-Original-To")]
    reference = threads.reference_in_subject(subject) or threads.reference_in_addresses(
        [*envelope_to, *recipients]
    )
    email_meta: dict[str, Any] = {
        "message_id": message_id,
        "kind": automation.kind,
        "in_reply_to": list(in_reply_to),
        "to": recipients[:20],
        "date": headers.first("Date")[:100],
    }
    if from_address != sender:
        email_meta["from"] = from_address
    if automation.auto_submitted:
        email_meta["auto_submitted"] = True
        email_meta["automation"] = list(automation.reasons)
    html = cleaned.html
    if text != full_text:
        # The agent first sees the newest part (the console shows a message's HTML when
        # it has one, so the HTML with its quoted history moves to the metadata too);
        # the whole mail stays one click away.
        email_meta["full_text"] = full_text
        if html:
            email_meta["full_html"] = html
            html = ""
    if cleaned.remote_images:
        email_meta["remote_images"] = cleaned.remote_images[:50]
    if bodies.inline:
        email_meta["inline_images"] = bodies.inline
    auth = authentication(raw, headers.raw.get("authentication-results", []))
    if auth:
        email_meta["authentication"] = auth
    unverified_claim = ""
    if reference and not sender_authenticated(auth, from_address):
        # "[SD-100123]" or support+SD-100123@ can be typed by anyone and From: forged.
        unverified_claim = describe_verdicts(auth)
    notes = tuple(bodies.notes)
    if notes:
        email_meta["notes"] = list(notes)
    inbound = InboundMessage(
        channel_id=channel_id,
        external_id=message_id,
        identities=(SenderIdentity("email", sender),),
        text=_no_nul(text),
        sender_name=_no_nul(sender_name),
        subject=_no_nul(subject),
        html=_no_nul(html),
        attachments=tuple(bodies.attachments),
        ticket_reference=reference,
        unverified_claim=unverified_claim,
        in_reply_to=in_reply_to,
        thread_key=threads.thread_root(
            message_id, headers.raw_first("In-Reply-To"), headers.raw_first("References")
        ),
        message_metadata={"email": _no_nul(email_meta)},
        automatic=automation.auto_submitted,
        # An out-of-office (or anything sent with the null sender) may join its ticket
        # but never opens one: with no ticket to join it is held (dispatch.py).
        opens_ticket=automation.kind != "auto_reply",
    )
    return ParsedEmail(
        inbound=inbound,
        kind=automation.kind,
        message_id=message_id,
        auto_submitted=automation.auto_submitted,
        sender=sender,
        subject=subject,
        spam=spam_verdict(headers.raw),
        notes=notes,
    )


def _no_nul(value: Any) -> Any:
    """PostgreSQL refuses NUL in text and JSON; broken mail carries them."""
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, dict):
        return {_no_nul(k): _no_nul(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_no_nul(v) for v in value]
    return value


def process_email(
    raw: Raw,
    *,
    channel_id: int,
    envelope_from: str = "",
    envelope_to: tuple[str, ...] = (),
    release: bool = False,
) -> str:
    """Parse and dispatch one mail; the outcome in a few words for the transport's log.

    Raises only for database errors (the transport then answers "try again later").
    ``raw``: the mail's bytes, or the file the SMTP receiver spooled it to; a mail over
    ``SPOOL_BYTES`` has its large files decoded to a temporary folder, kept until the
    intake has stored them.
    """
    from sangdam.connectors.email.dispatch import dispatch

    if size_of(raw) <= SPOOL_BYTES:
        raw = read_all(raw)
        spool_dir = None
    else:
        spool_dir = Path(tempfile.mkdtemp(prefix="sangdam-mail-"))
    try:
        parsed = parse_email(
            raw,
            channel_id=channel_id,
            envelope_from=envelope_from,
            envelope_to=envelope_to,
            spool_dir=spool_dir,
        )
        return dispatch(
            parsed,
            channel_id=channel_id,
            raw=raw,
            envelope_from=envelope_from,
            envelope_to=envelope_to,
            release=release,
        )
    finally:
        if spool_dir is not None:
            shutil.rmtree(spool_dir, ignore_errors=True)
