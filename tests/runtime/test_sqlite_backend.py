"""The SQLite backend (core/sqlite): statements reach the database as written, however
often they repeat; writers in several processes take turns."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from django.db import connection
from django.db.utils import ConnectionHandler

from sangdam.core.sqlite.base import DatabaseWrapper


@pytest.mark.django_db
def test_placeholders_and_literal_percent_signs_survive_repeated_statements() -> None:
    with connection.cursor() as cursor:
        for value in (1, 2):
            cursor.execute("SELECT %s, '100%%', %s", [value, "x%s"])
            assert cursor.fetchone() == (value, "100%", "x%s")


@pytest.mark.django_db
def test_named_placeholders_still_work() -> None:
    with connection.cursor() as cursor:
        cursor.execute("SELECT %(a)s + %(b)s", {"a": 2, "b": 3})
        assert cursor.fetchone() == (5,)


def _file_database(path: Path) -> DatabaseWrapper:
    options = {"transaction_mode": "IMMEDIATE", "timeout": 5}
    settings = {"ENGINE": "sangdam.core.sqlite", "NAME": str(path), "OPTIONS": options}
    database = ConnectionHandler({"default": settings})["default"]
    assert isinstance(database, DatabaseWrapper)
    return database


def _another_process_may_write(path: Path) -> bool:
    """Whether another process would get its turn at the database now."""
    probe = (
        "import fcntl, sys\n"
        f"f = open({str(path) + '.writer-lock'!r}, 'a')\n"
        "try:\n    fcntl.flock(f, fcntl.LOCK_EX | fcntl.LOCK_NB)\n"
        "except BlockingIOError:\n    sys.exit(1)\n"
    )
    return subprocess.run([sys.executable, "-c", probe], check=False).returncode == 0


# Transactional: no test transaction holds this process's own turn meanwhile.
@pytest.mark.django_db(transaction=True)
def test_a_writer_in_another_process_waits_for_the_commit_not_for_sqlite(tmp_path: Path) -> None:
    path = tmp_path / "shared.sqlite3"
    database = _file_database(path)
    try:
        database.ensure_connection()
        database._start_transaction_under_autocommit()  # what atomic() does on SQLite
        database.cursor().execute("CREATE TABLE t (x integer)")
        assert not _another_process_may_write(path)
        database.commit()
        assert _another_process_may_write(path)
    finally:
        database.close()
