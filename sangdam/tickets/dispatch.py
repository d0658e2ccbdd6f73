"""Recording domain events and handing them to their listeners.

:func:`record` runs inside an action's transaction. It writes the events as audit rows in
one bulk insert and arranges what follows:

* **after-commit listeners** (``@listener(..., on_commit=True)``) run in the same process
  right after the commit: fast, best-effort reactions such as the live push to browsers.
  Nothing runs for a transaction that rolls back; an exception is logged, never raised.
* **task listeners** (the default) run in the task worker. The first :func:`record` of a
  transaction enqueues *one* ``dispatch_events`` task in that transaction (so the work
  commits with the data, and is never lost) and gives the transaction a batch number that
  every event row of the transaction carries. The task reads the batch back and calls each
  listener with the events it subscribed to, all in one transaction (no savepoint each: a
  round trip apiece on PostgreSQL). One listener failing neither breaks the action (it
  committed long ago) nor the other listeners: the shared transaction rolls back, each
  listener runs again in a transaction of its own, and one that fails again is retried
  with backoff on its own (``run_listener``). Listeners must therefore be idempotent: a
  retry, a failing neighbour, or a worker that dies half-way runs them again. A listener
  that talks to the network (``atomic=False``: a mail to send) runs after that commit,
  outside any transaction, so no lock waits on a slow server.

No task row is written when no task listener wants any of the transaction's events, and
never one per listener or per event: the intake's hot path pays one bulk insert of events
and at most one task row per transaction.
"""

from __future__ import annotations

import dataclasses
import functools
import logging
import secrets
import weakref
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import transaction
from django_tasks import task

from sangdam.core import backoff
from sangdam.core.compiled import MARKER, CompiledQuery
from sangdam.core.inserts import insert_all
from sangdam.core.taskloop import runs_together
from sangdam.tickets.actor import Actor
from sangdam.tickets.events import DomainEvent, EventMeta, event_from_row
from sangdam.tickets.models import Event

log = logging.getLogger(__name__)

# How often a failing task listener runs before it is given up (and logged as an error).
LISTENER_ATTEMPTS = 5

F = TypeVar("F", bound=Callable[..., None])


@dataclass(frozen=True)
class Listener:
    name: str
    func: Callable[..., None]
    types: tuple[type[DomainEvent], ...]
    on_commit: bool
    # True: called once with the list of its events (of one action when on_commit, of one
    # transaction for tasks); False: called once per event.
    batch: bool
    # False: runs outside any transaction (it waits on the network).
    atomic: bool = True
    # True (batch listeners only): may hear several transactions' events in one call.
    across: bool = False
    # Narrows ``types``: an event it says False to schedules nothing for this listener.
    when: Callable[[Any], bool] | None = None

    def wants(self, event: DomainEvent) -> bool:
        return isinstance(event, self.types) and (self.when is None or self.when(event))

    def call(self, events: Sequence[DomainEvent]) -> None:
        if self.batch:
            self.func(list(events))
        else:
            for event in events:
                self.func(event)


_LISTENERS: dict[str, Listener] = {}


def listener(
    *types: type[DomainEvent],
    on_commit: bool = False,
    batch: bool = False,
    atomic: bool = True,
    across: bool = False,
    when: Callable[[Any], bool] | None = None,
) -> Callable[[F], F]:
    """Register a reaction to events of ``types`` (and their subclasses).

    ``@listener(TicketOpened)`` runs in the task worker after commit; ``on_commit=True``
    runs it in the acting process right after commit (keep those fast and harmless);
    ``atomic=False`` runs it in the worker outside any transaction (for network calls).
    ``across=True`` (with ``batch=True``): when the worker runs a backlog's dispatch tasks
    together, it hears all their events in one call instead of one call per transaction;
    for listeners that only look at which tickets changed (the search index).
    ``when``: only events it says True to (a task listener that ignores most events of its
    type would otherwise cost each of them a dispatch task).
    """
    if not types:
        raise TypeError("a listener needs at least one event type")
    if across and not (batch and atomic and not on_commit):
        raise TypeError("across=True is for batch task listeners that run in a transaction")

    def register(func: F) -> F:
        name = f"{func.__module__}.{func.__qualname__}"
        _LISTENERS[name] = Listener(
            name, func, tuple(types), on_commit, batch, atomic, across, when
        )
        return func

    return register


def listeners() -> list[Listener]:
    """Every registered listener (for docs and tests)."""
    return list(_LISTENERS.values())


# The events recorded inside :func:`one_insert`, written when it ends.
_pending: ContextVar[list[tuple[DomainEvent, Actor]] | None] = ContextVar(
    "sangdam_pending_events", default=None
)


def record(events: Sequence[DomainEvent], *, actor: Actor) -> None:
    """Write ``events`` as audit rows and schedule their listeners; inside a transaction."""
    if not events:
        return
    connection = transaction.get_connection()
    if not connection.in_atomic_block:
        raise RuntimeError("record() belongs inside the action's transaction")
    pending = _pending.get()
    if pending is not None:
        pending.extend((event, actor) for event in events)
        return
    _write([(event, actor) for event in events])


@contextmanager
def one_insert() -> Iterator[None]:
    """The events recorded inside are written together when the block ends, in one insert
    (the intake records three: the ticket opened, the message, the confirmation asked).

    Use it inside the transaction (``with transaction.atomic(), one_insert():``) and only
    around code whose savepoints do not roll back while the block goes on: the events of
    such a savepoint would still be written. Nothing is written if the block raises.
    """
    token = _pending.set([])
    try:
        yield
        pending = _pending.get() or []
    finally:
        _pending.reset(token)
    if pending:
        _write(pending)


def _write(recorded: list[tuple[DomainEvent, Actor]]) -> None:
    events = [event for event, _actor in recorded]
    wanted = [item for item in _LISTENERS.values() if any(item.wants(e) for e in events)]
    batch = _transaction_batch() if any(not item.on_commit for item in wanted) else None
    rows = [
        Event(
            ticket_id=event.ticket_id,
            kind=event.event_kind,
            actor_user=actor.user,
            actor_label=actor.label,
            data=event.payload(),
            batch=batch,
        )
        for event, actor in recorded
    ]
    insert_all(rows)
    written = [
        dataclasses.replace(event, meta=_meta(row)) for event, row in zip(events, rows, strict=True)
    ]
    now = [item for item in wanted if item.on_commit]
    if now:
        transaction.on_commit(lambda: _run_after_commit(now, written))


def _meta(row: Event) -> EventMeta:
    return EventMeta(
        event_id=row.pk,
        actor_label=row.actor_label,
        actor_user_id=row.actor_user_id,
        occurred_at=row.created_at,
    )


def _run_after_commit(wanted: list[Listener], events: list[DomainEvent]) -> None:
    for item in wanted:
        mine = [event for event in events if item.wants(event)]
        try:
            item.call(mine)
        except Exception:
            # The change is committed; a reaction that fails must not turn it into an error.
            log.exception("after-commit listener %s failed", item.name)


# --- one dispatch task per transaction ---------------------------------------------------


class _Batch:
    """Marks a transaction that already has its dispatch task.

    It sits in the connection's list of on-commit callbacks (doing nothing when called), so
    it lives exactly as long as the transaction's task row: Django drops it with a rolled
    back savepoint (whose task row is gone too) and at commit or rollback of the whole.
    """

    def __init__(self, number: int) -> None:
        self.number = number
        # Set when the dispatch task ran while this transaction was still open: only in
        # tests, which run the worker inside the test's transaction. Later events then
        # need a task of their own.
        self.dispatched = False

    def __call__(self) -> None:
        return None


_OPEN_BATCHES: weakref.WeakValueDictionary[int, _Batch] = weakref.WeakValueDictionary()


def _transaction_batch() -> int:
    connection = transaction.get_connection()
    for _sids, func, _robust in connection.run_on_commit:
        if isinstance(func, _Batch) and not func.dispatched:
            return func.number
    marker = _Batch(secrets.randbits(62) + 1)
    _OPEN_BATCHES[marker.number] = marker
    dispatch_events.enqueue(marker.number)
    transaction.on_commit(marker)
    return marker.number


def _load(rows: Iterable[Event]) -> list[DomainEvent]:
    loaded = []
    for row in rows:
        event = event_from_row(kind=row.kind, ticket_id=row.ticket_id, data=row.data)
        if event is not None:
            loaded.append(dataclasses.replace(event, meta=_meta(row)))
    return loaded


# Read once per transaction that had task listeners: compiled once (core/compiled.py).
_BATCH = CompiledQuery(
    Event, lambda batch: Event.objects.filter(batch=batch).order_by("id"), MARKER
)


@functools.lru_cache(maxsize=32)
def _batches(count: int) -> CompiledQuery[Event]:
    """The events of ``count`` batches (a worker runs up to taskloop.TOGETHER_MAX at once)."""
    markers = [MARKER - 10 - n for n in range(count)]
    return CompiledQuery(
        Event,
        lambda *batches: Event.objects.filter(batch__in=batches).order_by("id"),
        *markers,
    )


@task()
def dispatch_events(batch: int) -> None:
    """Hand one transaction's events to the task listeners that want them."""
    _mark_dispatched([batch])
    due = _due(_load(_BATCH.objects(batch)))
    _run_together([(item, mine) for item, mine in due if item.atomic])
    _run_outside(due)


def _dispatch_many(calls: list[list[Any]]) -> None:
    """Several transactions' dispatch tasks that waited in a backlog, run by one worker:
    their events in one read, every atomic listener of every batch in one transaction.

    Each listener still gets one transaction's events per call, in the order the tasks
    were claimed: what it may assume of a batch (events of one action together) holds;
    but an ``across`` listener hears them all in one call, after the others.
    If that shared transaction fails, each batch runs as its own task would.
    """
    batches = [int(args[0]) for args in calls]
    _mark_dispatched(batches)
    rows: dict[int, list[Event]] = {batch: [] for batch in batches}
    for row in _batches(len(batches)).objects(*batches):
        if row.batch in rows:
            rows[row.batch].append(row)
    plans = [_due(_load(rows[batch])) for batch in batches]
    across: dict[str, tuple[Listener, list[DomainEvent]]] = {}
    try:
        with transaction.atomic():
            for due in plans:
                for item, mine in due:
                    if item.across:
                        across.setdefault(item.name, (item, []))[1].extend(mine)
                    elif item.atomic:
                        item.call(mine)
            for item, mine in across.values():
                item.call(mine)
    except Exception:
        log.warning(
            "the listeners of %d batches failed together; each batch runs alone",
            len(batches),
            exc_info=True,
        )
        for due in plans:
            _run_together([(item, mine) for item, mine in due if item.atomic])
    for due in plans:
        _run_outside(due)


runs_together(dispatch_events.module_path, _dispatch_many)


def _mark_dispatched(batches: list[int]) -> None:
    for batch in batches:
        marker = _OPEN_BATCHES.get(batch)
        if marker is not None:
            marker.dispatched = True


def _due(events: list[DomainEvent]) -> list[tuple[Listener, list[DomainEvent]]]:
    """The task listeners that want some of ``events``, each with those it wants."""
    due = []
    for item in _LISTENERS.values():
        mine = [event for event in events if item.wants(event)] if not item.on_commit else []
        if mine:
            due.append((item, mine))
    return due


def _run_outside(due: list[tuple[Listener, list[DomainEvent]]]) -> None:
    """The listeners that wait on the network, after the others' commit."""
    for item, mine in due:
        if not item.atomic:
            _run_listener(item, mine, attempt=1)


def _run_together(due: list[tuple[Listener, list[DomainEvent]]]) -> None:
    """One transaction for all the listeners of a batch, without a savepoint each.

    A savepoint is a round trip to PostgreSQL (two per listener: 12 statements of the
    worker's 33 for one web-form inquiry). Listeners rarely fail, so they run together
    optimistically; when one fails, the whole transaction rolls back (its on-commit
    callbacks with it) and each listener runs again alone, the failing one then retried
    on its own with backoff. Listeners are idempotent, so running one twice is harmless.
    """
    if len(due) > 1:
        try:
            with transaction.atomic():
                for item, mine in due:
                    item.call(mine)
            return
        except Exception:
            log.warning("a listener of one batch failed; each runs alone", exc_info=True)
    for item, mine in due:
        _run_listener(item, mine, attempt=1)


@task()
def run_listener(name: str, event_ids: list[int], attempt: int) -> None:
    """Retry one listener on the events it failed on."""
    item = _LISTENERS.get(name)
    if item is None:
        log.error("listener %s is no longer registered; events %s dropped", name, event_ids)
        return
    _run_listener(item, _load(Event.objects.filter(pk__in=event_ids).order_by("id")), attempt)


def _run_listener(item: Listener, events: list[DomainEvent], attempt: int) -> None:
    try:
        if item.atomic:
            with transaction.atomic():
                item.call(events)
        else:
            item.call(events)
    except Exception:
        _retry_later(item, events, attempt)


def _retry_later(item: Listener, events: list[DomainEvent], attempt: int) -> None:
    """Log the listener's failure (from inside ``except``) and enqueue its retry."""
    ids = [event.meta.event_id for event in events if event.meta is not None]
    if backoff.gave_up(attempt, max_attempts=LISTENER_ATTEMPTS):
        log.exception("listener %s gave up on events %s after %s tries", item.name, ids, attempt)
        return
    retry_at = backoff.retry_at(attempt)
    log.warning("listener %s failed on events %s; retrying", item.name, ids, exc_info=True)
    run_listener.using(run_after=retry_at).enqueue(item.name, ids, attempt + 1)


def describe() -> list[dict[str, Any]]:
    """Which listener hears which events, how (for docs/architecture.md and the admin)."""
    return [
        {
            "listener": item.name,
            "events": [t.__name__ for t in item.types],
            "runs": "after commit" if item.on_commit else "task",
        }
        for item in sorted(_LISTENERS.values(), key=lambda i: i.name)
    ]
