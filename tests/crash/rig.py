"""The crash rig: a throw-away database, the product's processes, a mail sink, Dovecot.

Imports nothing from Django: ``bench/crash.py`` uses it from a plain script, the slow
suite from pytest. The product runs as real subprocesses (``sangdam run``, the embedded
server with its SMTP receiver and task worker, and ``sangdam imap_idle``) that the rig
kills with SIGKILL and starts again; every check reads the database straight.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import tempfile
import threading
import time
import uuid
from collections import Counter
from collections.abc import Iterator
from dataclasses import dataclass, field
from email import message_from_bytes, policy
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import httpx
import psycopg
from aiosmtpd.controller import Controller
from imap_tools import MailBoxUnencrypted

ROOT = Path(__file__).resolve().parents[2]
SANGDAM = str(ROOT / ".venv" / "bin" / "sangdam")
SUPPORT = "support@crash.example"
AGENT = "crash-agent@example.com"
TOPIC = "crash"
DOVECOT_HOST = "127.0.0.1"
DOVECOT_PORT = int(os.environ.get("SANGDAM_DOVECOT_PORT", "10143"))
DOVECOT_USER = "support@example.com"
DOVECOT_PASSWORD = "sangdam-imap-test"
TELEGRAM_KEY = "crash-telegram-hook"
TELEGRAM_SECRET = "crash-webhook-secret_0123456789"
MARKER = re.compile(r"\[crash:([a-z]+):(\d+)\]")
UNLIMITED = str(10**9)
SERVER_ENV = {
    # Every client is 127.0.0.1 and writes a lot: rate limits are not what is tested here.
    "PORTAL_RATE_LIMIT_PER_IP": UNLIMITED,
    "PORTAL_RATE_LIMIT_PER_EMAIL": UNLIMITED,
    "APP_API_RATE_PER_APP": UNLIMITED,
    "APP_API_RATE_PER_USER": UNLIMITED,
    "API_RATE_LIMIT_PER_TOKEN": UNLIMITED,
    "API_RATE_PER_TOKEN": UNLIMITED,
    # Confirmation mails of the web form are rendered and dropped; replies go to the sink
    # through the email channel's own SMTP settings.
    "EMAIL_BACKEND": "django.core.mail.backends.dummy.EmailBackend",
    # A killed worker's delivery is handed to the next worker after this many seconds.
    "TASK_WORKER_LEASE_SECONDS": "3",
    "IMAP_BATCH": "1000",
    "IMAP_IDLE_SECONDS": "5",
    "LOG_LEVEL": "WARNING",
    "PYTHONUNBUFFERED": "1",
}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


# --- the database --------------------------------------------------------------------


@dataclass
class Database:
    """A fresh database for one run: SQLite in a temp dir, or a new PostgreSQL database."""

    backend: str
    env: dict[str, str]
    tmp: Path
    target: str  # SQLite path or PostgreSQL URL

    def rows(self, sql: str) -> list[tuple[Any, ...]]:
        if self.backend == "sqlite":
            with contextlib.closing(sqlite3.connect(self.target, timeout=30)) as conn:
                return list(conn.execute(sql).fetchall())
        with psycopg.connect(self.target) as pg:
            return list(pg.execute(sql.replace("?", "%s")).fetchall())


@contextlib.contextmanager
def database(
    backend: str, postgres_url: str, sqlite_template: Path | None = None
) -> Iterator[Database]:
    """A migrated database of its own (``postgres_url`` names the server to create it on).

    On SQLite, ``sqlite_template`` (a freshly migrated database) is copied rather than
    migrating again: the same database, ~7 s sooner.
    """
    tmp = Path(tempfile.mkdtemp(prefix="sangdam-crash-"))
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE",)}
    env.pop("SANGDAM_DEMO", None)
    env.pop("REDIS_URL", None)
    env.update(SERVER_ENV, SANGDAM_VAR_DIR=str(tmp), SECRET_KEY="crash-" + uuid.uuid4().hex)
    name = f"crash_{os.getpid()}_{uuid.uuid4().hex[:6]}"
    admin = urlunsplit(urlsplit(postgres_url)._replace(path="/postgres"))
    if backend == "postgres":
        target = urlunsplit(urlsplit(postgres_url)._replace(path=f"/{name}"))
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'CREATE DATABASE "{name}"')
        env["DATABASE_URL"] = target
    else:
        target = str(tmp / "crash.sqlite3")
        env.pop("DATABASE_URL", None)
        env["SQLITE_PATH"] = target
    try:
        if backend == "sqlite" and sqlite_template is not None:
            with (
                contextlib.closing(sqlite3.connect(sqlite_template)) as source,
                contextlib.closing(sqlite3.connect(target)) as copy,
            ):
                source.backup(copy)
        else:
            manage(env, "migrate", "--noinput", "-v", "0")
        yield Database(backend, env, tmp, target)
    finally:
        if not os.environ.get("CRASH_KEEP"):
            shutil.rmtree(tmp, ignore_errors=True)
        if backend == "postgres":
            with psycopg.connect(admin, autocommit=True) as conn:
                conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


def manage(env: dict[str, str], *args: str) -> str:
    done = subprocess.run(
        [SANGDAM, *args], env=env, cwd=ROOT, capture_output=True, text=True, timeout=300
    )
    if done.returncode:
        raise RuntimeError(f"sangdam {' '.join(args)} failed:\n{done.stderr[-3000:]}")
    return done.stdout


SETUP = """
import io, json
from django.core.management import call_command
from sangdam.accounts.models import User
from sangdam.connectors.email.models import Mailbox
from sangdam.connectors.models import Channel
from sangdam.tickets.models import Topic
cfg = json.loads({cfg!r})
channel = Channel.objects.create(
    kind="email", name="Crash mail", address=cfg["support"],
    config={{"smtp_host": "127.0.0.1", "smtp_port": cfg["sink_port"]}},
)
Mailbox.objects.create(
    channel=channel, host=cfg["imap_host"], port=cfg["imap_port"], security="none",
    username=cfg["imap_user"], secrets={{"password": cfg["imap_password"]}}, folder=cfg["folder"],
)
Channel.objects.create(
    kind="telegram", name="Crash Telegram", key=cfg["telegram_key"],
    config={{"bot_username": "crash_bot"}},
    secrets={{"bot_token": "123456:crash-bot-token", "webhook_secret": cfg["telegram_secret"]}},
)
Topic.objects.create(slug=cfg["topic"], names={{"ko": "장애", "en": "Crash"}})
User.objects.create_user(cfg["agent"], "crash-agent-password", display_name="Crash agent")
token, app = io.StringIO(), io.StringIO()
call_command("create_api_token", cfg["agent"], "crash", stdout=token, stderr=io.StringIO())
call_command("app_channel", "register", "Crash app", "ios", stdout=app)
found = dict(line.split(":", 1) for line in app.getvalue().splitlines() if ":" in line)
print("SETUP " + json.dumps({{
    "token": token.getvalue().strip().splitlines()[-1],
    "app_key": found["app key"].strip(),
    "app_secret": found["app secret"].split()[0],
}}))
"""


@dataclass(frozen=True)
class Keys:
    token: str
    app_key: str
    app_secret: str


def set_up(db: Database, *, sink_port: int, folder: str) -> Keys:
    """The channels (email with its IMAP mailbox, Telegram), a topic, an API token, an app."""
    cfg = {
        "support": SUPPORT,
        "sink_port": sink_port,
        "imap_host": DOVECOT_HOST,
        "imap_port": DOVECOT_PORT,
        "imap_user": DOVECOT_USER,
        "imap_password": DOVECOT_PASSWORD,
        "folder": folder,
        "topic": TOPIC,
        "agent": AGENT,
        "telegram_key": TELEGRAM_KEY,
        "telegram_secret": TELEGRAM_SECRET,
    }
    out = manage(db.env, "shell", "-c", SETUP.format(cfg=json.dumps(cfg)))
    line = next(line for line in out.splitlines() if line.startswith("SETUP "))
    return Keys(**json.loads(line.removeprefix("SETUP ")))


# --- the product's processes -----------------------------------------------------------


@dataclass
class Product:
    """``sangdam run`` (web, SMTP receiver, worker, scheduler) and ``sangdam imap_idle``."""

    db: Database
    http_port: int = field(default_factory=free_port)
    smtp_port: int = field(default_factory=free_port)
    procs: dict[str, subprocess.Popen[bytes]] = field(default_factory=dict)
    starts: int = 0

    @property
    def base(self) -> str:
        return f"http://127.0.0.1:{self.http_port}"

    def start(self, *, timeout: float = 300) -> None:
        """Start whichever of the two is not running; wait until the server answers."""
        env = {**self.db.env, "SMTP_PORT": str(self.smtp_port), "SMTP_HOST": "127.0.0.1"}
        if "imap" not in self.procs:
            self.procs["imap"] = self._spawn(env, "imap_idle.log", "imap_idle")
        if "server" not in self.procs:
            self.starts += 1
            self.procs["server"] = self._spawn(
                env, "server.log", "run", "--port", str(self.http_port)
            )
            self.wait_ready(timeout)

    def _spawn(self, env: dict[str, str], log: str, *args: str) -> subprocess.Popen[bytes]:
        with (self.db.tmp / log).open("ab") as out:
            return subprocess.Popen(
                [SANGDAM, *args], env=env, cwd=ROOT, stdout=out, stderr=subprocess.STDOUT
            )

    def wait_ready(self, timeout: float) -> None:
        deadline = time.monotonic() + timeout
        server = self.procs["server"]
        waiting = "no answer yet"
        while time.monotonic() < deadline:
            if server.poll() is not None:
                raise RuntimeError(f"sangdam run exited {server.returncode}:\n{self.log()}")
            try:
                status = httpx.get(f"{self.base}/login/", timeout=5).status_code
                waiting = f"GET /login/ answered {status}"
                if status == 200:
                    waiting = f"nothing listens on SMTP port {self.smtp_port}"
                    with socket.create_connection(("127.0.0.1", self.smtp_port), timeout=5):
                        return
            except (httpx.HTTPError, OSError) as exc:
                waiting = f"{waiting}; {exc!r}"
            time.sleep(0.1)
        raise RuntimeError(f"sangdam run not ready within {timeout} s ({waiting}):\n{self.log()}")

    def kill(self, *names: str) -> None:
        """SIGKILL the named processes (default: all) at once, as a power cut would."""
        victims = {name: proc for name, proc in self.procs.items() if name in names or not names}
        for proc in victims.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGKILL)
        for name, proc in victims.items():
            proc.wait(30)
            del self.procs[name]

    def stop(self) -> None:
        """The clean way (SIGTERM), for the end of a run."""
        for proc in self.procs.values():
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
        for proc in self.procs.values():
            try:
                proc.wait(30)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(10)
        self.procs.clear()

    def log(self) -> str:
        path = self.db.tmp / "server.log"
        return path.read_text(errors="replace")[-3000:] if path.exists() else ""


# --- the customers' mail server, which records what our worker delivers --------------


@dataclass
class Sink:
    """An SMTP server standing for the customers' mail servers; a little slow on purpose.

    The pause before its 250 widens the moment in which a killed worker has handed a
    reply over but not yet recorded it as sent.
    """

    delay: float = 0.2
    received: Counter[str] = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)
    # Set while a mail is being handed over (between the DATA and our 250).
    receiving: threading.Event = field(default_factory=threading.Event)

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        self.receiving.set()
        try:
            await asyncio.sleep(self.delay)
        finally:
            self.receiving.clear()
        mail = message_from_bytes(envelope.content, policy=policy.default)
        text = " ".join(
            str(part.get_content()) for part in mail.walk() if part.get_content_maintype() == "text"
        )
        with self.lock:
            # Once per mail: its plain and HTML parts carry the same marker.
            for path, number in {(p, int(n)) for p, n in MARKER.findall(text)}:
                self.received[f"{path}:{number}"] += 1
        return "250 OK"


@contextlib.contextmanager
def sink() -> Iterator[tuple[Sink, int]]:
    recorder, port = Sink(), free_port()
    controller = Controller(recorder, hostname="127.0.0.1", port=port)
    controller.start()
    try:
        yield recorder, port
    finally:
        controller.stop()


# --- Dovecot ---------------------------------------------------------------------------


def imap() -> MailBoxUnencrypted:
    return MailBoxUnencrypted(DOVECOT_HOST, DOVECOT_PORT, timeout=30).login(
        DOVECOT_USER, DOVECOT_PASSWORD, initial_folder=None
    )


def dovecot_answers() -> bool:
    try:
        with socket.create_connection((DOVECOT_HOST, DOVECOT_PORT), timeout=20) as sock:
            return sock.recv(4).startswith(b"* OK")
    except OSError:
        return False


@contextlib.contextmanager
def imap_folder(name: str) -> Iterator[str]:
    """A folder of the run's own, so other IMAP tests and benches never see its mail.

    A folder of that name left by a run that was killed before its clean-up is emptied
    away first: its mail would otherwise count in this run's ledger.
    """
    with imap() as client:
        if client.folder.exists(name):
            client.folder.delete(name)
        client.folder.create(name)
    try:
        yield name
    finally:
        with imap() as client:
            client.folder.delete(name)


def seen_flags(folder: str) -> dict[str, bool]:
    """Message-ID -> whether the poller flagged it \\Seen (read without changing flags)."""
    with imap() as client:
        client.folder.set(folder)
        return {
            str(message.obj["Message-ID"]).strip(): "\\Seen" in message.flags
            for message in client.fetch(mark_seen=False, headers_only=True, bulk=True)
        }
