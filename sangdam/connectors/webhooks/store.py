"""Storing and replaying inbound events."""

from __future__ import annotations

import json
from collections.abc import Iterable
from contextlib import nullcontext
from typing import Any

from django.db import IntegrityError, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.utils import timezone

from sangdam.connectors.base import WebhookAnswer
from sangdam.connectors.models import Channel, EventStatus, InboundEvent
from sangdam.core.inserts import insert


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
    """Store a provider's event and enqueue its processing, both or neither (one
    statement on PostgreSQL, one transaction on SQLite).

    ``process`` False: no processing task (the connector answered it in the door).
    ``answer``: kept with the event (:func:`kept_answer` gives it to a retry).
    ``kept_only``: nothing to process, ever (a call step read back by later events):
    stored as processed.

    Returns (event, created). A repeat of a stored event (a provider's retry, a storm of
    the same update) stores nothing and returns the first one: the unique index on
    (channel, event id) decides, and on PostgreSQL a concurrent repeat waits on the index
    entry until the first commits.
    """
    event_id = event_id[:200]
    fields: dict[str, object] = {
        "channel": channel,
        "event_id": event_id,
        "body": body,
        "headers": headers,
        "answer": _as_json(answer),
        "status": EventStatus.PENDING,
    }
    if kept_only:
        fields |= {"status": EventStatus.PROCESSED, "processed_at": timezone.now()}
    connection = transaction.get_connection()
    try:
        if connection.vendor == "postgresql" and _one_statement_enqueue():
            # A caller's transaction keeps a savepoint, so a duplicate does not break it.
            with transaction.atomic() if connection.in_atomic_block else nullcontext():
                event = _insert(connection, fields, process)
        else:
            event = _insert_orm(fields, process)
    except IntegrityError:
        existing = InboundEvent.objects.filter(channel=channel, event_id=event_id).first()
        if existing is None:
            raise
        return existing, False
    return event, True


def _insert_orm(fields: dict[str, object], process: bool) -> InboundEvent:
    from sangdam.connectors.webhooks.tasks import process_inbound_event

    # No savepoint: a duplicate rolls the whole (two-insert) transaction back. SQLite's
    # writers queue on the process lock a transaction takes (core/sqlite).
    with transaction.atomic():
        event = insert(InboundEvent(**fields))
        # The task row is inserted in the same transaction: no event without its task.
        if process:
            process_inbound_event.enqueue(event.pk)
    return event


def _one_statement_enqueue() -> bool:
    """Whether the task rows are django-tasks-db's (the only task table :func:`_insert`
    knows how to write)."""
    from django_tasks_db.backend import DatabaseBackend

    from sangdam.connectors.webhooks.tasks import process_inbound_event

    return isinstance(process_inbound_event.get_backend(), DatabaseBackend)


def _insert(
    connection: BaseDatabaseWrapper, fields: dict[str, object], process: bool
) -> InboundEvent:
    """PostgreSQL: the event, and its processing task when ``process``, in one statement
    (a data-modifying CTE) in autocommit: one round trip instead of BEGIN, two INSERTs
    compiled by the ORM and COMMIT, the door's largest cost per acknowledgement. The task
    row is the one ``process_inbound_event.enqueue(pk)`` writes (django-tasks-db's
    columns, checked by tests/webhooks/test_store.py against an ORM-enqueued row)."""
    from django_tasks_db.backend import DatabaseBackend
    from django_tasks_db.models import get_date_max

    from sangdam.connectors.webhooks.tasks import process_inbound_event

    now = timezone.now()
    event = InboundEvent(**fields, received_at=now)
    params: list[Any] = [
        event.channel_id,
        event.event_id,
        event.body,
        json.dumps(event.headers),
        event.status,
        now,
        event.processed_at,
        None if event.answer is None else json.dumps(event.answer),
    ]
    sql = _EVENT_SQL
    if process:
        task = process_inbound_event
        backend = task.get_backend()
        assert isinstance(backend, DatabaseBackend)
        sql = _EVENT_AND_TASK_SQL
        params += [
            backend._get_id(),  # its id function (a UUID unless configured otherwise)
            task.priority,
            task.module_path,
            task.queue_name,
            task.backend,
            task.run_after or get_date_max(),
            now,
        ]
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        row = cursor.fetchone()
    event.pk = row[0]
    event._state.adding = False
    event._state.db = connection.alias
    return event


# The tables are InboundEvent's and django-tasks-db's DBTaskResult's.
_EVENT_SQL = """
INSERT INTO connectors_inboundevent (channel_id, event_id, body, headers, status, attempts,
                                     last_error, received_at, processed_at, answer)
VALUES (%s, %s, %s, %s::jsonb, %s, 0, '', %s, %s, %s::jsonb)
RETURNING id"""
_EVENT_AND_TASK_SQL = """
WITH event AS (
  INSERT INTO connectors_inboundevent (channel_id, event_id, body, headers, status, attempts,
                                       last_error, received_at, processed_at, answer)
  VALUES (%s, %s, %s, %s::jsonb, %s, 0, '', %s, %s, %s::jsonb)
  RETURNING id
), task AS (
  INSERT INTO django_tasks_database_dbtaskresult (
    id, status, args_kwargs, priority, task_path, queue_name, backend_name, run_after,
    enqueued_at, exception_class_path, traceback, worker_ids, return_value
  )
  SELECT %s, 'READY', jsonb_build_object('args', jsonb_build_array(event.id), 'kwargs',
         '{}'::jsonb), %s, %s, %s, %s, %s, %s, '', '', '[]'::jsonb, NULL
  FROM event
)
SELECT id FROM event"""


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
