"""End-to-end fixtures: the real embedded server (`sangdam run`) and headless Chromium.

The server runs as a subprocess exactly as `make run` starts it, on its own fresh database
(SQLite in a temp dir, or a new PostgreSQL database when DATABASE_URL points at one), with the
demo data loaded. Tests drive it only through the browser and HTTP, like a user would.
"""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import pytest

from sangdam.core.demo import ADMIN_EMAIL
from tests.conftest import copy_var

CHROMIUM = "/usr/bin/chromium"
# The running server's var/ directory (its outbox of demo mail, its log), set by `server`.
# The running server's var/ folder and the SMTP receiver its mail goes to.
SERVER_STATE: dict[str, Any] = {}


def api_auth() -> dict[str, str]:
    """Headers for the demo admin's REST API calls (a token made when the server started)."""
    return {"Authorization": f"Bearer {SERVER_STATE['token']}"}


ROOT = Path(__file__).resolve().parents[2]
SANGDAM = str(Path(sys.executable).parent / "sangdam")
CHROMIUM_ARGS = [
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def _fresh_postgres(url: str) -> tuple[str, str]:
    import psycopg

    parts = urlsplit(url)
    name = f"e2e_{uuid.uuid4().hex[:10]}"
    admin = urlunsplit(parts._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    return urlunsplit(parts._replace(path=f"/{name}")), name


def _drop_postgres(url: str, name: str) -> None:
    import psycopg

    admin = urlunsplit(urlsplit(url)._replace(path="/postgres"))
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def _start_mail_receiver() -> tuple[Any, int, Any]:
    from aiosmtpd.controller import Controller

    from tests.delivery.smtp_server import MailSink, free_port

    sink, port = MailSink(), free_port()
    controller = Controller(sink, hostname="127.0.0.1", port=port)
    controller.start()
    return sink, port, controller


@pytest.fixture(scope="session")
def server(
    tmp_path_factory: pytest.TempPathFactory, request: pytest.FixtureRequest
) -> Iterator[str]:
    """Base URL of a running embedded Sangdam with the demo company loaded."""
    var = tmp_path_factory.mktemp("e2e-var")
    SERVER_STATE["var"] = var
    env = {k: v for k, v in os.environ.items() if k != "DJANGO_SETTINGS_MODULE"}
    # SMTP_PORT=0: the browser tests need no mail receiver, and 2525 may be in use.
    env.update(SANGDAM_VAR_DIR=str(var), SANGDAM_DEMO="1", PYTHONUNBUFFERED="1", SMTP_PORT="0")
    # Tests change rows from helper processes (`sangdam shell`, e.g. the chat's hours) and
    # look at the page at once; the server's per-process memo (core/memo.py) would show the
    # old rows for up to 5 s, longer than a browser assertion waits. Its expiry is tested
    # on its own (tests/runtime/test_memo.py).
    env["MEMO_SECONDS"] = "0"
    # Messenger providers are local fakes that speak their APIs (Telegram's Bot API).
    from sangdam.connectors.telegram.fake import FakeTelegram

    telegram = FakeTelegram().start()
    SERVER_STATE["telegram"] = telegram
    env["SANGDAM_TELEGRAM_API_BASE"] = telegram.url
    # Outgoing mail goes over SMTP to a real receiver started here, as in production.
    sink, smtp_port, controller = _start_mail_receiver()
    SERVER_STATE["mail"] = sink
    env.update(
        EMAIL_BACKEND="django.core.mail.backends.smtp.EmailBackend",
        EMAIL_HOST="127.0.0.1",
        EMAIL_PORT=str(smtp_port),
    )
    pg_name = ""
    if env.get("DATABASE_URL", "").startswith("postgres"):
        env["DATABASE_URL"], pg_name = _fresh_postgres(env["DATABASE_URL"])
    else:
        env.pop("DATABASE_URL", None)
    env.pop("REDIS_URL", None)
    SERVER_STATE["env"] = env  # for helper processes on the same database (fake-providers)
    if pg_name:
        subprocess.run([SANGDAM, "migrate", "-v", "0"], env=env, check=True, cwd=ROOT)
    else:
        # On SQLite, a copy of the run's migrated database (`migrated_var`) is the same.
        copy_var(request.getfixturevalue("migrated_var"), var)
    subprocess.run([SANGDAM, "load_demo"], env=env, check=True, cwd=ROOT, stdout=subprocess.DEVNULL)
    # The tests' API calls carry a token: Basic auth hashes the password on every request
    # (~1 s here), which made a test that files fifty tickets take 80 s.
    SERVER_STATE["token"] = subprocess.run(
        [SANGDAM, "create_api_token", ADMIN_EMAIL, "e2e tests"],
        env=env, check=True, cwd=ROOT, capture_output=True, text=True,
    ).stdout.strip()  # fmt: skip
    port = _free_port()
    env["SITE_URL"] = f"http://127.0.0.1:{port}"  # webhook URLs shown to the admin
    log = (var / "server.log").open("w")
    proc = subprocess.Popen(
        [SANGDAM, "run", "--port", str(port)],
        env=env,
        cwd=ROOT,
        stdout=log,
        stderr=subprocess.STDOUT,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 120  # a loaded CI machine takes a while to import
        while True:
            try:
                if httpx.get(f"{base}/login/", timeout=1).status_code == 200:
                    break
            except httpx.HTTPError:
                pass
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(
                    "sangdam run did not start:\n" + (var / "server.log").read_text()
                )
            time.sleep(0.2)
        yield base
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(15)
        except subprocess.TimeoutExpired:
            proc.kill()
        log.close()
        controller.stop()
        telegram.stop()
        if pg_name:
            _drop_postgres(os.environ["DATABASE_URL"], pg_name)


@pytest.fixture(scope="session")
def browser() -> Iterator[object]:
    if not Path(CHROMIUM).exists() or shutil.which(CHROMIUM) is None:
        if os.environ.get("SANGDAM_REQUIRE_BROWSER") == "1":
            pytest.fail(f"Chromium is required but {CHROMIUM} is missing")
        pytest.skip(f"browser tests need Chromium at {CHROMIUM} (Debian package 'chromium')")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(
            executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
        )
        yield browser
        browser.close()
