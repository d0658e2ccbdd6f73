"""Where a parsed mail goes: the intake, a delivery failure, or nowhere (with a reason)."""

from __future__ import annotations

import logging

from django.conf import settings

from sangdam.connectors.base import TemporaryRefusal
from sangdam.connectors.email.bounces import BounceInfo
from sangdam.connectors.email.parse import ParsedEmail
from sangdam.connectors.intake import receive
from sangdam.connectors.models import Channel, ChannelKind
from sangdam.core import ratelimit
from sangdam.tickets import actions
from sangdam.tickets.models import DeliveryState, Direction, Message

log = logging.getLogger(__name__)

RATE_WINDOW_SECONDS = 3600


def dispatch(parsed: ParsedEmail, *, channel_id: int) -> str:
    if parsed.bounce is not None:
        return record_bounce(parsed.bounce)
    if parsed.inbound is None:
        return f"ignored: {parsed.reason or parsed.kind}"
    if Message.objects.filter(channel_id=channel_id, external_id=parsed.message_id).exists():
        # A retry of a mail we already took (the IMAP flag or SMTP 250 was lost).
        return "duplicate"
    if _is_our_own_address(parsed.sender, channel_id):
        # Our own reply coming back (a forward rule, a Cc to the support address): taking
        # it in as a customer message would answer ourselves in a loop.
        return "ignored: sent by this channel"
    if over_rate_limit(parsed.sender):
        # Refused before anything is stored, so the transport can still say "later":
        # never acknowledged and then dropped.
        log.warning("mail from %s deferred: over the hourly limit", parsed.sender)
        raise TemporaryRefusal("Too many messages from this sender, try again later")
    result = receive(parsed.inbound)
    if result.duplicate:
        return "duplicate"
    return f"ticket {result.ticket.reference}"


def _is_our_own_address(sender: str, channel_id: int) -> bool:
    sender = sender.lower()
    if not sender:
        return False
    ours = {settings.DEFAULT_FROM_EMAIL.lower()}
    ours.update(
        a.lower()
        for a in Channel.objects.filter(kind=ChannelKind.EMAIL).values_list("address", flat=True)
        if a
    )
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
    """Mark the outbound mail a bounce reports as failed, with the server's reason."""
    if not bounce.original_message_ids:
        return "ignored: bounce without the original Message-ID"
    messages = list(
        Message.objects.select_related("ticket").filter(
            direction=Direction.OUT, external_id__in=bounce.original_message_ids
        )
    )
    if not messages:
        return "ignored: bounce for a mail we did not send"
    if not bounce.permanent:
        # "Still trying" warnings: the remote server retries, nothing has failed yet.
        return "bounce: delayed"
    for message in messages:
        if message.delivery_state == DeliveryState.FAILED:
            continue
        recipients = ", ".join(bounce.recipients[:3])
        prefix = f"bounced ({recipients})" if recipients else "bounced"
        actions.do_record_delivery(
            message=message, state=DeliveryState.FAILED, error=f"{prefix}: {bounce.reason}"
        )
    return "bounce"
