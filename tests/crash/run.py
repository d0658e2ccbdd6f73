"""One crash run: clients on every intake path, the server SIGKILLed and restarted, then checks.

``crash_run`` drives the SMTP receiver, the IMAP poller, the homepage form, the REST API,
the app API, the Telegram webhook and agents' replies (delivered by the worker to a
recording mail server) at once, kills the product's processes at seeded random moments
``cycles`` times (one kill in four at the moment the worker has handed a reply to the mail
server and waits for its answer), lets the clients finish their unacknowledged inquiries
against a last, unharmed server, and compares every acknowledgement with the database:

- lost: acknowledged (250, 201, 200, 302, \\Seen) but not stored;
- doubled: stored more than once (the clients retried with the same key);
- unacknowledged: never acknowledged although the last server ran undisturbed;
- for replies also: not shown as sent, shown as sent more than once, or never received
  by the mail server (received twice is allowed: delivery is at least once).
"""

from __future__ import annotations

import json
import os
import random
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from tests.crash.clients import (
    ApiClient,
    AppInquiryClient,
    Client,
    ImapAppender,
    Ledger,
    Replier,
    SmtpClient,
    TelegramClient,
    WebFormClient,
)
from tests.crash.rig import (
    MARKER,
    Database,
    Product,
    Sink,
    database,
    imap_folder,
    manage,
    seen_flags,
    set_up,
    sink,
)

PATHS = ("smtp", "imap", "webform", "api", "app", "telegram", "reply")
CLIENTS: dict[str, type[Client]] = {
    "smtp": SmtpClient,
    "webform": WebFormClient,
    "api": ApiClient,
    "app": AppInquiryClient,
    "telegram": TelegramClient,
    "reply": Replier,
}


@dataclass
class PathFigures:
    acknowledged: int = 0
    retried: int = 0  # inquiries that needed more than one attempt
    lost: list[str] = field(default_factory=list)
    doubled: list[str] = field(default_factory=list)
    unacknowledged: list[str] = field(default_factory=list)
    other: list[str] = field(default_factory=list)  # replies: not sent / sent twice in the db
    received_twice: int = 0  # replies the mail server got more than once (allowed)


@dataclass
class Report:
    backend: str
    seed: int
    cycles: int = 0
    seconds: float = 0.0
    paths: dict[str, PathFigures] = field(default_factory=dict)

    @property
    def problems(self) -> list[str]:
        found = []
        for path, figures in self.paths.items():
            for kind in ("lost", "doubled", "unacknowledged", "other"):
                found += [
                    f"[{self.backend} {path} {kind}] {text}" for text in getattr(figures, kind)
                ]
        return found


def crash_run(
    backend: str,
    *,
    cycles: int,
    seed: int,
    postgres_url: str,
    up: tuple[float, float] = (0.5, 3.0),
    clients_per_path: int = 2,
    pace: float = 0.05,
    drain_seconds: float = 180,
    minutes: float = 0,
    say: Callable[[str], None] = lambda text: None,
    sqlite_template: Path | None = None,
) -> Report:
    """Run ``cycles`` kill-and-restart cycles on a fresh ``backend`` database; the report.

    ``minutes`` (0: none) bounds the killing: no new cycle starts after that much time
    since the start, and the run goes on to its checks with the cycles it had.
    ``sqlite_template``: a migrated SQLite database to copy instead of migrating.
    """
    rng = random.Random(seed)
    tag = f"c{seed}x{rng.randrange(16**6):06x}"
    report = Report(backend, seed)
    started = time.monotonic()
    with (
        sink() as (recorder, sink_port),
        imap_folder(f"crash-{tag}-{backend}-{os.getpid()}") as folder,
        database(backend, postgres_url, sqlite_template) as db,
    ):
        keys = set_up(db, sink_port=sink_port, folder=folder)
        product = Product(db)
        ledger = Ledger(tag)
        clients: list[Client] = []
        for path, kind in CLIENTS.items():
            count = 1 if path == "reply" else clients_per_path
            clients += [
                kind(ledger, product.base, product.smtp_port, keys, pace) for _ in range(count)
            ]
        clients.append(
            ImapAppender(ledger, product.base, product.smtp_port, keys, 1.0, folder=folder)
        )
        try:
            product.start()
            ledger.life = product.starts
            for client in clients:
                client.thread.start()
            for cycle in range(cycles):
                if minutes and time.monotonic() - started > minutes * 60:
                    say(f"  {backend}: time is up after {cycle} kills")
                    break
                if rng.random() < 1 / 4:
                    # In the middle of a delivery: the worker has handed a reply to the
                    # mail server and waits for its 250.
                    recorder.receiving.wait(timeout=20)
                else:
                    time.sleep(rng.uniform(*up))
                # The server every time; the IMAP poller (a process of its own, slow to
                # start) with it one time in three.
                product.kill(*(["server"] if rng.random() < 2 / 3 else []))
                report.cycles += 1
                say(f"  {backend}: kill {cycle + 1}/{cycles}, {_acked(ledger)} acknowledged so far")
                product.start()
                ledger.life = product.starts
            say(
                f"  {backend}: {report.cycles} kills done; the last server finishes what is pending"
            )
            _drain(ledger, clients, db, folder, drain_seconds)
        finally:
            ledger.done.set()
            product.stop()
            for client in clients:
                client.thread.join(70)
        report.paths = check(db, ledger, seen_flags(folder), recorder)
    report.seconds = time.monotonic() - started
    return report


def _acked(ledger: Ledger) -> int:
    return sum(len(ledger.acked(path)) for path in PATHS)


def _drain(
    ledger: Ledger, clients: list[Client], db: Database, folder: str, seconds: float
) -> None:
    """No new inquiries; every client finishes its current one; IMAP and replies catch up."""
    ledger.draining = True
    deadline = time.monotonic() + seconds
    for client in clients:
        client.thread.join(max(1.0, deadline - time.monotonic()))
    while time.monotonic() < deadline and not all(seen_flags(folder).values()):
        # The watcher polls when Dovecot tells it of new mail; a poll of our own settles it.
        manage(db.env, "poll_imap")
    while time.monotonic() < deadline and (_unsent(db, ledger) or _pending_events(db)):
        time.sleep(0.5)


def _unsent(db: Database, ledger: Ledger) -> int:
    ids = [str(i.state["message_id"]) for i in ledger.acked("reply")]
    if not ids:
        return 0
    rows = db.rows(
        f"SELECT COUNT(*) FROM tickets_message WHERE id IN ({','.join(ids)})"
        " AND delivery_state <> 'sent'"
    )
    return int(rows[0][0])


def _pending_events(db: Database) -> int:
    """Webhook events acknowledged to the provider but not yet turned into messages."""
    rows = db.rows("SELECT COUNT(*) FROM connectors_inboundevent WHERE status = 'pending'")
    return int(rows[0][0])


def _markers(rows: list[tuple[Any, ...]]) -> Counter[str]:
    found: Counter[str] = Counter()
    for (text,) in rows:
        for path, number in MARKER.findall(str(text or "")):
            found[f"{path}:{int(number)}"] += 1
    return found


def check(
    db: Database, ledger: Ledger, seen: dict[str, bool], recorder: Sink
) -> dict[str, PathFigures]:
    """Every acknowledgement against the database (and the mail server, for replies)."""
    stored = _markers(db.rows("SELECT text FROM tickets_message WHERE direction = 'in'"))
    replies = {
        int(row[0]): (str(row[1]), _markers([(row[2],)]))
        for row in db.rows(
            "SELECT id, delivery_state, text FROM tickets_message WHERE direction = 'out'"
        )
    }
    sent_events: Counter[int] = Counter()
    for (data,) in db.rows("SELECT data FROM tickets_event WHERE kind = 'delivery_sent'"):
        sent_events[int((json.loads(data) if isinstance(data, str) else data)["message_id"])] += 1
    reply_markers: Counter[str] = Counter()
    for _, markers in replies.values():
        reply_markers.update(markers)
    figures: dict[str, PathFigures] = {}
    for path in PATHS:
        f = figures[path] = PathFigures()
        for inquiry in ledger.inquiries.get(path, []):
            if path == "imap":
                inquiry.ack = "\\Seen" if seen.get(inquiry.key) else ""
            slot = f"{path}:{inquiry.number}"
            count = (reply_markers if path == "reply" else stored)[slot]
            told = (
                f"acknowledged {inquiry.ack!r} in server life {inquiry.life}"
                if inquiry.ack
                else "never acknowledged"
            )
            tries = f"{inquiry.attempts} attempt(s)"
            f.retried += inquiry.attempts > 1
            if inquiry.ack:
                f.acknowledged += 1
                if count == 0:
                    f.lost.append(
                        f"{inquiry.name} was {told} after {tries}, but is not in the database"
                    )
            else:
                last = f"; last answer: {inquiry.last_error}" if inquiry.last_error else ""
                f.unacknowledged.append(f"{inquiry.name}: {tries}{last}")
            if count > 1:
                f.doubled.append(f"{inquiry.name} is stored {count} times ({told}, {tries})")
            if path == "reply" and inquiry.ack and count:
                _check_reply(
                    f,
                    inquiry.name,
                    int(inquiry.state["message_id"]),
                    replies,
                    sent_events,
                    recorder.received[slot],
                )
    return figures


def _check_reply(
    f: PathFigures,
    name: str,
    message_id: int,
    replies: dict[int, tuple[str, Counter[str]]],
    sent_events: Counter[int],
    received: int,
) -> None:
    state = replies.get(message_id, ("missing", Counter()))[0]
    if state != "sent":
        f.other.append(f"{name}: message {message_id} is {state!r}, not 'sent'")
    if sent_events[message_id] != 1:
        f.other.append(
            f"{name}: message {message_id} shown as sent {sent_events[message_id]} times"
        )
    if received == 0:
        f.other.append(f"{name}: message {message_id} never reached the mail server")
    f.received_twice += received > 1
