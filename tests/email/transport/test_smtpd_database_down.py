"""451 while the database cannot take the mail: the sender keeps it and retries.

Two honest ways to make the database unavailable, without stopping a shared server:

- the receiver's own database calls give up waiting for a lock another connection holds
  (SQLite: a write lock with ``busy_timeout`` 0.3 s; PostgreSQL: ``LOCK TABLE`` with
  ``lock_timeout`` 0.3 s), so the intake fails with a real ``OperationalError`` at DATA;
- a real ``sangdam smtpd`` process whose database does not exist or does not listen,
  so every query fails with a real ``OperationalError``, already at RCPT.
"""

from __future__ import annotations

import os
import smtplib
import sqlite3
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import pytest
from django.db import connection
from django.db.backends.signals import connection_created

from sangdam.connectors.email.smtpd import SmtpReceiver
from sangdam.connectors.models import Channel
from sangdam.tickets.models import Message, Ticket
from tests.delivery.smtp_server import free_port
from tests.email.transport.mails import customer_mail

pytestmark = pytest.mark.django_db(transaction=True)

SANGDAM = str(Path(sys.executable).with_name("sangdam"))


def _wait_briefly_for_locks(sender: Any, connection: Any, **kwargs: Any) -> None:
    if not threading.current_thread().name.startswith("sangdam-smtpd"):
        return
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("PRAGMA busy_timeout = 300")
        else:
            cursor.execute("SET lock_timeout = '300ms'")


@pytest.fixture
def impatient_receiver_connections() -> Iterator[None]:
    """The receiver's threads wait 0.3 s for a lock instead of 20 s (and then fail)."""
    connection_created.connect(_wait_briefly_for_locks)
    yield
    connection_created.disconnect(_wait_briefly_for_locks)
    if connection.vendor == "postgresql" and hasattr(connection, "close_pool"):
        # Pooled connections keep session settings: drop them with their short timeout.
        connection.close()
        connection.close_pool()


@contextmanager
def database_locked() -> Iterator[None]:
    """Another connection holds the lock the intake needs, until the block ends."""
    settings_dict = connection.settings_dict
    if connection.vendor == "sqlite":
        locker = sqlite3.connect(settings_dict["NAME"], isolation_level=None)
        locker.execute("BEGIN EXCLUSIVE")
        try:
            yield
        finally:
            locker.execute("ROLLBACK")
            locker.close()
        return
    import psycopg

    params = connection.get_connection_params()
    params.pop("cursor_factory", None)
    params.pop("context", None)
    with psycopg.connect(**params) as other:
        other.execute("LOCK TABLE tickets_message IN ACCESS EXCLUSIVE MODE")
        yield
        other.rollback()


def test_it_answers_451_while_the_database_is_locked_and_250_on_the_retry(
    email_channel: Channel,
    smtp_receiver: Callable[..., SmtpReceiver],
    impatient_receiver_connections: None,
):
    receiver = smtp_receiver()
    raw = customer_mail()
    with smtplib.SMTP(receiver.host, receiver.port, timeout=30) as client:
        client.ehlo("mx.mail.example")
        client.mail("minji@example.com")
        assert client.rcpt("support@example.com")[0] == 250
        with database_locked():
            code, _ = client.data(raw)

    assert code == 451
    assert Message.objects.count() == 0

    # The sending server retries later, as it must after a 4xx answer.
    with smtplib.SMTP(receiver.host, receiver.port, timeout=30) as client:
        assert client.sendmail("minji@example.com", ["support@example.com"], raw) == {}
    assert Ticket.objects.count() == 1


def _unreachable_database_env() -> dict[str, str]:
    env = dict(os.environ, SMTP_HOST="127.0.0.1", LOG_LEVEL="WARNING")
    if connection.vendor == "sqlite":
        env.pop("DATABASE_URL", None)
        env["SQLITE_PATH"] = "/nonexistent-sangdam-dir/sangdam.sqlite3"
    else:
        # Port 9 (discard) on localhost: nothing listens, the connection is refused.
        env["DATABASE_URL"] = "postgres://postgres@127.0.0.1:9/sangdam"
    return env


def _wait_for_greeting(port: int, process: subprocess.Popen[bytes]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()
        try:
            with smtplib.SMTP("127.0.0.1", port, timeout=5) as client:
                client.noop()
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("sangdam smtpd did not start")


def test_a_receiver_without_its_database_answers_451_so_nothing_is_lost(email_channel: Channel):
    port = free_port()
    process = subprocess.Popen(
        [SANGDAM, "smtpd", "--port", str(port)],
        env=_unreachable_database_env(),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        _wait_for_greeting(port, process)
        with smtplib.SMTP("127.0.0.1", port, timeout=30) as client:
            client.ehlo("mx.mail.example")
            client.mail("minji@example.com")
            code, reply = client.rcpt("support@example.com")
    finally:
        process.terminate()
        process.wait(30)

    assert code == 451
    assert b"try again later" in reply
    assert process.returncode == 0
