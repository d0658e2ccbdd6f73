from __future__ import annotations

import os
import shutil
import subprocess
import sys
import warnings
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from django.test import Client

from sangdam.core.runtime import make_worker
from tests import factories


@pytest.fixture(scope="session")
def django_db_modify_db_settings(
    django_db_modify_db_settings_parallel_suffix: None, tmp_path_factory: pytest.TempPathFactory
) -> None:
    """On SQLite, test in a database file rather than in memory.

    Concurrency tests start real processes that must open the same test database, and
    a file also runs with the WAL and IMMEDIATE settings production uses. The file sits
    in pytest's per-run temp directory, so parallel runs in one checkout never share it.
    """
    from django.conf import settings

    database = settings.DATABASES["default"]
    if database["ENGINE"].endswith("sqlite3") or database["ENGINE"].endswith(".sqlite"):
        database.setdefault("TEST", {})["NAME"] = str(
            tmp_path_factory.mktemp("db") / "test.sqlite3"
        )


@pytest.fixture(scope="session", autouse=True)
def _close_connection_pool(django_db_setup: None) -> object:
    """Close the PostgreSQL connection pool before the test database is dropped.

    Connections parked in the pool (from threads of concurrency tests) otherwise keep the
    database "accessed by other users" and it is left behind after the run.
    """
    yield
    from django.db import connections

    connections.close_all()  # a connection still checked out outlives its pool's closing
    for connection in connections.all(initialized_only=True):
        close_pool = getattr(connection, "close_pool", None)
        if close_pool is not None:
            close_pool()
    _end_sessions_left_open(connections["default"])


def _end_sessions_left_open(connection: Any) -> None:
    """Any other session still on the PostgreSQL test database (a thread's connection that
    was never returned) is named here and ended, so the database is dropped.

    Asked on a connection of its own, not through Django's: that would open the pool
    again, whose second connection would be named here (and was)."""
    if connection.vendor != "postgresql":
        return
    if connection.settings_dict["NAME"] != connection.creation._get_test_db_name():
        return  # no test of this run used the test database (`pytest tests/cluster`): none made
    import psycopg

    with psycopg.connect(**connection.get_connection_params(), autocommit=True) as direct:
        rows = direct.execute(
            "SELECT pid, state, left(query, 200) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        ).fetchall()
        for pid, state, query in rows:
            # A warning, not stderr: pytest shows it in the summary (stderr at session
            # teardown was swallowed by output capture).
            warnings.warn(
                f"ended a session left open on the test database: {state}: {query}",
                stacklevel=1,
            )
            direct.execute("SELECT pg_terminate_backend(%s)", [pid])


@pytest.fixture(scope="session")
def migrated_var(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A var/ folder as `sangdam migrate` leaves it on a fresh SQLite database, made once a run.

    Tests that start `sangdam` on a SQLite database of their own copy it (`copy_var`) rather
    than migrate again: a migration takes ~7 s on a small machine, per test that needs one.
    """
    var = tmp_path_factory.mktemp("migrated-var")
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SQLITE_PATH")}
    env |= {"SANGDAM_VAR_DIR": str(var), "SQLITE_PATH": str(var / "sangdam.sqlite3")}
    subprocess.run(
        [str(Path(sys.executable).with_name("sangdam")), "migrate", "--noinput", "-v", "0"],
        env=env,
        cwd=Path(__file__).resolve().parents[1],
        check=True,
        timeout=180,
    )
    return var


def copy_var(template: Path, var: Path) -> Path:
    """Copy a var/ folder (`migrated_var`) into ``var``; the path of its SQLite database."""
    shutil.copytree(template, var, dirs_exist_ok=True)
    return var / "sangdam.sqlite3"


@pytest.fixture(autouse=True)
def _empty_memo() -> None:
    # Rows kept per process (channels, topics) must not leak from one test into the next.
    from sangdam.core.memo import clear_all

    clear_all()


@pytest.fixture(autouse=True)
def _fast_password_hashing(settings: object) -> None:
    # Agents are created in most tests; the real hasher costs ~0.2 s per agent.
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # type: ignore[attr-defined]


@pytest.fixture(autouse=True)
def _fresh_cache() -> None:
    # Rate limits live in the cache; each test starts from zero. Only the in-process cache:
    # a Redis named by REDIS_URL may be shared with other runs.
    from django.core.cache import caches
    from django.core.cache.backends.locmem import LocMemCache

    if isinstance(caches["default"], LocMemCache):
        caches["default"].clear()


@pytest.fixture(autouse=True)
def _media_in_tmp(settings: object, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = str(tmp_path / "media")  # type: ignore[attr-defined]


@pytest.fixture
def run_tasks(monkeypatch: pytest.MonkeyPatch) -> Callable[[], None]:
    """Run every queued background task until the queue is empty (as `sangdam worker` would)."""
    from django.db import connection

    from sangdam.core import taskloop

    def run() -> None:
        if connection.in_atomic_block:
            # Inside a test's transaction the worker's connection clean-up would close
            # the connection (and with it the test's transaction) on a file database.
            monkeypatch.setattr(taskloop, "close_old_connections", lambda: None)
        make_worker(batch=True, interval=0).run()

    return run


@pytest.fixture
def email_channel(db):
    return factories.make_channel("email")


@pytest.fixture
def agent(db):
    return factories.make_agent("Seoyeon", languages=["ko", "en"])


@pytest.fixture
def agent_client(agent) -> Client:
    client = Client()
    client.force_login(agent)
    return client
