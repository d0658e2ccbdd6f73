"""The task worker: django-tasks-db's, with a claim and a success of one statement each.

The library's worker claims a task with four statements (BEGIN, SELECT … FOR UPDATE SKIP
LOCKED, UPDATE, COMMIT), building both queries with the ORM every time, and records a
success with an ORM save. With one dispatch task per inquiry, that was about a quarter of
the worker's CPU per inquiry (bench/profile_form.py). Here a claim is one
``UPDATE … RETURNING`` of the next ready task and a success one ``UPDATE``, their SQL
written once for each database. What a claim picks (READY, ``run_after`` passed or unset;
by priority, then ``run_after``, then ``enqueued_at``), what it writes (RUNNING, the start
time, this worker appended to ``worker_ids``) and what a success stores are the
library's; a failure is recorded by the library's own ``set_failed``, and the task is run
by the library's ``run_task``.

An answer someone is waiting for need not wait for the embedded worker either: when that
worker is busy (a backlog of bookkeeping on a saturated process), the request thread that
commits a ``RUN_HERE_PRIORITY`` task claims that very task and runs it itself
(:func:`run_committed`). The claim is the worker's (READY → RUNNING under the worker's
id and lease), so the task runs once, and a process that dies mid-run leaves it to the
lease's recovery like any other.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Callable
from contextlib import nullcontext
from typing import Any

from django.db import close_old_connections, connections, router, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.utils import OperationalError
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks.signals import task_enqueued
from django_tasks.utils import normalize_json
from django_tasks_db.backend import DatabaseBackend as LibraryBackend
from django_tasks_db.backend import TaskResult
from django_tasks_db.management.commands.db_worker import Worker as LibraryWorker
from django_tasks_db.models import DBTaskResult, get_date_max
from django_tasks_db.utils import is_locked_database_exception, normalize_uuid, retry

from sangdam.core import inflight
from sangdam.core.inserts import insert
from sangdam.core.wakeup import RUN_HERE_PRIORITY, URGENT_PRIORITY, Waiter, urgent_committed

log = logging.getLogger(__name__)

_FIELDS = DBTaskResult._meta.concrete_fields
_Converter = Callable[[Any, Any, BaseDatabaseWrapper], Any]


def _claim_sql(
    connection: BaseDatabaseWrapper, queues: int, *, more: bool = False, by_id: bool = False
) -> str:
    """The claim of the next ready task; ``more``: of up to ``%s`` more of one task path;
    ``by_id``: of the task whose id is the third parameter, if it is ready and due."""
    q = connection.ops.quote_name
    table = q(DBTaskResult._meta.db_table)
    in_queues = f" AND queue_name IN ({', '.join(['%s'] * queues)})" if queues else ""
    of_path = " AND task_path = %s" if more else ""
    pick = (
        f"SELECT id FROM {table} WHERE status = 'READY' AND backend_name = %s"  # noqa: S608 (names; values are parameters)
        f" AND (run_after = %s OR run_after <= %s){in_queues}{of_path}"
        " ORDER BY priority DESC, run_after ASC, enqueued_at ASC LIMIT " + ("%s" if more else "1")
    )
    if connection.vendor == "postgresql":
        pick += " FOR UPDATE SKIP LOCKED"
        append = "worker_ids || jsonb_build_array(%s::text)"
    else:
        append = "json_insert(worker_ids, '$[#]', %s)"
    columns = ", ".join(q(f.column) for f in _FIELDS)
    where = (
        "id = %s AND status = 'READY' AND (run_after = %s OR run_after <= %s)"
        if by_id
        else f"id {'IN' if more else '='} ({pick})"
    )
    return (
        f"UPDATE {table} SET status = 'RUNNING', started_at = %s, worker_ids = {append}"  # noqa: S608 (names; values are parameters)
        f" WHERE {where} RETURNING {columns}"
    )


def _success_sql(connection: BaseDatabaseWrapper, count: int = 1) -> str:
    table = connection.ops.quote_name(DBTaskResult._meta.db_table)
    ids = "= %s" if count == 1 else f"IN ({', '.join(['%s'] * count)})"
    return (
        f"UPDATE {table} SET status = 'SUCCESSFUL', finished_at = %s, return_value = %s,"  # noqa: S608 (names; values are parameters)
        f" exception_class_path = '', traceback = '' WHERE id {ids}"
    )


# Tasks a worker may run several of at once when they wait in a backlog (see Worker.run):
# task path -> the function that runs many calls' positional arguments together.
_TOGETHER: dict[str, Callable[[list[list[Any]]], None]] = {}
# How many tasks of one such path a worker claims at once.
TOGETHER_MAX = 20


def runs_together(task_path: str, run: Callable[[list[list[Any]]], None]) -> None:
    """Let a worker that finds ``task_path`` waiting in a backlog claim up to
    ``TOGETHER_MAX`` of them at once and hand their arguments to ``run`` in one call.

    ``run`` must do what the tasks one by one would, and raise only when none of it
    stuck (the worker then runs each task alone, as usual). The tasks take positional
    arguments only and return nothing.
    """
    _TOGETHER[task_path] = run


def _converters(connection: BaseDatabaseWrapper) -> list[tuple[Any, list[_Converter]]]:
    found = []
    for field in _FIELDS:
        column = field.get_col(DBTaskResult._meta.db_table)
        found.append(
            (
                column,
                connection.ops.get_db_converters(column) + column.get_db_converters(connection),
            )
        )
    return found


class Worker(LibraryWorker):
    """django-tasks-db's worker (its ``run_task``; ``run`` is its loop) on the statements above."""

    def __init__(self, *, give_way: float = 0.0, **kwargs: Any) -> None:
        """``give_way``: seconds to wait at most, before each claim, for the requests this
        process answers to finish (core/inflight.py; the embedded worker); 0: never."""
        super().__init__(**kwargs)
        self.give_way = give_way
        self.waiter = Waiter()
        if self.excluded_queue_names:
            raise ValueError("excluded queues are not supported")
        self._queues = [] if self.process_all_queues else list(self.queue_names)
        self._sql: dict[str, tuple[str, str, list[tuple[Any, list[_Converter]]]]] = {}
        self._claim_more_sql: dict[str, str] = {}
        self._claim_id_sql: dict[str, str] = {}
        # True while it waits for work (nothing to claim): what it is woken from.
        self.idle = False

    def _prepared(self, connection: BaseDatabaseWrapper) -> tuple[str, str, list[Any]]:
        found = self._sql.get(connection.alias)
        if found is None:
            found = self._sql[connection.alias] = (
                _claim_sql(connection, len(self._queues)),
                _success_sql(connection),
                _converters(connection),
            )
        return found

    def claim(self) -> DBTaskResult | None:
        """Mark the next ready task RUNNING for this worker and return it (None: none)."""
        found = self._claim(more=None)
        return found[0] if found else None

    def claim_more(self, task_path: str, limit: int) -> list[DBTaskResult]:
        """Mark up to ``limit`` more ready tasks of ``task_path`` RUNNING, in claim order."""
        return self._claim(more=(task_path, limit))

    def _claim(
        self, *, more: tuple[str, int] | None = None, task_id: Any = None
    ) -> list[DBTaskResult]:
        alias = router.db_for_write(DBTaskResult)
        connection = connections[alias]
        claim_sql, _success, converters = self._prepared(connection)
        ops = connection.ops
        now = timezone.now()
        params = [ops.adapt_datetimefield_value(now), self.worker_id]
        if task_id is not None:
            claim_sql = self._claim_id_sql.get(alias) or self._claim_id_sql.setdefault(
                alias, _claim_sql(connection, 0, by_id=True)
            )
            params += [
                DBTaskResult._meta.pk.get_db_prep_value(task_id, connection),
                ops.adapt_datetimefield_value(get_date_max()),
                ops.adapt_datetimefield_value(now),
            ]
        else:
            if more is not None:
                claim_sql = self._claim_more_sql.get(alias) or self._claim_more_sql.setdefault(
                    alias, _claim_sql(connection, len(self._queues), more=True)
                )
            params += [
                self.backend_name,
                ops.adapt_datetimefield_value(get_date_max()),
                ops.adapt_datetimefield_value(now),
                *self._queues,
                *(more or ()),
            ]
        # SQLite: in a transaction, so this process's writers take turns on its lock
        # (sangdam.core.sqlite) instead of sleeping on the file's. PostgreSQL: one
        # statement in autocommit is its own transaction.
        in_transaction = (
            transaction.atomic(using=alias) if connection.vendor == "sqlite" else nullcontext()
        )
        with in_transaction, connection.cursor() as cursor:
            cursor.execute(claim_sql, params)
            rows = cursor.fetchall()
        results = []
        for row in rows:
            values = []
            for value, (column, functions) in zip(row, converters, strict=True):
                for function in functions:
                    value = function(value, column, connection)
                values.append(value)
            result: DBTaskResult = DBTaskResult.from_db(alias, [f.attname for f in _FIELDS], values)
            # The library's ``run_task`` records a success with ``set_successful``: this one.
            result.set_successful = functools.partial(self.succeeded, [result])
            results.append(result)
        # UPDATE … RETURNING gives no order: the claim's own (priority, time).
        results.sort(key=lambda r: (-r.priority, r.run_after, r.enqueued_at))
        return results

    @retry()
    def succeeded(self, results: list[DBTaskResult], return_value: Any) -> None:
        connection = connections[router.db_for_write(DBTaskResult)]
        success_sql = (
            self._prepared(connection)[1]
            if len(results) == 1
            else _success_sql(connection, len(results))
        )
        meta = DBTaskResult._meta
        now = timezone.now()
        with connection.cursor() as cursor:
            cursor.execute(
                success_sql,
                [
                    connection.ops.adapt_datetimefield_value(now),
                    meta.get_field("return_value").get_db_prep_save(return_value, connection),
                    *(meta.pk.get_db_prep_value(result.pk, connection) for result in results),
                ],
            )
        for result in results:
            result.status = TaskResultStatus.SUCCESSFUL
            result.finished_at = now
            result.return_value = return_value

    def run_here(self, task_id: Any) -> bool:
        """Claim the ready task ``task_id`` for this worker and run it on the calling thread;
        False when it is no longer ready (this worker, or another, has it already)."""
        found = self._claim(task_id=task_id)
        for result in found:
            self.run_task(result)
        return bool(found)

    def run_together(self, first: DBTaskResult) -> bool:
        """Run ``first`` with the ready tasks of its path waiting behind it, in one call of
        their ``runs_together`` function; False (nothing done) if it has none."""
        together = _TOGETHER.get(first.task_path)
        if together is None:
            return False
        limit = TOGETHER_MAX - 1
        if self.max_tasks is not None:
            limit = min(limit, self.max_tasks - self._run_tasks - 1)
        if limit < 1:
            return False
        results = [first, *self.claim_more(first.task_path, limit)]
        if len(results) == 1:
            return False
        try:
            together([list(r.args_kwargs["args"]) for r in results])
        except Exception:
            log.warning(
                "%d tasks of %s together failed; each runs alone",
                len(results),
                first.task_path,
                exc_info=True,
            )
            for result in results:
                self.run_task(result)
            return True
        self.succeeded(results, None)
        self._run_tasks += len(results)
        return True

    def run(self) -> None:
        log.debug("Starting worker worker_id=%s queues=%s", self.worker_id, self.queue_names)
        try:
            self._loop()
        finally:
            self.waiter.close()

    def _loop(self) -> None:
        backlog = False
        while self.running:
            # Embedded: the web's requests first (core/inflight.py); busy, one task at a time.
            busy = bool(self.give_way) and not inflight.wait_until_quiet(self.give_way)
            close_old_connections()
            try:
                result = self.claim()
                claimed = True
            except OperationalError as exc:
                # A locked SQLite database: try again, as the library's worker does.
                if not is_locked_database_exception(exc):
                    raise
                result, claimed = None, False
            # A task found right after another means a backlog: the tasks that can run
            # together then do (one claim, one transaction, one success for many). A
            # task found after an idle wait is most likely alone, and runs at once.
            if result is not None and not (backlog and not busy and self.run_together(result)):
                self.run_task(result)
            backlog = result is not None
            if self.batch and claimed and result is None:
                return
            if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                return
            close_old_connections()
            if self.running and result is None:
                self.idle = True
                try:
                    self.waiter.wait(self.interval)  # an urgent task wakes it (core/wakeup.py)
                finally:
                    self.idle = False


# The task worker of this process, in the embedded process (core/runtime.py); else None.
_local_worker: Worker | None = None


def set_local_worker(worker: Worker | None) -> None:
    global _local_worker
    _local_worker = worker


def run_committed(task_id: Any) -> None:
    """Right after the commit of a ``RUN_HERE_PRIORITY`` task: wake this process's worker
    when it is idle (it claims the task at once); when it is busy, run the task here.

    Busy is the case that matters: on a saturated process the worker works through a
    backlog of bookkeeping, and a live chat answer waited behind it for seconds (bench/
    livechat.py, 1,000 visitors). The task runs on the committing thread (the agent's
    request, after its transaction): its answer waits for the push, the visitor does not
    wait for the worker. If the claim itself fails, the worker still finds the task.
    """
    worker = _local_worker
    if worker is None or worker.idle:
        urgent_committed()
        return
    try:
        worker.run_here(task_id)
    except Exception:
        log.warning("could not run task %s here; the worker will", task_id, exc_info=True)
        urgent_committed()


class DatabaseBackend(LibraryBackend):
    """django-tasks-db's backend; a task's row is written by core/inserts.py (the same
    columns and values as the library's ``objects.create``, without building the INSERT
    on every enqueue: one per inquiry).

    ``enqueue`` is the library's, with its result built once from the task in hand: the
    library builds it twice (for the ``task_enqueued`` signal and for the caller), each
    time importing the task function by its path and copying the task with ``using``,
    for a result the intake never reads.
    """

    def enqueue(self, task: Any, args: Any, kwargs: Any) -> TaskResult[Any, Any]:
        self.validate_task(task)
        row = self._task_to_db_task(task, args, kwargs)
        result: TaskResult[Any, Any] = TaskResult(
            db_result=row,
            task=task,
            id=normalize_uuid(row.id),
            status=TaskResultStatus.READY,
            enqueued_at=row.enqueued_at,
            started_at=None,
            last_attempted_at=None,
            finished_at=None,
            args=row.args_kwargs["args"],
            kwargs=row.args_kwargs["kwargs"],
            backend=self.alias,
            errors=[],
            worker_ids=[],
        )
        object.__setattr__(result, "_return_value", None)
        task_enqueued.send(type(self), task_result=result)
        if task.priority >= URGENT_PRIORITY:  # an answer on its way (core/wakeup.py)
            alias = router.db_for_write(DBTaskResult)
            if task.priority >= RUN_HERE_PRIORITY and _local_worker is not None:
                transaction.on_commit(functools.partial(run_committed, row.id), using=alias)
            else:
                transaction.on_commit(urgent_committed, using=alias)
        return result

    def _task_to_db_task(self, task: Any, args: Any, kwargs: Any) -> DBTaskResult:
        return insert(
            DBTaskResult(
                id=self._get_id(),
                args_kwargs=normalize_json({"args": args, "kwargs": kwargs}),
                priority=task.priority,
                task_path=task.module_path,
                queue_name=task.queue_name,
                # What the library's pre_save receiver (set_run_after) does.
                run_after=task.run_after or get_date_max(),
                backend_name=self.alias,
            ),
            receivers_done=True,
        )
