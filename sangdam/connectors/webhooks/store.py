"""Storing and replaying inbound events."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import IntegrityError, transaction

from sangdam.connectors.models import Channel, EventStatus, InboundEvent


def store_event(
    *,
    channel: Channel,
    event_id: str,
    body: bytes,
    headers: dict[str, str],
    process: bool = True,
) -> tuple[InboundEvent, bool]:
    """Store a provider's event and enqueue its processing, in one transaction.

    ``process`` False: no processing task (the connector answered it in the door).

    Returns (event, created). A repeat of a stored event (a provider's retry, a storm of
    the same update) stores nothing and returns the first one: the unique index on
    (channel, event id) decides, and on PostgreSQL a concurrent repeat waits on the index
    entry until the first commits.
    """
    from sangdam.connectors.webhooks.tasks import process_inbound_event

    event_id = event_id[:200]
    try:
        # No savepoint: a duplicate rolls the whole (two-insert) transaction back.
        with transaction.atomic():
            event = InboundEvent.objects.create(
                channel=channel, event_id=event_id, body=body, headers=headers
            )
            # The task row is inserted in the same transaction: no event without its task.
            if process:
                process_inbound_event.enqueue(event.pk)
    except IntegrityError:
        existing = InboundEvent.objects.filter(channel=channel, event_id=event_id).first()
        if existing is None:
            raise
        return existing, False
    return event, True


def replay_events(events: Iterable[InboundEvent]) -> int:
    """Process these events again (failed or ignored ones after a fix); returns how many.

    Replaying is safe for processed events too: the intake dedupes on message ids.
    """
    from sangdam.connectors.webhooks.tasks import process_inbound_event

    count = 0
    for event in events:
        with transaction.atomic():
            InboundEvent.objects.filter(pk=event.pk).update(
                status=EventStatus.PENDING, attempts=0, last_error=""
            )
            process_inbound_event.enqueue(event.pk)
        count += 1
    return count
