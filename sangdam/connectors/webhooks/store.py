"""Storing and replaying inbound events."""

from __future__ import annotations

from collections.abc import Iterable
from contextlib import nullcontext

from django.db import IntegrityError, transaction
from django.utils import timezone

from sangdam.connectors.base import WebhookAnswer
from sangdam.connectors.models import Channel, EventStatus, InboundEvent


def store_event(
    *,
    channel: Channel,
    event_id: str,
    body: bytes,
    headers: dict[str, str],
    process: bool = True,
    answer: WebhookAnswer | None = None,
    kept_only: bool = False,
) -> tuple[InboundEvent, bool]:
    """Store a provider's event and enqueue its processing, in one transaction.

    ``process`` False: no processing task (the connector answered it in the door).
    ``answer``: kept with the event (:func:`kept_answer` gives it to a retry).
    ``kept_only``: nothing to process, ever (a call step read back by later events):
    stored as processed.

    Returns (event, created). A repeat of a stored event (a provider's retry, a storm of
    the same update) stores nothing and returns the first one: the unique index on
    (channel, event id) decides, and on PostgreSQL a concurrent repeat waits on the index
    entry until the first commits.
    """
    from sangdam.connectors.webhooks.tasks import process_inbound_event

    event_id = event_id[:200]
    # On PostgreSQL one insert alone needs no transaction of its own (BEGIN and COMMIT are
    # two round trips): the statement is atomic. Inside a caller's transaction it stays a
    # savepoint, so a duplicate does not break the caller's transaction. SQLite's writers
    # queue on the process lock a transaction takes (core/sqlite): kept.
    connection = transaction.get_connection()
    alone = not process and not connection.in_atomic_block and connection.vendor != "sqlite"
    try:
        # No savepoint: a duplicate rolls the whole (two-insert) transaction back.
        with nullcontext() if alone else transaction.atomic():
            event = InboundEvent.objects.create(
                channel=channel,
                event_id=event_id,
                body=body,
                headers=headers,
                answer=_as_json(answer),
                **(
                    {"status": EventStatus.PROCESSED, "processed_at": timezone.now()}
                    if kept_only
                    else {}
                ),
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


def _as_json(answer: WebhookAnswer | None) -> dict[str, object] | None:
    if answer is None:
        return None
    return {
        "status": answer.status,
        "content_type": answer.content_type,
        "body": answer.body.decode("utf-8"),
    }


def kept_answer(event: InboundEvent) -> WebhookAnswer | None:
    """The answer stored with ``event`` (None when it kept none)."""
    kept = event.answer
    if not isinstance(kept, dict):
        return None
    return WebhookAnswer(
        status=int(kept.get("status", 200)),
        content_type=str(kept.get("content_type", "text/plain")),
        body=str(kept.get("body", "")).encode("utf-8"),
    )


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
