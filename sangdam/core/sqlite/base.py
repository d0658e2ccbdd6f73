"""SQLite with writers queued in the process instead of sleeping on the file lock.

SQLite lets one transaction write at a time. With ``BEGIN IMMEDIATE`` a second writer
waits in SQLite's busy handler, which sleeps and retries with growing pauses (up to
100 ms each): under eight concurrent form posts the slowest waited about a second while
the lock was free most of that time. Here a transaction of this process first takes a
process-wide lock, so the writers of the embedded server (request threads, task worker,
scheduler, SMTP receiver) take turns without sleeping; the file lock still guards
against other processes (``sangdam`` commands), as before.

Statements are also converted from Django's ``%s`` placeholders to SQLite's ``?`` once per
distinct statement, not on every execution (a regular expression per statement was 4 % of
the task worker's CPU).
"""

from __future__ import annotations

import threading
from functools import lru_cache
from typing import Any

from django.db.backends.sqlite3 import base

_WRITER = threading.Lock()


@lru_cache(maxsize=2048)
def _qmark(query: str) -> str:
    return base.FORMAT_QMARK_REGEX.sub("?", query).replace("%%", "%")


class Cursor(base.SQLiteCursorWrapper):
    def convert_query(self, query: str, *, param_names: list[str] | None = None) -> str:
        if param_names is None:
            return _qmark(query)
        return super().convert_query(query, param_names=param_names)  # type: ignore[misc]


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._holds_writer = False

    def create_cursor(self, name: str | None = None) -> Cursor:
        return self.connection.cursor(factory=Cursor)

    def _start_transaction_under_autocommit(self) -> None:
        # IMMEDIATE (ours) or EXCLUSIVE (the task worker claiming a task) write at once.
        if not self._holds_writer and self.transaction_mode:  # type: ignore[attr-defined]
            # Past the busy timeout, carry on and let SQLite's own wait decide.
            timeout = float(self.settings_dict.get("OPTIONS", {}).get("timeout", 20))
            self._holds_writer = _WRITER.acquire(timeout=timeout)
        try:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]
        except BaseException:
            self._release_writer()
            raise

    def _release_writer(self) -> None:
        if self._holds_writer:
            self._holds_writer = False
            _WRITER.release()

    def _commit(self) -> None:
        try:
            super()._commit()  # type: ignore[misc]
        finally:
            self._release_writer()

    def _rollback(self) -> None:
        try:
            super()._rollback()  # type: ignore[misc]
        finally:
            self._release_writer()

    def _close(self) -> None:
        try:
            super()._close()  # type: ignore[misc]
        finally:
            self._release_writer()
