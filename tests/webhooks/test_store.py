"""Storing an event: the event and its processing task, the same on both databases (on
PostgreSQL one statement writes both rows itself, so its task row is checked against the
one django-tasks-db's own ``enqueue`` writes)."""

from __future__ import annotations

import pytest
from django_tasks_db.models import DBTaskResult

from sangdam.connectors.base import WebhookAnswer
from sangdam.connectors.models import EventStatus, InboundEvent
from sangdam.connectors.webhooks.store import kept_answer, store_event
from sangdam.connectors.webhooks.tasks import process_inbound_event
from sangdam.tickets.models import Message

pytestmark = pytest.mark.django_db

# Everything of a task row but its id and its moments.
_TASK_COLUMNS = (
    "status", "args_kwargs", "priority", "task_path", "queue_name", "backend_name",
    "run_after", "started_at", "finished_at", "return_value", "exception_class_path",
    "traceback", "worker_ids",
)  # fmt: skip


def _row(task: DBTaskResult) -> dict[str, object]:
    return {column: getattr(task, column) for column in _TASK_COLUMNS}


def test_a_stored_events_task_is_the_row_django_tasks_writes(hook_channel):
    event, created = store_event(
        channel=hook_channel, event_id="42", body=b'{"id": 42}', headers={"x-a": "1"}
    )
    ours = DBTaskResult.objects.get()
    theirs = DBTaskResult.objects.get(pk=process_inbound_event.enqueue(event.pk).id)

    assert created
    assert _row(ours) == _row(theirs)
    assert ours.args_kwargs == {"args": [event.pk], "kwargs": {}}


def test_a_stored_event_reads_back_as_it_was_given(hook_channel):
    event, _created = store_event(
        channel=hook_channel,
        event_id="43",
        body=b"\x00\xff raw",
        headers={"x-line-signature": "서명"},
    )

    stored = InboundEvent.objects.get()
    assert stored.pk == event.pk
    assert (stored.event_id, bytes(stored.body), stored.headers) == (
        "43",
        b"\x00\xff raw",
        {"x-line-signature": "서명"},
    )
    assert (stored.status, stored.attempts, stored.answer) == (EventStatus.PENDING, 0, None)
    assert stored.received_at == event.received_at


def test_an_event_answered_in_the_door_gets_no_task_and_a_kept_one_is_processed(
    hook_channel,
):
    answer = WebhookAnswer(content_type="text/xml", body=b"<Response/>")
    store_event(channel=hook_channel, event_id="in-door", body=b"{}", headers={}, process=False)
    store_event(
        channel=hook_channel,
        event_id="kept",
        body=b"{}",
        headers={},
        process=False,
        answer=answer,
        kept_only=True,
    )

    assert not DBTaskResult.objects.exists()
    stored = InboundEvent.objects.get(event_id="kept")
    assert stored.status == EventStatus.PROCESSED and stored.processed_at is not None
    assert kept_answer(stored) == answer


def test_a_repeated_event_stores_nothing_more_inside_a_callers_transaction(hook_channel):
    first, _ = store_event(channel=hook_channel, event_id="7", body=b"{}", headers={})

    again, created = store_event(channel=hook_channel, event_id="7", body=b"{}", headers={})

    # The test runs in a transaction: the duplicate must not have broken it.
    assert not created and again.pk == first.pk
    assert (InboundEvent.objects.count(), DBTaskResult.objects.count()) == (1, 1)


def test_the_worker_runs_the_task_stored_with_the_event(hook_channel, run_tasks):
    payload = b'{"id": 9, "type": "message", "from": 1, "name": "Mina", "text": "hello"}'
    store_event(channel=hook_channel, event_id="9", body=payload, headers={})

    run_tasks()

    assert Message.objects.get().text == "hello"
    assert InboundEvent.objects.get().status == EventStatus.PROCESSED


@pytest.mark.django_db(transaction=True)
def test_a_provider_retry_outside_any_transaction_stores_nothing_more(hook_channel):
    first, _ = store_event(channel=hook_channel, event_id="8", body=b"{}", headers={})

    again, created = store_event(channel=hook_channel, event_id="8", body=b"{}", headers={})

    assert not created and again.pk == first.pk
    assert (InboundEvent.objects.count(), DBTaskResult.objects.count()) == (1, 1)
