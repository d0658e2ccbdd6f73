"""Polling IMAP mailboxes (imap-tools): fetch unseen mail, run the intake, then flag it.

The order is what keeps mail from being lost or doubled:

1. fetch with ``BODY.PEEK[]`` so fetching alone never marks a message read;
2. ``process_email`` commits the intake;
3. an :class:`ImapReceipt` records (UIDVALIDITY, UID);
4. the message is flagged ``\\Seen`` or moved to the processed folder.

A crash after 2 leaves the message unseen: the next poll runs it through the intake
again, which recognises the Message-ID (a detected duplicate, no second ticket). A crash
after 3 is caught by the receipt, and the message is only flagged. A mailbox that cannot
log in keeps its error in ``last_error`` for the admin page; the others are polled anyway.
"""

from __future__ import annotations

import contextlib
import imaplib
import logging
import ssl
from dataclasses import dataclass, field
from email.parser import BytesHeaderParser
from typing import Any

from django.db import DatabaseError, IntegrityError, transaction
from django.utils import timezone
from imap_tools import AND, BaseMailBox, MailBox, MailBoxStartTls, MailBoxUnencrypted
from imap_tools.errors import ImapToolsError, MailboxLoginError
from imap_tools.message import MailMessage

from sangdam.connectors.base import TemporaryRefusal
from sangdam.connectors.email import oauth2
from sangdam.connectors.email.models import (
    AuthMethod,
    HeldReason,
    ImapReceipt,
    Mailbox,
    Security,
)
from sangdam.core.env import env_int

log = logging.getLogger(__name__)

# Seconds a silent IMAP server may keep a poll waiting.
TIMEOUT = env_int("IMAP_TIMEOUT", 30)
# Messages taken per poll and mailbox, so one flooded mailbox cannot hold a worker forever;
# the rest come with the next poll.
BATCH = env_int("IMAP_BATCH", 200)

# What a broken server, network or login looks like to imaplib and imap-tools.
CONNECTION_ERRORS = (ImapToolsError, imaplib.IMAP4.error, OSError, ValueError, oauth2.TokenError)


class RawMailMessage(MailMessage):
    """imap-tools' message that also keeps the bytes exactly as the server sent them."""

    def __init__(self, fetch_data: list[Any]) -> None:
        super().__init__(fetch_data)
        self.raw: bytes = self._get_message_data_parts(fetch_data)[0]


@dataclass
class PollResult:
    outcomes: list[str] = field(default_factory=list)
    acknowledged_only: int = 0  # already had a receipt: only flagged this time
    error: str = ""


def connect(mailbox: Mailbox) -> BaseMailBox:
    """An IMAP connection, logged in, with ``mailbox.folder`` selected."""
    if mailbox.auth_method != AuthMethod.OAUTH2:
        return _open(mailbox, password=str((mailbox.secrets or {}).get("password", "")))
    try:
        return _open(mailbox, token=oauth2.access_token(mailbox))
    except (MailboxLoginError, imaplib.IMAP4.error):
        # (imaplib raises its own error for a refused AUTHENTICATE.) Refused although it
        # looked valid (revoked, or pasted without an expiry): one fresh token, on a fresh
        # connection, before the error goes to the admin page.
        if not oauth2.can_refresh(mailbox):
            raise
    return _open(mailbox, token=oauth2.refresh(mailbox))


def _open(mailbox: Mailbox, *, password: str = "", token: str = "") -> BaseMailBox:
    client: BaseMailBox
    if mailbox.security == Security.TLS:
        client = MailBox(
            mailbox.host, mailbox.port, timeout=TIMEOUT, ssl_context=ssl.create_default_context()
        )
    elif mailbox.security == Security.STARTTLS:
        client = MailBoxStartTls(
            mailbox.host, mailbox.port, timeout=TIMEOUT, ssl_context=ssl.create_default_context()
        )
    else:
        client = MailBoxUnencrypted(mailbox.host, mailbox.port, timeout=TIMEOUT)
    client.email_message_class = RawMailMessage
    try:
        if token:
            client.xoauth2(mailbox.username, token, mailbox.folder)
        else:
            client.login(mailbox.username, password, mailbox.folder)
        # imaplib read the capabilities from the greeting; servers announce more (MOVE)
        # once logged in, and imap-tools moves with one atomic UID MOVE when it knows.
        status, data = client.client.capability()
        if status == "OK" and data and isinstance(data[-1], bytes):
            client.client.capabilities = tuple(data[-1].decode().upper().split())
    except BaseException:
        disconnect(client)
        raise
    return client


def disconnect(client: BaseMailBox) -> None:
    """Log out, ignoring a connection that is already gone."""
    with contextlib.suppress(*CONNECTION_ERRORS):
        client.logout()


def check_connection(mailbox: Mailbox) -> str:
    """Log in and select the folder; '' when it works, else the reason (for the admin page)."""
    try:
        client = connect(mailbox)
    except CONNECTION_ERRORS as exc:
        return describe_error(exc)
    disconnect(client)
    return ""


def describe_error(exc: BaseException) -> str:
    text = str(exc).strip() or type(exc).__name__
    return f"{type(exc).__name__}: {text}"[:1000]


def _process(raw: bytes, *, channel_id: int) -> str:
    # Looked up at call time: the parsing half is its own module (and a test that
    # simulates a crash wraps it).
    from sangdam.connectors.email import parse

    return parse.process_email(raw, channel_id=channel_id)


def _message_id(raw: bytes) -> str:
    header = BytesHeaderParser().parsebytes(raw).get("Message-ID", "")
    return " ".join(str(header).split())[:998]


def _acknowledge(client: BaseMailBox, mailbox: Mailbox, uid: str) -> None:
    if mailbox.processed_folder:
        client.move(uid, mailbox.processed_folder)
    else:
        client.flag(uid, "\\Seen", True)


def _record_receipt(mailbox: Mailbox, uidvalidity: int, uid: int, raw: bytes, outcome: str) -> None:
    try:
        with transaction.atomic():
            ImapReceipt.objects.create(
                mailbox=mailbox,
                uidvalidity=uidvalidity,
                uid=uid,
                message_id=_message_id(raw),
                outcome=outcome[:64],
            )
    except IntegrityError:
        # Another poller took the same message at the same moment; the intake kept one.
        pass


def poll_mailbox(mailbox: Mailbox) -> PollResult:
    """Take every unseen message of one mailbox through the intake; never raises for IMAP."""
    result = PollResult()
    try:
        client = connect(mailbox)
    except CONNECTION_ERRORS as exc:
        result.error = describe_error(exc)
        _save_status(mailbox, result.error)
        log.warning("imap %s: %s", mailbox, result.error)
        return result
    try:
        _poll(client, mailbox, result)
    except CONNECTION_ERRORS as exc:
        result.error = describe_error(exc)
        log.warning("imap %s: %s", mailbox, result.error)
    finally:
        disconnect(client)
    _save_status(mailbox, result.error)
    return result


def _poll(client: BaseMailBox, mailbox: Mailbox, result: PollResult) -> None:
    uidvalidity = int(client.folder.status(mailbox.folder, ["UIDVALIDITY"])["UIDVALIDITY"])
    if mailbox.uidvalidity != uidvalidity:
        # The server renumbered the folder: old receipts no longer name these messages,
        # and the intake's Message-ID dedupe catches anything taken before.
        mailbox.uidvalidity = uidvalidity
        mailbox.save(update_fields=["uidvalidity"])
    if mailbox.processed_folder and not client.folder.exists(mailbox.processed_folder):
        client.folder.create(mailbox.processed_folder)
    uids = client.uids(AND(seen=False), charset=None)[:BATCH]
    done = set(
        ImapReceipt.objects.filter(
            mailbox=mailbox, uidvalidity=uidvalidity, uid__in=[int(u) for u in uids]
        ).values_list("uid", flat=True)
    )
    for uid in uids:
        if int(uid) in done:
            _acknowledge(client, mailbox, uid)
            result.acknowledged_only += 1
            continue
        fetched = list(client.fetch(mark_seen=False, uid_list=[uid]))
        if not fetched:
            continue  # expunged meanwhile by another client
        message = fetched[0]
        assert isinstance(message, RawMailMessage)
        try:
            outcome = _process(message.raw, channel_id=mailbox.channel_id)
        except DatabaseError:
            raise  # the whole poll stops; the message stays unseen for the next one
        except TemporaryRefusal as exc:
            # Its sender is over the hourly limit. IMAP cannot say "later" to a sender,
            # and leaving it unseen would make a storm fill every batch: it is held for
            # an agent (who may release it), then flagged like any other.
            outcome = _hold_rate_limited(message.raw, mailbox, str(exc))
        except Exception as exc:
            # process_email refuses bad mail with an outcome, so this is a bug: keep the
            # message unseen (nothing lost), show it to the admin, go on with the others.
            log.exception("imap %s: uid %s failed in the intake", mailbox, uid)
            result.error = f"UID {uid}: {describe_error(exc)}"
            continue
        _record_receipt(mailbox, uidvalidity, int(uid), message.raw, outcome)
        _acknowledge(client, mailbox, uid)
        result.outcomes.append(outcome)


def _hold_rate_limited(raw: bytes, mailbox: Mailbox, detail: str) -> str:
    from sangdam.connectors.email.held import hold_mail
    from sangdam.connectors.email.parse import parse_email

    parsed = parse_email(raw, channel_id=mailbox.channel_id)
    return hold_mail(
        channel_id=mailbox.channel_id,
        raw=raw,
        reason=HeldReason.RATE_LIMITED,
        detail=detail,
        message_id=parsed.message_id,
        sender=parsed.sender,
        subject=parsed.subject,
    )


def _save_status(mailbox: Mailbox, error: str) -> None:
    mailbox.last_error = error
    mailbox.last_polled_at = timezone.now()
    mailbox.save(update_fields=["last_error", "last_polled_at"])


def pollable_mailboxes() -> list[Mailbox]:
    return list(
        Mailbox.objects.filter(enabled=True, channel__enabled=True)
        .select_related("channel")
        .order_by("id")
    )
