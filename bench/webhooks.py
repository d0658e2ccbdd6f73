"""Webhooks through the door: signed Telegram updates and Messenger messages from concurrent senders.

For each backend a throw-away database (``common.backend_env``) with a Telegram channel,
then ``sangdam run`` (embedded: web + task worker in one process). Senders POST updates to
``/hooks/telegram/<key>`` exactly as Telegram does (JSON body, the secret token header),
each a new text message from one of 400 users, over keep-alive connections. Measured:

- acknowledged events/s and the latency of the acknowledgement (the answer comes after the
  event row and its task row are committed);
- time until visible: from sending an update until its message is in the inbox tables, seen
  by a poller reading the database every 10 ms (so up to ~10 ms of it is the poll);
- a storm: every update of a batch sent 10 times at once; afterwards each acknowledged
  update must be exactly one stored event and one message (lost / doubled counted).

Messenger (``--provider meta``): Meta's envelope signed with ``X-Hub-Signature-256``; the
door's event id is the body's hash, the message's id Meta's ``mid``.

    .venv/bin/python bench/webhooks.py --backend both --count 3000 --concurrency 16 [--provider meta]
"""

from __future__ import annotations

import argparse
import hashlib
import hmac
import json
import os
import sys
import threading
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import httpx
from common import (
    Run,
    backend_env,
    cpu_seconds,
    load_average,
    manage,
    pct,
    report,
    run_parallel,
    server,
    verdict,
)
from rawdb import Db, drain_tasks

TARGETS = {"rate_pg": 1500.0, "ack_p99_ms": 20.0, "visible_p99_ms": 500.0}
SECRET = "bench-webhook-secret_0123456789abcdef"
HEADER = "X-Telegram-Bot-Api-Secret-Token"
TEXTS = [
    "안녕하세요, 주문한 상품이 아직 안 왔어요.",
    "결제가 두 번 되었어요. 환불 부탁드립니다.",
    "Hello, my parcel has not arrived yet.",
    "비밀번호 재설정 메일이 오지 않습니다.",
]
USERS = 400
DRAIN_SECONDS = 300.0


META_SECRET = "bench-meta-app-secret"
META_PAGE = "105730128867233"


@dataclass(frozen=True)
class Provider:
    """How one provider signs and shapes its webhooks, and what ids they carry."""

    kind: str
    label: str
    channel: str  # Channel.objects.create(...) arguments, as Python source
    body: Callable[[int, str], bytes]
    headers: Callable[[bytes], dict[str, str]]
    event_id: Callable[[int, bytes], str]  # the door's event id of update n
    message_id: Callable[[int], str]  # the message's external id of update n


def setup(env: dict[str, str], provider: Provider) -> tuple[int, str]:
    out = manage(
        env,
        "shell",
        "-c",
        "from sangdam.connectors.models import Channel\n"
        f"c = Channel.objects.create({provider.channel})\n"
        "print(c.pk, c.key)",
    )
    pk, key = out.split()[-2:]
    return int(pk), key


def meta_message(n: int, text: str) -> bytes:
    """A Messenger ``messages`` webhook, as Meta sends it (one event per body)."""
    user = 10_000 + n % USERS
    now = int(time.time() * 1000)
    item = {
        "sender": {"id": f"68741234{user}"},
        "recipient": {"id": META_PAGE},
        "timestamp": now,
        "message": {"mid": f"m_bench_{n}", "text": text},
    }
    return json.dumps(
        {"object": "page", "entry": [{"id": META_PAGE, "time": now, "messaging": [item]}]}
    ).encode()


def meta_headers(body: bytes) -> dict[str, str]:
    digest = hmac.new(META_SECRET.encode(), body, hashlib.sha256).hexdigest()
    return {"X-Hub-Signature-256": f"sha256={digest}", "Content-Type": "application/json"}


def update(n: int, text: str) -> bytes:
    user = 10_000 + n % USERS
    return json.dumps(
        {
            "update_id": 500_000_000 + n,
            "message": {
                "message_id": n,
                "from": {
                    "id": user,
                    "is_bot": False,
                    "first_name": "Bench",
                    "last_name": str(user),
                },
                "chat": {"id": user, "type": "private", "first_name": "Bench"},
                "date": int(time.time()),
                "text": text,
            },
        }
    ).encode()


TELEGRAM = Provider(
    kind="telegram",
    label="Telegram updates",
    channel=(
        "kind='telegram', name='Bench bot', config={'bot_username': 'bench_bot'},"
        f" secrets={{'bot_token': '1:bench', 'webhook_secret': {SECRET!r}}}"
    ),
    body=lambda n, text: update(n, text),
    headers=lambda body: {HEADER: SECRET, "Content-Type": "application/json"},
    event_id=lambda n, body: str(500_000_000 + n),
    message_id=lambda n: f"{10_000 + n % USERS}:{n}",
)
# No page token: the bench measures the door and the intake, not profile look-ups on the
# internet (the connector skips them without a token).
META = Provider(
    kind="facebook",
    label="Messenger messages",
    channel=(
        f"kind='facebook', name='Bench page', config={{'page_id': {META_PAGE!r}}},"
        f" secrets={{'app_secret': {META_SECRET!r}}}"
    ),
    body=meta_message,
    headers=meta_headers,
    event_id=lambda n, body: hashlib.sha256(body).hexdigest(),
    message_id=lambda n: f"m_bench_{n}",
)
PROVIDERS = {"telegram": TELEGRAM, "meta": META}


class Poller:
    """Records when each message (by external id) first appears in the database."""

    def __init__(self, db: Db, channel_id: int) -> None:
        self.db, self.channel_id = db, channel_id
        self.seen: dict[str, float] = {}
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self.run, daemon=True)

    def run(self) -> None:
        conn = self.db.connect()
        if self.db.backend == "postgres":
            conn.autocommit = True
        last = 0
        query = self.db.sql(
            "SELECT id, external_id FROM tickets_message WHERE channel_id = ? AND id > ? ORDER BY id"
        )
        while not self.stop.is_set():
            rows = conn.execute(query, (self.channel_id, last)).fetchall()
            now = time.perf_counter()
            for pk, external_id in rows:
                self.seen.setdefault(str(external_id), now)
                last = max(last, pk)
            time.sleep(0.01)
        conn.close()


def send_updates(provider: Provider, url: str, first: int, count: int, concurrency: int, sent_at: dict[str, float], acked: dict[str, str]) -> Run:  # fmt: skip
    run = Run()

    def one(i: int, client: httpx.Client) -> None:
        n = first + i
        body = provider.body(n, TEXTS[n % len(TEXTS)])
        start = time.perf_counter()
        try:
            response = client.post(url, content=body, headers=provider.headers(body))
        except httpx.HTTPError as exc:
            run.error(type(exc).__name__)
            return
        elapsed = time.perf_counter() - start
        if response.status_code != 200:
            run.error(f"HTTP {response.status_code}")
            run.first_error = run.first_error or response.text[:300]
            return
        with run.lock:
            run.latencies.append(elapsed)
            sent_at[provider.message_id(n)] = start
            acked[provider.event_id(n, body)] = provider.message_id(n)

    run.seconds = run_parallel(count, concurrency, one, lambda: httpx.Client(timeout=30))
    return run


def storm(
    provider: Provider, url: str, first: int, batch: int, expected: dict[str, str]
) -> tuple[int, int]:
    """Each of ``batch`` updates sent 10 times at once; (acknowledged, non-200 answers)."""
    acked = refused = 0
    with httpx.Client(timeout=30) as client, ThreadPoolExecutor(16) as pool:
        for i in range(batch):
            body = provider.body(first + i, f"storm {i}")
            answers = list(
                pool.map(
                    lambda b: client.post(url, content=b, headers=provider.headers(b)).status_code,
                    [body] * 10,
                )
            )
            if 200 in answers:
                acked += 1
                expected[provider.event_id(first + i, body)] = provider.message_id(first + i)
            refused += sum(1 for a in answers if a != 200)
    return acked, refused


def check(db: Db, channel_id: int, expected: dict[str, str]) -> str:
    """``expected``: {update id: message external id} of every acknowledged update."""
    conn = db.connect()
    messages = dict(
        conn.execute(
            db.sql(
                "SELECT external_id, COUNT(*) FROM tickets_message WHERE channel_id = ? GROUP BY external_id"
            ),
            (channel_id,),
        ).fetchall()
    )
    events = dict(
        conn.execute(
            db.sql("SELECT event_id, status FROM connectors_inboundevent WHERE channel_id = ?"),
            (channel_id,),
        ).fetchall()
    )
    conn.close()
    lost = [u for u in expected if u not in events]
    waiting = [u for u, m in expected.items() if u in events and m not in messages]
    doubled = sum(1 for n in messages.values() if n > 1)
    ok = not lost and not doubled
    return (
        f"{'OK' if ok else 'FAILED'}: {len(expected)} acknowledged updates, {len(events)} events "
        f"stored, {len(lost)} lost, {doubled} doubled; {len(waiting)} still queued when the "
        "server stopped (stored, processed at its next start)"
    )


def bench_backend(backend: str, count: int, concurrency: int, provider: Provider) -> None:
    with backend_env(backend) as be:
        channel_id, key = setup(be.env, provider)
        db = Db(be.name, be.target)
        with server(be.env, be.tmp / "server.log") as (proc, base):
            url = f"{base}/hooks/{provider.kind}/{key}"
            print(
                f"\n== {backend} webhooks: {count} signed {provider.label}, {concurrency} senders; "
                f"{os.cpu_count()} CPUs, load average {load_average()} before the run"
            )
            acked: dict[str, str] = {}
            send_updates(provider, url, 0, 200, concurrency, {}, acked)
            drain_tasks(db)
            poller = Poller(db, channel_id)
            poller.thread.start()
            sent_at: dict[str, float] = {}
            cpu = cpu_seconds(proc.pid)
            run = send_updates(provider, url, 1_000, count, concurrency, sent_at, acked)
            waited, failed = drain_tasks(db, timeout=DRAIN_SECONDS)
            time.sleep(0.1)
            poller.stop.set()
            poller.thread.join()
            cpu = cpu_seconds(proc.pid) - cpu
            storm_first = 1_000_000
            stormed, refused = storm(provider, url, storm_first, 100, acked)
            drain_tasks(db, timeout=DRAIN_SECONDS)
        print(f"   task queue drained {waited:.1f} s after the last answer; {failed} tasks failed")
        print(f"   load average {load_average()} after the run")
        rate = report("ack", run, unit="events/s")
        visible = [poller.seen[k] - t for k, t in sent_at.items() if k in poller.seen]
        print(
            f"        visible in the inbox: p50 {pct(visible, 0.5):.0f} ms, p95 "
            f"{pct(visible, 0.95):.0f} ms, p99 {pct(visible, 0.99):.0f} ms "
            f"({len(visible)} of {len(sent_at)} seen by the poller)"
        )
        print(f"        server CPU {cpu * 1000 / max(1, len(run.latencies)):.1f} ms per event (ack + processing)")  # fmt: skip
        if run.first_error:
            print(f"  first error answer: {run.first_error}")
        print(
            f"  storm: 100 updates x 10 at once: {stormed} acknowledged, {refused} non-200 answers"
        )
        print(f"  check {check(db, channel_id, acked)}")
        p99, vis99 = pct(run.latencies, 0.99), pct(visible, 0.99)
        print("  vs targets (machine shared with other work: see the load average):")
        if be.name == "postgres":
            verdict(f"acks {rate:.0f}/s", "≥ 1500/s", rate >= TARGETS["rate_pg"])
        verdict(f"p99 ack {p99:.1f} ms", "< 20 ms", p99 < TARGETS["ack_p99_ms"])
        verdict(f"p99 visible {vis99:.0f} ms", "< 500 ms", vis99 < TARGETS["visible_p99_ms"])


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="postgres")
    parser.add_argument("--count", type=int, default=3000)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument("--provider", choices=[*PROVIDERS, "all"], default="all")
    args = parser.parse_args()
    providers = list(PROVIDERS.values()) if args.provider == "all" else [PROVIDERS[args.provider]]
    for provider in providers:
        for backend in ["sqlite", "postgres"] if args.backend == "both" else [args.backend]:
            bench_backend(backend, args.count, args.concurrency, provider)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
