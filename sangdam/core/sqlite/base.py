"""SQLite with writers queued in the process instead of sleeping on the file lock.

SQLite lets one transaction write at a time. With ``BEGIN IMMEDIATE`` a second writer
waits in SQLite's busy handler, which sleeps and retries with growing pauses (up to
100 ms each): under eight concurrent form posts the slowest waited about a second while
the lock was free most of that time. Here a transaction of this process first takes a
process-wide lock, so the writers of the embedded server (request threads, task worker,
scheduler, SMTP receiver) take turns without sleeping; the file lock still guards
against other processes (``sangdam`` commands), as before.
"""

from __future__ import annotations

import threading
from typing import Any

from django.db.backends.sqlite3 import base

_WRITER = threading.Lock()


class DatabaseWrapper(base.DatabaseWrapper):
    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self._holds_writer = False

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
