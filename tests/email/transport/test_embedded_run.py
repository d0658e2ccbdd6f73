"""``make run``'s embedded server also receives mail for the demo channel over SMTP."""

from __future__ import annotations

import os
import signal
import smtplib
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest

from tests.conftest import copy_var
from tests.delivery.smtp_server import free_port
from tests.email.transport.mails import customer_mail

# Always on a SQLite database of its own, whatever the pass: the SQLite pass only
# (scripts/test.sh), where it is not a copy of itself.
pytestmark = pytest.mark.once

SANGDAM = str(Path(sys.executable).with_name("sangdam"))
ROOT = Path(__file__).resolve().parents[3]


def _wait_for_smtp(port: int, process: subprocess.Popen[str]) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()[0]
        try:
            with smtplib.SMTP("127.0.0.1", port, timeout=5) as client:
                client.noop()
                return
        except OSError:
            time.sleep(0.2)
    raise AssertionError("the embedded SMTP receiver did not start within 60 s")


def test_mail_to_the_demo_address_becomes_a_ticket_in_the_embedded_server(
    tmp_path: Path, migrated_var: Path
):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    database = copy_var(migrated_var, tmp_path)
    smtp_port = free_port()
    env |= {
        "SANGDAM_VAR_DIR": str(tmp_path),
        "SQLITE_PATH": str(database),
        "SANGDAM_DEMO": "1",
        "SMTP_PORT": str(smtp_port),
    }
    subprocess.run([SANGDAM, "load_demo"], env=env, cwd=ROOT, check=True, timeout=180)
    process = subprocess.Popen(
        [SANGDAM, "run", "--port", str(free_port())],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        _wait_for_smtp(smtp_port, process)
        with smtplib.SMTP("127.0.0.1", smtp_port, timeout=30) as client:
            refused = client.sendmail(
                "minji@example.com",
                ["support@example.com"],
                customer_mail(subject="임베디드 서버로 보낸 메일"),
            )
    finally:
        process.send_signal(signal.SIGTERM)
        output, _ = process.communicate(timeout=30)

    assert refused == {}
    assert process.returncode == 0, output
    with sqlite3.connect(database) as db:
        (count,) = db.execute(
            "SELECT count(*) FROM tickets_ticket WHERE subject = ?", ["임베디드 서버로 보낸 메일"]
        ).fetchone()
    assert count == 1
