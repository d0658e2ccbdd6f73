"""Where a parsed mail goes: the intake, a delivery failure, or nowhere (with a reason)."""

from __future__ import annotations

import logging
from dataclasses import replace

from django.conf import settings

from sangdam.connectors.base import TemporaryRefusal, WouldOpenTicket
from sangdam.connectors.email.bounces import BounceInfo
from sangdam.connectors.email.held import hold_mail
from sangdam.connectors.email.models import HeldReason
from sangdam.connectors.email.parse import ParsedEmail
from sangdam.connectors.email.spool import Raw, read_all
from sangdam.connectors.intake import receive
from sangdam.connectors.models import Channel, ChannelKind
from sangdam.core import ratelimit
from sangdam.core.compiled import MARKER, CompiledQuery
from sangdam.core.memo import Memo
from sangdam.tickets import actions
from sangdam.tickets.models import DeliveryState, Direction, Message

log = logging.getLogger(__name__)
_addresses = Memo(Channel)  # kept per process for a few seconds (core/memo.py)

RATE_WINDOW_SECONDS = 3600
# Asked for every mail: compiled once (core/compiled.py).
_TAKEN = CompiledQuery(
    Message,
    lambda channel, message_id: Message.objects.filter(
        channel_id=channel, external_id=message_id
    ).values_list("id")[:1],
    MARKER,
    "\x00message id",
)


def dispatch(
    parsed: ParsedEmail,
    *,
    channel_id: int,
    raw: Raw = b"",
    envelope_from: str = "",
    envelope_to: tuple[str, ...] = (),
    release: bool = False,
) -> str:
    """Send a parsed mail where it belongs; the outcome in a few words.

    Every mail the transport will acknowledge ends somewhere a person can see it: a
    ticket, the failed delivery a bounce reports, or held mail (spam, an automatic
    reply with no ticket to join, an unmatched bounce). ``release``: an agent released
    it from held mail, so the filters that held it are skipped. Raises
    :class:`TemporaryRefusal` when the transport must ask the sender to retry later.
    """

    def hold(reason: str, detail: str = "") -> str:
        return hold_mail(
            channel_id=channel_id,
            raw=read_all(raw),
            reason=reason,
            detail=detail,
            message_id=parsed.message_id,
            sender=parsed.sender,
            subject=parsed.subject,
            envelope_from=envelope_from,
            envelope_to=envelope_to,
        )

    if parsed.bounce is not None:
        outcome = record_bounce(parsed.bounce)
        if outcome.startswith("bounce"):
            return outcome
        # A bounce for no mail of ours (a forged sender using our address, a mail sent
        # before Sangdam): the admins' bounce log, never the inbox.
        return hold(HeldReason.BOUNCE, parsed.bounce.reason)
    if parsed.inbound is None:
        if parsed.kind == "ignored" and parsed.reason in (
            "no sender address",
            "invalid sender address",
        ):
            return hold(HeldReason.UNREADABLE, parsed.reason)
        return f"ignored: {parsed.reason or parsed.kind}"
    if _TAKEN.rows(channel_id, parsed.message_id):
        # A retry of a mail we already took (the IMAP flag or SMTP 250 was lost).
        return "duplicate"
    if _is_our_own_address(parsed.sender, channel_id):
        # Our own reply coming back (a forward rule, a Cc to the support address): taking
        # it in as a customer message would answer ourselves in a loop.
        return "ignored: sent by this channel"
    inbound = parsed.inbound
    if release:
        inbound = replace(inbound, opens_ticket=True)
    else:
        if parsed.spam:
            return hold(HeldReason.SPAM, parsed.spam)
        if over_rate_limit(parsed.sender):
            # Refused before anything is stored, so the transport can still say "later":
            # never acknowledged and then dropped.
            log.warning("mail from %s deferred: over the hourly limit", parsed.sender)
            raise TemporaryRefusal("Too many messages from this sender, try again later")
    try:
        result = receive(inbound)
    except WouldOpenTicket:
        automation = inbound.message_metadata.get("email", {}).get("automation", [])
        return hold(HeldReason.AUTO_REPLY, "; ".join(automation))
    if result.duplicate:
        return "duplicate"
    return f"ticket {result.ticket.reference}"


def _is_our_own_address(sender: str, channel_id: int) -> bool:
    sender = sender.lower()
    if not sender:
        return False
    ours = {settings.DEFAULT_FROM_EMAIL.lower()}
    addresses = _addresses.get(
        "email",
        lambda: list(
            Channel.objects.filter(kind=ChannelKind.EMAIL).values_list("address", flat=True)
        ),
    )
    ours.update(a.lower() for a in addresses if a)
    return sender in ours


def over_rate_limit(sender: str) -> bool:
    """Whether ``sender`` already reached EMAIL_SENDER_RATE_LIMIT mails this hour.

    Stops a mail storm (two autoresponders answering each other, a broken script) from
    opening thousands of tickets. Counted by :mod:`sangdam.core.ratelimit` (Redis when
    scaled). 0 turns the limit off.
    """
    limit = int(getattr(settings, "EMAIL_SENDER_RATE_LIMIT", 60))
    if not sender:
        return False
    return not ratelimit.hit("email-sender", sender, limit=limit, window=RATE_WINDOW_SECONDS)


def record_bounce(bounce: BounceInfo) -> str:
    """Mark the outbound mail a bounce reports as failed, with the server's reason.

    A bounce is a delivery receipt that came by mail: it goes through the same action
    as the receipts providers post to the webhook door (``do_record_receipt``), so the
    agent sees "failed" and the reason on the ticket. "unmatched: …" when it names no
    mail of ours.
    """
    if not bounce.original_message_ids:
        return "unmatched: bounce without the original Message-ID"
    messages = list(
        Message.objects.select_related("ticket", "channel").filter(
            direction=Direction.OUT,
            channel__isnull=False,
            external_id__in=bounce.original_message_ids,
        )
    )
    if not messages:
        return "unmatched: bounce for a mail we did not send"
    if not bounce.permanent:
        # "Still trying" warnings: the remote server retries, nothing has failed yet.
        return "bounce: delayed"
    for message in messages:
        if message.delivery_state == DeliveryState.FAILED:
            continue
        recipients = ", ".join(bounce.recipients[:3])
        prefix = f"bounced ({recipients})" if recipients else "bounced"
        assert message.channel is not None and message.external_id
        actions.do_record_receipt(
            channel=message.channel,
            state=DeliveryState.FAILED,
            external_id=message.external_id,
            error=f"{prefix}: {bounce.reason}",
        )
    return "bounce"
