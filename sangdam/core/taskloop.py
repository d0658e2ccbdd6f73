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
"""

from __future__ import annotations

import functools
import logging
import time
from collections.abc import Callable
from contextlib import nullcontext
from typing import Any

from django.db import close_old_connections, connections, router, transaction
from django.db.backends.base.base import BaseDatabaseWrapper
from django.db.utils import OperationalError
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks.utils import normalize_json
from django_tasks_db.backend import DatabaseBackend as LibraryBackend
from django_tasks_db.management.commands.db_worker import Worker as LibraryWorker
from django_tasks_db.models import DBTaskResult, get_date_max
from django_tasks_db.utils import is_locked_database_exception, retry

from sangdam.core.inserts import insert

log = logging.getLogger(__name__)

_FIELDS = DBTaskResult._meta.concrete_fields
_Converter = Callable[[Any, Any, BaseDatabaseWrapper], Any]


def _claim_sql(connection: BaseDatabaseWrapper, queues: int) -> str:
    q = connection.ops.quote_name
    table = q(DBTaskResult._meta.db_table)
    in_queues = f" AND queue_name IN ({', '.join(['%s'] * queues)})" if queues else ""
    pick = (
        f"SELECT id FROM {table} WHERE status = 'READY' AND backend_name = %s"  # noqa: S608 (names; values are parameters)
        f" AND (run_after = %s OR run_after <= %s){in_queues}"
        " ORDER BY priority DESC, run_after ASC, enqueued_at ASC LIMIT 1"
    )
    if connection.vendor == "postgresql":
        pick += " FOR UPDATE SKIP LOCKED"
        append = "worker_ids || jsonb_build_array(%s::text)"
    else:
        append = "json_insert(worker_ids, '$[#]', %s)"
    columns = ", ".join(q(f.column) for f in _FIELDS)
    return (
        f"UPDATE {table} SET status = 'RUNNING', started_at = %s, worker_ids = {append}"  # noqa: S608 (names; values are parameters)
        f" WHERE id = ({pick}) RETURNING {columns}"
    )


def _success_sql(connection: BaseDatabaseWrapper) -> str:
    table = connection.ops.quote_name(DBTaskResult._meta.db_table)
    return (
        f"UPDATE {table} SET status = 'SUCCESSFUL', finished_at = %s, return_value = %s,"  # noqa: S608 (names; values are parameters)
        " exception_class_path = '', traceback = '' WHERE id = %s"
    )


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

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(**kwargs)
        if self.excluded_queue_names:
            raise ValueError("excluded queues are not supported")
        self._queues = [] if self.process_all_queues else list(self.queue_names)
        self._sql: dict[str, tuple[str, str, list[tuple[Any, list[_Converter]]]]] = {}

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
        alias = router.db_for_write(DBTaskResult)
        connection = connections[alias]
        claim_sql, _success, converters = self._prepared(connection)
        ops = connection.ops
        now = timezone.now()
        params = [
            ops.adapt_datetimefield_value(now),
            self.worker_id,
            self.backend_name,
            ops.adapt_datetimefield_value(get_date_max()),
            ops.adapt_datetimefield_value(now),
            *self._queues,
        ]
        # SQLite: in a transaction, so this process's writers take turns on its lock
        # (sangdam.core.sqlite) instead of sleeping on the file's. PostgreSQL: one
        # statement in autocommit is its own transaction.
        in_transaction = (
            transaction.atomic(using=alias) if connection.vendor == "sqlite" else nullcontext()
        )
        with in_transaction, connection.cursor() as cursor:
            cursor.execute(claim_sql, params)
            row = cursor.fetchone()
        if row is None:
            return None
        values = []
        for value, (column, functions) in zip(row, converters, strict=True):
            for function in functions:
                value = function(value, column, connection)
            values.append(value)
        result: DBTaskResult = DBTaskResult.from_db(alias, [f.attname for f in _FIELDS], values)
        # The library's ``run_task`` records a success with ``set_successful``: this one.
        result.set_successful = functools.partial(self.succeeded, result)
        return result

    @retry()
    def succeeded(self, result: DBTaskResult, return_value: Any) -> None:
        connection = connections[router.db_for_write(DBTaskResult)]
        _claim, success_sql, _converters = self._prepared(connection)
        meta = DBTaskResult._meta
        now = timezone.now()
        with connection.cursor() as cursor:
            cursor.execute(
                success_sql,
                [
                    connection.ops.adapt_datetimefield_value(now),
                    meta.get_field("return_value").get_db_prep_save(return_value, connection),
                    meta.pk.get_db_prep_value(result.pk, connection),
                ],
            )
        result.status = TaskResultStatus.SUCCESSFUL
        result.finished_at = now
        result.return_value = return_value

    def run(self) -> None:
        log.debug("Starting worker worker_id=%s queues=%s", self.worker_id, self.queue_names)
        while self.running:
            close_old_connections()
            try:
                result = self.claim()
                claimed = True
            except OperationalError as exc:
                # A locked SQLite database: try again, as the library's worker does.
                if not is_locked_database_exception(exc):
                    raise
                result, claimed = None, False
            if result is not None:
                self.run_task(result)
            if self.batch and claimed and result is None:
                return
            if self.max_tasks is not None and self._run_tasks >= self.max_tasks:
                return
            close_old_connections()
            if self.running and result is None:
                time.sleep(self.interval)


class DatabaseBackend(LibraryBackend):
    """django-tasks-db's backend; a task's row is written by core/inserts.py (the same
    columns and values as the library's ``objects.create``, without building the INSERT
    on every enqueue: one per inquiry)."""

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
