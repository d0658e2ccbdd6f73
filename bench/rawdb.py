"""Straight to the database: check what the API stored, and the raw-INSERT ceiling.

The ceiling writes the same five rows an inquiry needs (customer, identity, ticket,
message, event) with plain INSERTs, one transaction per inquiry, from as many threads
as the API had clients: what the database allows before any application code runs.
"""

from __future__ import annotations

import sqlite3
import time
from typing import Any

import psycopg
from common import Run, run_parallel

TEXT = "결제가 두 번 되었어요. 환불 부탁드립니다."


class Db:
    """A tiny DB-API helper over sqlite3 or psycopg, whichever the backend is."""

    def __init__(self, backend: str, target: str) -> None:
        self.backend, self.target = backend, target

    def connect(self) -> Any:
        if self.backend == "postgres":
            return psycopg.connect(self.target)
        conn = sqlite3.connect(
            self.target, isolation_level=None, timeout=20, check_same_thread=False
        )
        conn.execute("PRAGMA journal_mode=WAL")
        conn.execute("PRAGMA synchronous=NORMAL")
        conn.execute("PRAGMA busy_timeout=20000")
        return conn

    def sql(self, text: str) -> str:
        return text.replace("?", "%s") if self.backend == "postgres" else text


def verify(db: Db, run: Run) -> str:
    conn = db.connect()
    rows = conn.execute(
        "SELECT t.reference, t.id, COUNT(m.id) FROM tickets_ticket t "
        "LEFT JOIN tickets_message m ON m.ticket_id = t.id GROUP BY t.reference, t.id"
    ).fetchall()
    conn.close()
    stored = {ref: (pk, n) for ref, pk, n in rows}
    refs = [ref for ref, _ in run.references]
    missing = [r for r in refs if r not in stored]
    wrong = [
        r for r, pk in run.references if r in stored and (stored[r][0] != pk or stored[r][1] != 1)
    ]
    dupes = len(refs) - len(set(refs))
    ok = not (missing or wrong or dupes)
    return (
        f"{'OK' if ok else 'FAILED'}: {len(refs)} acknowledged, {len(missing)} missing, "
        f"{dupes} duplicate references, {len(wrong)} with id/message count mismatch"
    )


def raw_ceiling(db: Db, count: int, concurrency: int, channel_id: int) -> Run:
    run = Run()
    now = "CURRENT_TIMESTAMP"
    q = db.sql
    customer = q(f"INSERT INTO customers_customer (name, contact, tier, language, notes, created_at, updated_at) VALUES (?, '', 'standard', 'ko', '', {now}, {now}) RETURNING id")  # fmt: skip
    identity = q(f"INSERT INTO customers_identity (customer_id, kind, value, created_at) VALUES (?, 'email', ?, {now})")  # fmt: skip
    ticket = q(
        "INSERT INTO tickets_ticket (reference, subject, status, priority, language, tags,"
        " thread_key, metadata, last_activity_at, created_at, updated_at, channel_id, customer_id)"
        f" VALUES (?, ?, 'new', 'normal', 'ko', '[]', '', '{{}}', {now}, {now}, {now}, ?, ?)"
        " RETURNING id"
    )
    message = q(
        "INSERT INTO tickets_message (ticket_id, direction, kind, author_customer_id, channel_id,"
        " external_id, text, html, language, delivery_state, delivery_error, delivery_attempts,"
        f" metadata, created_at) VALUES (?, 'in', 'public', ?, ?, ?, ?, '', 'ko', 'received', '',"
        f" 0, '{{}}', {now})"
    )
    event = q(f"INSERT INTO tickets_event (ticket_id, kind, actor_label, data, created_at) VALUES (?, 'ticket_created', 'connector:api', '{{}}', {now})")  # fmt: skip

    def one(i: int, conn: Any) -> None:
        start = time.perf_counter()
        try:
            conn.execute("BEGIN IMMEDIATE" if db.backend == "sqlite" else "BEGIN")
            cid = conn.execute(customer, (f"raw {i}",)).fetchone()[0]
            conn.execute(identity, (cid, f"raw-{i}@example.com"))
            tid = conn.execute(ticket, (f"RAW-{i}", f"raw {i}", channel_id, cid)).fetchone()[0]
            conn.execute(message, (tid, cid, channel_id, f"raw-{i}", TEXT))
            conn.execute(event, (tid,))
            conn.execute("COMMIT")
        except (sqlite3.Error, psycopg.Error) as exc:
            run.error(type(exc).__name__)
            conn.execute("ROLLBACK")
            return
        with run.lock:
            run.latencies.append(time.perf_counter() - start)

    def make() -> Any:
        conn = db.connect()
        if db.backend == "postgres":
            conn.autocommit = True  # explicit BEGIN/COMMIT below, as sqlite3 does
        return conn

    run.seconds = run_parallel(count, concurrency, one, make)
    return run


def drain_tasks(db: Db, timeout: float = 120.0) -> tuple[float, int]:
    """Wait until the task queue is empty; return (seconds waited, tasks that failed).

    Work an answer enqueues (confirmation mail, notifications) still costs server CPU after
    the answer: a CPU figure read before the queue drains would leave it out.
    """
    start = time.perf_counter()
    conn = db.connect()
    try:
        while True:
            (pending,) = conn.execute(
                "SELECT COUNT(*) FROM django_tasks_database_dbtaskresult"
                " WHERE status IN ('READY', 'RUNNING')"
            ).fetchone()
            if db.backend == "postgres":
                conn.rollback()  # a fresh snapshot for the next poll
            if not pending or time.perf_counter() - start > timeout:
                break
            time.sleep(0.2)
        (failed,) = conn.execute(
            "SELECT COUNT(*) FROM django_tasks_database_dbtaskresult WHERE status = 'FAILED'"
        ).fetchone()
    finally:
        conn.close()
    return time.perf_counter() - start, int(failed)
