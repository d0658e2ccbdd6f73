"""The built-in SMTP receiver (aiosmtpd): mail for our channel addresses goes to the intake.

It answers like a careful mail server, because the sending server decides from our
answer whether the mail is ours to keep:

- RCPT for an address no enabled email channel owns: ``550`` (refused at once, no bounce
  from us later). Plus-addressing works: ``support+SD-100001@example.com`` is
  ``support@example.com``'s.
- RCPT beyond ``EMAIL_MAX_RECIPIENTS`` in one transaction: ``452`` (RFC 5321 4.5.3.1.8:
  the sender delivers the rest in another transaction).
- DATA over ``EMAIL_MAX_MESSAGE_BYTES``: ``552`` (aiosmtpd's own ``data_size_limit``).
  Lines longer than RFC 5321's 998 characters are accepted up to that size: the limit
  binds senders, and several real clients do not wrap.
- MAIL announcing (RFC 1870 ``SIZE=``) a large mail while others take up
  ``EMAIL_LARGE_MAIL_BUDGET_BYTES``: ``452 4.3.1`` (the sender retries later), so a storm
  of big mails is taken in a few at a time instead of all at once in memory.
- DATA: ``250`` only after ``process_email`` returned, that is after the intake committed;
  ``451`` when the database is unavailable, and ``451 4.7.1`` when the mail is refused
  for now (its sender is over the hourly limit), so the sender keeps the mail and retries.
  Nothing is answered 250 and then dropped.

The aiosmtpd handler is async; the intake is blocking Django ORM code, so it runs on a
small thread pool (each thread keeps its own database connection, tidied by
``close_old_connections`` around every call as Django does around a request).
"""

from __future__ import annotations

import asyncio
import logging
import socket
import tempfile
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from email._header_value_parser import get_addr_spec, get_angle_addr
from email.errors import HeaderParseError
from typing import IO, Any, TypeVar

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import SMTP
from django.conf import settings
from django.db import InterfaceError, OperationalError, close_old_connections

from sangdam.connectors.base import TemporaryRefusal
from sangdam.connectors.email.spool import SPOOL_BYTES, Raw
from sangdam.connectors.models import Channel, ChannelKind
from sangdam.core.compiled import CompiledQuery
from sangdam.core.env import env_int, env_str
from sangdam.core.memo import Memo

log = logging.getLogger(__name__)

T = TypeVar("T")
_addresses = Memo(Channel)

DEFAULT_HOST = "127.0.0.1"
DEFAULT_PORT = 2525
# Enough threads that a slow intake (a big attachment) does not hold up everyone else;
# on SQLite the writes queue anyway (IMMEDIATE transactions).
DEFAULT_THREADS = 4

TEMPORARY_FAILURE = "451 4.3.0 Temporary failure, please try again later"
NO_ROOM_NOW = "452 4.3.1 Insufficient system storage, please try again later"
# A mail announced this large or larger counts against the large-mail budget.
LARGE_MAIL = 1024 * 1024
TOO_MANY_RECIPIENTS = "452 4.5.3 Too many recipients"


class NoChannel(Exception):
    """None of the message's recipients belongs to an enabled email channel (any more)."""


def split_address(address: str) -> tuple[str, str]:
    """(local part without its +tag, domain), lower-cased."""
    local, _, domain = address.strip().strip("<>").rpartition("@")
    return local.partition("+")[0].lower(), domain.lower()


# Read afresh for every mail's DATA: compiled once (core/compiled.py; compiling it was
# most of its cost, ~6 % of a mail's intake).
_ENABLED = CompiledQuery(
    Channel,
    lambda: (
        Channel.objects.filter(kind=ChannelKind.EMAIL, enabled=True)
        .order_by("-id")
        .values_list("id", "address")
    ),
)


def _email_channels() -> dict[str, int]:
    """Enabled email channels by lower-cased address (the oldest when two share one)."""
    return {address.strip().lower(): pk for pk, address in _ENABLED.rows()}


def channel_for_recipient(address: str, *, fresh: bool = False) -> int | None:
    """The enabled email channel that owns ``address`` (plus-addressing included).

    RCPT asks the addresses kept per process (core/memo.py: forgotten at once when a
    channel changes here, within seconds elsewhere) and reads them afresh before refusing
    one (a channel just added by another process is not refused for good); DATA asks
    ``fresh``, so that mail for a channel disabled meanwhile is refused, not taken in.
    """
    local, domain = split_address(address)
    if not local or not domain:
        return None
    owner = f"{local}@{domain}"
    found = None if fresh else _addresses.get("email", _email_channels).get(owner)
    return found if found is not None else _email_channels().get(owner)


def known_channel_for_recipient(address: str) -> int | None:
    """The channel of ``address`` if the addresses kept in memory name it, without touching
    the database (RCPT answered on the event loop); None: ask ``channel_for_recipient``."""
    local, domain = split_address(address)
    known = _addresses.peek("email")
    return None if known is None or not local else known.get(f"{local}@{domain}")


def _in_request(function: Callable[..., T], *args: Any, **kwargs: Any) -> T:
    """Run ``function`` the way Django runs a request: stale connections closed around it."""
    close_old_connections()
    try:
        return function(*args, **kwargs)
    finally:
        close_old_connections()


def _deliver(raw: Raw, mail_from: str, recipients: list[str]) -> list[str]:
    """Hand the message to the intake once per channel it is addressed to; the outcomes."""
    # Imported here: the parsing half lives in its own module and is loaded only when mail
    # arrives, so the receiver's tables and admin pages do not depend on it.
    from sangdam.connectors.email.parse import process_email

    by_channel: dict[int, list[str]] = {}
    for address in recipients:
        channel_id = channel_for_recipient(address, fresh=True)
        if channel_id is not None:
            by_channel.setdefault(channel_id, []).append(address)
    if not by_channel:
        # Every recipient's channel was disabled between RCPT and the end of DATA.
        raise NoChannel
    outcomes = []
    for channel_id, addresses in by_channel.items():
        # A retry after a 451 halfway through repeats the channels already done; the
        # intake dedupes them on Message-ID.
        outcomes.append(
            process_email(
                raw, channel_id=channel_id, envelope_from=mail_from, envelope_to=tuple(addresses)
            )
        )
    return outcomes


class LargeMailBudget:
    """The bytes of large mail being taken in at once, shared by the sessions.

    A large mail no longer costs memory (spool.py: eight 25 MB mails at once take the
    embedded process from 148 to 161 MB, ``bench/mail.py --storm 8``), but it takes about
    twice its size in the temporary folder and a second of parsing: the budget keeps a
    storm of them from filling the disk. Sessions announcing a large mail reserve its size
    at MAIL; one that would overdraw the budget is told to retry later, except when no
    large mail is in progress (the budget never refuses a mail for good). Everything runs
    on the receiver's event loop thread: no lock.
    """

    def __init__(self, budget: int) -> None:
        self.budget = budget
        self.held = 0

    def reserve(self, session: Any, size: int) -> bool:
        self.release(session)
        if size < LARGE_MAIL:
            return True
        if self.held and self.held + size > self.budget:
            return False
        self.held += size
        session.sangdam_reserved = size
        return True

    def release(self, session: Any) -> None:
        self.held -= getattr(session, "sangdam_reserved", 0)
        session.sangdam_reserved = 0


def _announced_size(mail_options: list[str]) -> int:
    for option in mail_options:
        name, _, value = option.partition("=")
        if name.upper() == "SIZE" and value.isdigit():
            return int(value)
    return 0


class IntakeHandler:
    """aiosmtpd handler: RCPT checks the address, DATA runs the intake before answering."""

    def __init__(self, executor: ThreadPoolExecutor, budget: LargeMailBudget) -> None:
        self.executor = executor
        self.budget = budget

    async def handle_MAIL(
        self, server: Any, session: Any, envelope: Any, address: str, mail_options: list[str]
    ) -> str:
        # aiosmtpd has already refused a SIZE over the limit (552).
        if not self.budget.reserve(session, _announced_size(mail_options)):
            log.info("smtpd: large mail from %s deferred (452): budget in use", address)
            return NO_ROOM_NOW
        envelope.mail_from = address
        envelope.mail_options.extend(mail_options)
        return "250 OK"

    async def handle_RSET(self, server: Any, session: Any, envelope: Any) -> str:
        self.budget.release(session)
        return "250 OK"

    async def _run(self, function: Callable[..., T], *args: Any) -> T:
        loop = asyncio.get_running_loop()
        return await loop.run_in_executor(self.executor, _in_request, function, *args)

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: list[str]
    ) -> str:
        if len(envelope.rcpt_tos) >= settings.EMAIL_MAX_RECIPIENTS:
            # Before any lookup: a 1,000-recipient session costs us nothing.
            return TOO_MANY_RECIPIENTS
        try:
            # A thread and the database only when the address is not known already.
            channel_id = known_channel_for_recipient(address)
            if channel_id is None:
                channel_id = await self._run(channel_for_recipient, address)
        except (OperationalError, InterfaceError):
            log.warning("smtpd: database unavailable at RCPT %s", address, exc_info=True)
            return TEMPORARY_FAILURE
        if channel_id is None:
            return f"550 5.1.1 <{address}>: no such mailbox here"
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        try:
            return await self._take(envelope)
        finally:
            self.budget.release(session)

    async def _take(self, envelope: Any) -> str:
        raw = envelope.content  # the spooled DATA (LiberalSMTP)
        try:
            outcomes = await self._run(
                # MAIL FROM:<> (the null sender of bounces and autoresponders) comes
                # through aiosmtpd as "": the parser's "<>" says so.
                _deliver,
                raw,
                envelope.mail_from or "<>",
                list(envelope.rcpt_tos),
            )
        except NoChannel:
            return "550 5.1.1 No such mailbox here"
        except TemporaryRefusal as exc:
            log.info("smtpd: deferred mail from %s: %s", envelope.mail_from, exc)
            return f"451 4.7.1 {exc}"
        except (OperationalError, InterfaceError):
            log.warning("smtpd: database unavailable; answered 451", exc_info=True)
            return TEMPORARY_FAILURE
        except Exception:
            # Not ours to lose: the sender keeps the mail and retries (451 means
            # "local error in processing"); the traceback is in the log.
            log.exception("smtpd: intake failed; answered 451")
            return TEMPORARY_FAILURE
        log.info(
            "smtpd: accepted from %s for %s: %s", envelope.mail_from, envelope.rcpt_tos, outcomes
        )
        return "250 2.0.0 Message accepted"


class LiberalSMTP(SMTP):
    """aiosmtpd's SMTP session, with DATA of our own: spooled, and with lines of any length.

    aiosmtpd keeps DATA as a list of lines in memory (~2.5 times the mail) and refuses a
    line over 1,001 octets with a permanent ``500`` (the sending server then bounces a
    customer's mail). Here DATA goes to a temporary file once it passes ``SPOOL_BYTES``
    (spool.py: a large mail is then parsed from disk), and a long line is read in pieces
    of the stream reader's buffer. Over ``data_size_limit`` the rest is read and
    dropped, and answered ``552``. Written against aiosmtpd 1.4 (its ``smtp_DATA``).
    """

    line_length_limit = 64 * 1024  # the stream reader's buffer, not a limit on lines

    def _getaddr(self, arg: str) -> tuple[str | None, str | None]:
        """aiosmtpd 1.4's address parsing of MAIL and RCPT, without the typing class it
        defines anew on every call (three per cent of the receiver's CPU per mail)."""
        if not arg:
            return "", ""
        parse = get_angle_addr if arg.lstrip().startswith("<") else get_addr_spec
        try:
            address, rest = parse(arg)
        except HeaderParseError:
            return None, None
        addr: str = address.addr_spec
        localpart = addr.rpartition("@")[0]
        if self.local_part_limit and len(localpart) > self.local_part_limit:
            return None, None
        return addr, rest

    async def smtp_DATA(self, arg: str) -> None:
        if await self.check_helo_needed() or await self.check_auth_needed("DATA"):
            return
        assert self.envelope is not None
        if not self.envelope.rcpt_tos:
            await self.push("503 Error: need RCPT command")
            return
        if arg:
            await self.push("501 Syntax: DATA")
            return
        await self.push("354 End data with <CR><LF>.<CR><LF>")
        with tempfile.SpooledTemporaryFile(max_size=SPOOL_BYTES, prefix="sangdam-smtp-") as spool:
            if not await self._read_data(spool):
                # Refused: its share of the large-mail budget is free again at once.
                self.event_handler.budget.release(self.session)
                await self.push("552 Error: Too much mail data")
                self._set_post_data_state()
                return
            # The handler reads the file: aiosmtpd's Envelope types content as bytes.
            self.envelope.content = spool  # type: ignore[assignment]
            status = await self._call_handler_hook("DATA")
        self._set_post_data_state()
        await self.push(status)

    async def _read_data(self, spool: IO[bytes]) -> bool:
        """DATA up to the lone dot into ``spool``, dots unstuffed (RFC 5321 4.5.2);
        False when it was over the size limit."""
        size, limit, line_start = 0, self.data_size_limit, True
        while True:
            try:
                line = await self._reader.readuntil(b"\r\n")
            except asyncio.CancelledError:
                log.info("smtpd: connection lost during DATA")
                self._writer.close()
                raise
            except asyncio.LimitOverrunError as exc:
                line = await self._reader.read(exc.consumed)
            if line_start:
                if line == b".\r\n":
                    return not (limit and size > limit)
                if line.startswith(b"."):
                    line = line[1:]
            size += len(line)
            if not (limit and size > limit):
                spool.write(line)
            line_start = line.endswith(b"\r\n")

    def connection_lost(self, error: Exception | None) -> None:
        # A sender gone mid-way gives its share of the large-mail budget back.
        if self.session is not None:
            self.event_handler.budget.release(self.session)
        super().connection_lost(error)


class LiberalController(Controller):
    def factory(self) -> SMTP:
        return LiberalSMTP(self.handler, **self.SMTP_kwargs)


class SmtpReceiver:
    """The receiver on its own thread and event loop (aiosmtpd's Controller)."""

    def __init__(
        self,
        *,
        host: str = DEFAULT_HOST,
        port: int = DEFAULT_PORT,
        max_bytes: int | None = None,
        threads: int = DEFAULT_THREADS,
        large_mail_budget: int | None = None,
    ) -> None:
        self.host, self.port = host, port
        self.executor = ThreadPoolExecutor(max_workers=threads, thread_name_prefix="sangdam-smtpd")
        budget = LargeMailBudget(large_mail_budget or settings.EMAIL_LARGE_MAIL_BUDGET_BYTES)
        self.controller = LiberalController(
            IntakeHandler(self.executor, budget),
            hostname=host,
            port=port,
            server_hostname=socket.getfqdn(),
            data_size_limit=max_bytes or settings.EMAIL_MAX_MESSAGE_BYTES,
            # Korean and other non-ASCII addresses and headers (RFC 6531).
            enable_SMTPUTF8=True,
            ident="Sangdam ESMTP",
        )

    def start(self) -> None:
        self.controller.start()
        log.info("smtpd listening on %s:%s", self.host, self.port)

    def stop(self) -> None:
        self.controller.stop()
        # Running intakes finish (their answer is then lost with the connection, and the
        # sender retries: the intake dedupes the repeat).
        self.executor.shutdown(wait=True)


def receiver_from_env(*, embedded: bool = False) -> SmtpReceiver | None:
    """A receiver configured by SMTP_HOST / SMTP_PORT; None when SMTP_PORT=0 disables it."""
    port = env_int("SMTP_PORT", DEFAULT_PORT)
    if port == 0:
        return None
    return SmtpReceiver(
        host=env_str("SMTP_HOST", DEFAULT_HOST),
        port=port,
        threads=env_int("SMTP_THREADS", 2 if embedded else DEFAULT_THREADS),
    )
