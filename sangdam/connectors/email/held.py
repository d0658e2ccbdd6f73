"""Held mail: accepted, kept whole, out of the inbox until an agent looks.

Spam flagged by the receiving server, automatic replies that would open a ticket,
bounces for no mail of ours and mail taken by IMAP from a sender over the hourly limit
are acknowledged to their transport (so they are never lost) and kept here with the raw
message. An agent reviews them in the console and may *release* one, which runs the
normal intake on the stored bytes, as if it had just arrived, without the filter that
held it.
"""

from __future__ import annotations

from django.db import IntegrityError, transaction
from django.db.models import QuerySet
from django.utils import timezone

from sangdam.accounts.models import User
from sangdam.connectors.email.models import HeldMail, HeldReason

# Reasons agents review in the held-mail folder; unmatched bounces are the admins' log.
AGENT_REASONS = (
    HeldReason.SPAM,
    HeldReason.AUTO_REPLY,
    HeldReason.RATE_LIMITED,
    HeldReason.UNREADABLE,
)


def hold_mail(
    *,
    channel_id: int,
    raw: bytes,
    reason: str,
    detail: str = "",
    message_id: str,
    sender: str = "",
    subject: str = "",
    envelope_from: str = "",
    envelope_to: tuple[str, ...] = (),
) -> str:
    """Keep one mail out of the inbox; a repeat of the same mail is kept once."""
    try:
        with transaction.atomic():
            HeldMail.objects.create(
                channel_id=channel_id,
                reason=reason,
                detail=detail[:500],
                message_id=message_id[:300],
                sender=sender[:320],
                subject=subject[:500],
                envelope_from=envelope_from[:320],
                envelope_to=list(envelope_to)[:50],
                raw=raw,
            )
    except IntegrityError:
        return "duplicate"
    return f"held: {reason}"


def held_mail(*, reasons: tuple[str, ...], released: bool = False) -> QuerySet[HeldMail]:
    """Held mail with one of ``reasons``, newest first (the raw bytes left unread)."""
    return (
        HeldMail.objects.filter(reason__in=reasons, released_at__isnull=not released)
        .select_related("channel", "released_by")
        .defer("raw")
    )


def release_held(*, held: HeldMail, user: User) -> str:
    """Run the normal intake on a held mail, without the filter that held it.

    The intake dedupes on the Message-ID, so releasing twice (a double click, two
    agents) makes one ticket; the mail is marked released with the outcome.
    """
    from sangdam.connectors.email.parse import process_email

    if held.released_at is not None:
        return held.outcome
    outcome = process_email(
        bytes(held.raw),
        channel_id=held.channel_id,
        envelope_from=held.envelope_from,
        envelope_to=tuple(held.envelope_to),
        release=True,
    )
    HeldMail.objects.filter(pk=held.pk, released_at__isnull=True).update(
        released_at=timezone.now(), released_by=user, outcome=outcome[:64]
    )
    return outcome
