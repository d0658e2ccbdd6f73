"""The commands people run: ``sangdam worker`` and the embedded ``sangdam run``."""

from __future__ import annotations

import os
import signal
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest
from django.db import connection

from sangdam.tickets import actions
from sangdam.tickets.actor import Actor
from sangdam.tickets.models import DeliveryState
from tests import factories
from tests.conftest import copy_var
from tests.delivery.smtp_server import free_port, smtp_server
from tests.factories import customer_writes

SANGDAM = str(Path(sys.executable).with_name("sangdam"))
ROOT = Path(__file__).resolve().parents[2]


def _env_for_test_database() -> dict[str, str]:
    """The environment that points a child ``sangdam`` process at the test database."""
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "SQLITE_PATH")}
    db = connection.settings_dict
    if connection.vendor == "sqlite":
        env["SQLITE_PATH"] = str(db["NAME"])
    else:
        auth = f"{db['USER']}:{db['PASSWORD']}@" if db["PASSWORD"] else f"{db['USER']}@"
        env["DATABASE_URL"] = f"postgres://{auth}{db['HOST']}:{db['PORT'] or 5432}/{db['NAME']}"
    return env


@pytest.mark.django_db(transaction=True)
def test_a_batch_worker_sends_the_queued_replies_and_exits(agent):
    with smtp_server() as (sink, port):
        channel = factories.make_channel(
            "email", config={"smtp_host": "127.0.0.1", "smtp_port": port}
        )
        ticket = customer_writes(channel, sender=("email", "minji@example.com")).ticket
        reply = actions.do_reply(ticket=ticket, actor=Actor.agent(agent), text="처리했습니다.")

        done = subprocess.run(
            [SANGDAM, "worker", "--batch"],
            env=_env_for_test_database(),
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=120,
        )

    assert done.returncode == 0, done.stderr
    reply.refresh_from_db()
    assert reply.delivery_state == DeliveryState.SENT, done.stderr[-3000:]
    assert [rcpt for _, rcpts, _ in sink.received for rcpt in rcpts] == ["minji@example.com"]


def _get(url: str) -> int:
    request = urllib.request.Request(url)
    opener = urllib.request.build_opener(_NoRedirect)
    try:
        with opener.open(request, timeout=2) as response:
            return int(response.status)
    except urllib.error.HTTPError as exc:
        return int(exc.code)


class _NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args: object, **kwargs: object) -> None:
        return None


@pytest.fixture
def embedded_home(tmp_path: Path, migrated_var: Path) -> dict[str, str]:
    """A fresh var/ directory with a migrated SQLite database, as after `make run` set-up."""
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    database = copy_var(migrated_var, tmp_path)
    env |= {"SANGDAM_VAR_DIR": str(tmp_path), "SQLITE_PATH": str(database)}
    return env


def _start_embedded(env: dict[str, str]) -> tuple[subprocess.Popen[str], int]:
    port = free_port()
    process = subprocess.Popen(
        [SANGDAM, "run", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()[0]
        try:
            _get(f"http://127.0.0.1:{port}/login/")
        except OSError:
            time.sleep(0.2)
            continue
        return process, port
    process.kill()
    raise AssertionError("the embedded server did not start within 60 s")


# Always on a SQLite database of its own (`embedded_home`), whatever the pass: the SQLite
# pass only (scripts/test.sh).
@pytest.mark.once
@pytest.mark.parametrize("stop_signal", [signal.SIGINT, signal.SIGTERM], ids=["ctrl-c", "sigterm"])
def test_the_embedded_server_answers_and_stops_cleanly(embedded_home, stop_signal):
    process, port = _start_embedded(embedded_home)
    try:
        status = _get(f"http://127.0.0.1:{port}/login/")
        leases_while_running = _leases(embedded_home, wait_for_both=True)
    finally:
        process.send_signal(stop_signal)
        try:
            output, _ = process.communicate(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            raise

    assert status in (200, 302)
    assert process.returncode == 0, output
    assert "worker" in output and "stopped" in output
    # The scheduler's lease, and the worker's (its tasks run again elsewhere if it dies).
    assert sorted(leases_while_running)[0] == "scheduler"
    assert [n.split(":")[0] for n in sorted(leases_while_running)[1:]] == ["worker"]
    # Both threads ran their clean-up: the leases are handed back, not left to expire.
    assert _leases(embedded_home) == []


def _leases(env: dict[str, str], *, wait_for_both: bool = False) -> list[str]:
    """Lease names in the embedded database (optionally waiting for the scheduler and worker)."""
    deadline = time.monotonic() + (10 if wait_for_both else 0)
    while True:
        with sqlite3.connect(env["SQLITE_PATH"]) as db:
            names = [row[0] for row in db.execute("SELECT name FROM core_lease")]
        if len(names) >= (2 if wait_for_both else 0) or time.monotonic() >= deadline:
            return names
        time.sleep(0.1)


def test_run_with_several_web_workers_is_refused_with_a_pointer_to_scaled_mode():
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="sangdam web --workers"):
        call_command("serve", "--embedded", "--workers", "2")
