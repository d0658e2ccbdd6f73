"""SQLite with writers queued in the process instead of sleeping on the file lock.

SQLite lets one transaction write at a time. With ``BEGIN IMMEDIATE`` a second writer
waits in SQLite's busy handler, which sleeps and retries with growing pauses (up to
100 ms each): under eight concurrent form posts the slowest waited about a second while
the lock was free most of that time. Here a transaction of this process first takes a
process-wide lock, so the writers of the embedded server (request threads, task worker,
scheduler, SMTP receiver) take turns without sleeping. Between processes (``sangdam
web``'s workers, ``sangdam worker``, commands) the writer then takes an ``flock`` on a file
beside the database (``<database>.writer-lock``), polled every half millisecond: the next
process writes within a millisecond of the last one's commit instead of after SQLite's
next pause. SQLite's own lock still guards the file: a process that cannot take the lock
file (no ``flock`` on the file system, or held past the busy timeout) goes on to SQLite's
wait, as before, and so do tools that know nothing of the lock file. (Not the
``filelock`` library: it opens and closes the file on every turn, 42 µs of CPU per
transaction; an ``flock`` on a descriptor kept open, under 1 µs.)

Statements are also converted from Django's ``%s`` placeholders to SQLite's ``?`` once per
distinct statement, not on every execution (a regular expression per statement was 4 % of
the task worker's CPU).
"""

from __future__ import annotations

import fcntl
import os
import threading
import time
from functools import lru_cache
from typing import Any

from django.db.backends.sqlite3 import base

_WRITER = threading.Lock()
# Per process and database file: one turn at a time within the process (``_WRITER``), so
# one lock object, not one per thread.
_WRITER_FILES: dict[tuple[int, str], _WriterFile | None] = {}
POLL_SECONDS = 0.0005


class _WriterFile:
    """This process's turn at a database file among processes: an ``flock`` on a
    descriptor opened once per process."""

    def __init__(self, path: str) -> None:
        self.fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)

    def acquire(self, timeout: float) -> bool:
        """False when another process holds it past ``timeout`` seconds."""
        deadline = None
        while True:
            try:
                fcntl.flock(self.fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                return True
            except BlockingIOError:
                now = time.monotonic()
                if deadline is None:
                    deadline = now + timeout
                elif now >= deadline:
                    return False
                time.sleep(POLL_SECONDS)

    def release(self) -> None:
        fcntl.flock(self.fd, fcntl.LOCK_UN)


def _writer_file(name: str) -> _WriterFile | None:
    key = (os.getpid(), name)  # a forked child opens its own descriptor
    if key not in _WRITER_FILES:
        try:
            _WRITER_FILES[key] = _WriterFile(f"{name}.writer-lock")
        except OSError:  # a read-only folder: SQLite's own wait only
            _WRITER_FILES[key] = None
    return _WRITER_FILES[key]


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
        self._holds_file: _WriterFile | None = None

    def create_cursor(self, name: str | None = None) -> Cursor:
        return self.connection.cursor(factory=Cursor)

    def _start_transaction_under_autocommit(self) -> None:
        # IMMEDIATE (ours) or EXCLUSIVE (the task worker claiming a task) write at once.
        if not self._holds_writer and self.transaction_mode:  # type: ignore[attr-defined]
            # Past the busy timeout, carry on and let SQLite's own wait decide.
            timeout = float(self.settings_dict.get("OPTIONS", {}).get("timeout", 20))
            self._holds_writer = _WRITER.acquire(timeout=timeout)
            if self._holds_writer:
                self._holds_file = self._take_writer_file(timeout)
        try:
            super()._start_transaction_under_autocommit()  # type: ignore[misc]
        except BaseException:
            self._release_writer()
            raise

    def _take_writer_file(self, timeout: float) -> _WriterFile | None:
        name = str(self.settings_dict["NAME"])
        if self.creation.is_in_memory_db(name):
            return None
        lock = _writer_file(name)
        try:
            return lock if lock is not None and lock.acquire(timeout) else None
        except OSError:  # no flock on this file system: SQLite's own wait only
            _WRITER_FILES[(os.getpid(), name)] = None
            return None

    def _release_writer(self) -> None:
        if self._holds_file is not None:
            lock, self._holds_file = self._holds_file, None
            lock.release()
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
