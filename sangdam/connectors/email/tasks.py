"""Background work of the email channel: polling the IMAP mailboxes.

The scheduler enqueues ``poll_mailboxes`` every minute; it fans out one task per
mailbox, so a slow or hanging server holds up only its own mailbox and several workers
poll in parallel.
"""

from __future__ import annotations

import datetime as dt
import logging

from django.utils import timezone
from django_tasks import task

from sangdam.connectors.email.imap import poll_mailbox, pollable_mailboxes
from sangdam.connectors.email.models import Mailbox

log = logging.getLogger(__name__)

RECENT = dt.timedelta(seconds=20)


@task()
def poll_mailboxes() -> None:
    """Enqueue a poll of every enabled mailbox of an enabled email channel."""
    for mailbox in pollable_mailboxes():
        poll_one_mailbox.enqueue(mailbox.pk)


@task()
def poll_one_mailbox(mailbox_id: int) -> None:
    mailbox = (
        Mailbox.objects.select_related("channel")
        .filter(pk=mailbox_id, enabled=True, channel__enabled=True)
        .first()
    )
    if mailbox is None:
        return  # disabled or deleted since it was enqueued
    if mailbox.last_polled_at and timezone.now() - mailbox.last_polled_at < RECENT:
        # Polls that piled up while no worker ran: one is enough.
        return
    result = poll_mailbox(mailbox)
    if result.outcomes or result.acknowledged_only:
        log.info(
            "imap %s: %s new, %s only flagged",
            mailbox,
            len(result.outcomes),
            result.acknowledged_only,
        )
