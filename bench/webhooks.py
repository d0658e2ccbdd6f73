"""Webhooks through the door: signed Telegram, LINE and Meta webhooks from concurrent senders.

For each provider and backend a throw-away database (``common.backend_env``) with one
channel of that kind, then four phases on it:

1. **storm of new events** against ``sangdam run`` (embedded: web + task worker in one
   process): senders POST new text messages exactly as the provider does (its JSON, its
   signature header), each from one of 400 users, over keep-alive connections, as fast as
   they are answered. Measured: acknowledged events/s, the latency of the acknowledgement
   (the answer follows the commit of the event row and its task row), the time until each
   message is visible in the inbox tables (a poller reads the database every 10 ms), and
   the server's CPU per event (acknowledging and processing, queue drained);
2. **a sustainable rate**: the same server, events sent at half the rate the worker
   processed them in phase 1 (``--rate`` to choose): time until visible when the worker
   keeps up;
3. **a storm of repeats**: every event of a batch sent 10 times at once;
4. **the acknowledgement alone** (the door: the issue's ack targets are judged here and,
   for the record, on phase 1): ``sangdam web`` (no worker) takes a second batch at full
   speed (acks/s, p99, server CPU per ack), then ``sangdam worker`` processes it alone
   (events/s, worker CPU per event). SQL statements of one acknowledgement are counted in a
   warm process (Django's test client against the bench database).

Afterwards every acknowledged event must be one stored event and one message (lost /
doubled counted).

KakaoTalk's chatbot skill (``--provider kakao``, also in ``all``) is answered rather than
acknowledged, so it has its own phase (``bench/kakao_skill.py``): users going through the
whole chatbot desk, answer latency per kind of turn against Kakao's 5 s (target p99 < 100 ms).
Voice calls (``--provider phone``, also in ``all``) are answered with TwiML step by step:
their own phase too (``bench/voice.py``: TwiML p99 target < 100 ms, status callbacks/s).

    .venv/bin/python bench/webhooks.py --backend both --count 3000 --concurrency 16 [--provider line]
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import os
import resource
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass

import httpx
from common import (
    SANGDAM,
    Backend,
    Run,
    backend_env,
    cpu_seconds,
    load_average,
    manage,
    pct,
    report,
    server,
    stop,
    verdict,
)
from rawdb import Db, drain_tasks
from rawhttp import post_all

from sangdam.connectors.line.fake import FakeLine

TARGETS = {"rate_pg": 1500.0, "ack_p99_ms": 20.0, "visible_p99_ms": 500.0}
TEXTS = [
    "안녕하세요, 주문한 상품이 아직 안 왔어요.",
    "결제가 두 번 되었어요. 환불 부탁드립니다.",
    "Hello, my parcel has not arrived yet.",
    "비밀번호 재설정 메일이 오지 않습니다.",
]
USERS = 400
DRAIN_SECONDS = 600.0
JSON = {"Content-Type": "application/json"}


# --- the providers: how each signs and shapes its webhooks, and what ids they carry -------


def user(n: int) -> int:
    return 10_000 + n % USERS


def hmac_sha256(secret: str, body: bytes) -> bytes:
    return hmac.new(secret.encode(), body, hashlib.sha256).digest()


TELEGRAM_SECRET = "bench-webhook-secret_0123456789abcdef"


def telegram_body(n: int, text: str) -> bytes:
    """An ``update`` with a private text message, as the Bot API posts it."""
    sender = {"id": user(n), "is_bot": False, "first_name": "Bench", "last_name": str(user(n))}
    message = {
        "message_id": n,
        "from": sender,
        "chat": {"id": user(n), "type": "private", "first_name": "Bench"},
        "date": int(time.time()),
        "text": text,
    }
    return json.dumps({"update_id": 500_000_000 + n, "message": message}).encode()


LINE_SECRET = "bench-line-channel-secret-0123456789"
LINE_TOKEN = "bench-line-channel-access-token"


def line_user(n: int) -> str:
    return f"U{user(n):032x}"


def line_message(n: int) -> str:
    return str(700_000_000_000 + n)


def line_body(n: int, text: str) -> bytes:
    """One text ``message`` event in LINE's envelope (LINE sends one event per call)."""
    event = {
        "type": "message",
        "message": {
            "type": "text",
            "id": line_message(n),
            "quoteToken": f"q{n}",
            "text": text,
        },
        "webhookEventId": f"01BENCH{n:019d}",
        "deliveryContext": {"isRedelivery": False},
        "timestamp": int(time.time() * 1000),
        "source": {"type": "user", "userId": line_user(n)},
        "replyToken": f"{n:032x}",
        "mode": "active",
    }
    return json.dumps({"destination": "Ubench", "events": [event]}).encode()


@contextmanager
def fake_line() -> Iterator[str]:
    """A local LINE Platform that answers the profile look-ups of the 400 users."""
    with FakeLine(access_token=LINE_TOKEN) as fake:
        for n in range(USERS):
            fake.add_profile(line_user(n), f"Bench {n}")
        yield fake.url


META_SECRET = "bench-meta-app-secret"
META_PAGE = "105730128867233"


def meta_body(n: int, text: str) -> bytes:
    """A Messenger ``messages`` webhook, as Meta sends it (one event per body)."""
    now = int(time.time() * 1000)
    item = {
        "sender": {"id": f"68741234{user(n)}"},
        "recipient": {"id": META_PAGE},
        "timestamp": now,
        "message": {"mid": f"m_bench_{n}", "text": text},
    }
    entry = {"id": META_PAGE, "time": now, "messaging": [item]}
    return json.dumps({"object": "page", "entry": [entry]}).encode()


@contextmanager
def no_fake() -> Iterator[str]:
    yield ""


@dataclass(frozen=True)
class Provider:
    kind: str
    label: str
    # Channel.objects.create(...) arguments as Python source, given the fake API's base URL.
    channel: Callable[[str], str]
    body: Callable[[int, str], bytes]
    headers: Callable[[bytes], dict[str, str]]
    event_id: Callable[[int, bytes], str]  # the door's event id of event n
    message_id: Callable[[int], str]  # the message's external id of event n
    fake: Callable[[], AbstractContextManager[str]] = no_fake  # a local fake of its API
    warmup: int = 200


PROVIDERS = {
    "telegram": Provider(
        kind="telegram",
        label="Telegram updates",
        channel=lambda api: (
            "kind='telegram', name='Bench bot', config={'bot_username': 'bench_bot'},"
            f" secrets={{'bot_token': '1:bench', 'webhook_secret': {TELEGRAM_SECRET!r}}}"
        ),
        body=telegram_body,
        headers=lambda body: {"X-Telegram-Bot-Api-Secret-Token": TELEGRAM_SECRET, **JSON},
        event_id=lambda n, body: str(500_000_000 + n),
        message_id=lambda n: f"{user(n)}:{n}",
    ),
    # Profile look-ups go to the bench's fake LINE Platform; the warm-up sends one event
    # per user, so each profile is fetched once (then cached) before the timed run.
    "line": Provider(
        kind="line",
        label="LINE message events",
        channel=lambda api: (
            f"kind='line', name='Bench LINE', config={{'api_base': {api!r}}}, secrets="
            f"{{'channel_secret': {LINE_SECRET!r}, 'channel_access_token': {LINE_TOKEN!r}}}"
        ),
        body=line_body,
        headers=lambda body: {
            "X-Line-Signature": base64.b64encode(hmac_sha256(LINE_SECRET, body)).decode(),
            **JSON,
        },
        event_id=lambda n, body: f"01BENCH{n:019d}",
        message_id=line_message,
        fake=fake_line,
        warmup=USERS,
    ),
    # No page token: the bench measures the door and the intake, not profile look-ups on
    # the internet (the connector skips them without a token). The door's event id is the
    # body's hash, the message's id Meta's ``mid``.
    "meta": Provider(
        kind="facebook",
        label="Messenger messages",
        channel=lambda api: (
            f"kind='facebook', name='Bench page', config={{'page_id': {META_PAGE!r}}},"
            f" secrets={{'app_secret': {META_SECRET!r}}}"
        ),
        body=meta_body,
        headers=lambda body: {
            "X-Hub-Signature-256": "sha256=" + hmac_sha256(META_SECRET, body).hex(),
            **JSON,
        },
        event_id=lambda n, body: hashlib.sha256(body).hexdigest(),
        message_id=lambda n: f"m_bench_{n}",
    ),
}


def setup(env: dict[str, str], provider: Provider, api_base: str) -> tuple[int, str]:
    code = (
        "from sangdam.connectors.models import Channel\n"
        f"c = Channel.objects.create({provider.channel(api_base)})\n"
        "print(c.pk, c.key)"
    )
    pk, key = manage(env, "shell", "-c", code).split()[-2:]
    return int(pk), key


# --- sending and watching ------------------------------------------------------------------


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

    def __enter__(self) -> Poller:
        self.thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        time.sleep(0.1)
        self.stop.set()
        self.thread.join()

    def visible(self, sent_at: dict[str, float]) -> list[float]:
        return [self.seen[k] - t for k, t in sent_at.items() if k in self.seen]


@dataclass
class Sent:
    """What the senders were told: {message id: when sent} and {event id: message id}."""

    sent_at: dict[str, float]
    acked: dict[str, str]


def send(provider: Provider, url: str, first: int, count: int, concurrency: int, sent: Sent, rate: float = 0.0) -> Run:  # fmt: skip
    """POST events ``first`` … ``first + count - 1``; at ``rate`` events/s if given."""
    run = Run()
    # Made before the clock starts: the senders' CPU goes to sending (a provider signs on
    # its own machines).
    bodies = [provider.body(first + i, TEXTS[(first + i) % len(TEXTS)]) for i in range(count)]
    calls = [(body, provider.headers(body)) for body in bodies]

    def record(i: int, began: float, took: float, status: int | None, content: bytes) -> None:
        n = first + i
        if status != 200:
            run.error(f"HTTP {status}" if status else content.decode())
            run.first_error = run.first_error or content[:300].decode(errors="replace")
            return
        run.latencies.append(took)
        sent.sent_at[provider.message_id(n)] = began
        sent.acked[provider.event_id(n, bodies[i])] = provider.message_id(n)

    run.seconds = post_all(url, calls, concurrency, record, rate)
    return run


def storm(provider: Provider, url: str, first: int, batch: int, sent: Sent) -> tuple[int, int]:
    """Each of ``batch`` events sent 10 times at once; (acknowledged, non-200 answers)."""
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
                sent.acked[provider.event_id(first + i, body)] = provider.message_id(first + i)
            refused += sum(1 for a in answers if a != 200)
    return acked, refused


def check(db: Db, channel_id: int, expected: dict[str, str]) -> tuple[bool, str]:
    """``expected``: {event id: message external id} of every acknowledged event."""
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
    lost = [u for u in expected if u not in events or expected[u] not in messages]
    doubled = sum(1 for n in messages.values() if n > 1)
    ok = not lost and not doubled
    return ok, (
        f"{'OK' if ok else 'FAILED'}: {len(expected)} acknowledged events, {len(events)} "
        f"stored, {len(messages)} messages; {len(lost)} lost, {doubled} doubled"
    )


QUERY_COUNT = """
import json
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
client = Client()
for body, headers in json.loads({calls!r}):
    with CaptureQueriesContext(connection) as q:
        answer = client.post({path!r}, body, content_type="application/json", headers=headers)
    assert answer.status_code == 200, answer.content
print(len(q), "|", " / ".join(" ".join(s["sql"].split()).split(" (")[0][:40] for s in q.captured_queries))
"""


def pending_events(db: Db, channel_id: int) -> int:
    conn = db.connect()
    try:
        sql = "SELECT COUNT(*) FROM connectors_inboundevent WHERE channel_id = ? AND status = 'pending'"
        return int(conn.execute(db.sql(sql), (channel_id,)).fetchone()[0])
    finally:
        conn.close()


def queries_per_ack(env: dict[str, str], provider: Provider, key: str, first: int) -> str:
    """SQL statements of the last of three acknowledgements in a warm process."""
    calls = []
    for n in range(first, first + 3):
        body = provider.body(n, TEXTS[0])
        calls.append((body.decode(), provider.headers(body)))
    code = QUERY_COUNT.format(calls=json.dumps(calls), path=f"/hooks/{provider.kind}/{key}")
    return manage(env, "shell", "-c", code).strip().splitlines()[-1]


def own_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# --- one provider on one backend ----------------------------------------------------------


@dataclass
class Figures:
    ack: Run
    visible: list[float]
    cpu_ms: float  # server CPU per event, ack + processing
    bench_cpu_ms: float  # this process (senders, poller) per event
    processed_per_s: float  # drain rate of the embedded worker during phase 1
    paced: Run
    paced_rate: float
    paced_visible: list[float]
    stormed: tuple[int, int]
    ack_only: Run
    ack_cpu_ms: float
    worker_per_s: float
    worker_cpu_ms: float
    queries: str
    check: str
    ok: bool


def bench_backend(be: Backend, provider: Provider, api_base: str, args: argparse.Namespace) -> Figures:  # fmt: skip
    count, concurrency = args.count, args.concurrency
    channel_id, key = setup(be.env, provider, api_base)
    db = Db(be.name, be.target)
    path = f"/hooks/{provider.kind}/{key}"
    sent = Sent({}, {})
    with server(be.env, be.tmp / "server.log") as (proc, base):
        send(provider, base + path, 0, provider.warmup, concurrency, Sent({}, sent.acked))
        drain_tasks(db, timeout=DRAIN_SECONDS)
        # 1. new events as fast as they are answered
        blast = Sent({}, sent.acked)
        cpu, mine, began = cpu_seconds(proc.pid), own_cpu(), time.perf_counter()
        with Poller(db, channel_id) as poller:
            run = send(provider, base + path, 1_000, count, concurrency, blast)
            drain_tasks(db, timeout=DRAIN_SECONDS)
        processed_per_s = count / (time.perf_counter() - began)
        cpu, mine = cpu_seconds(proc.pid) - cpu, own_cpu() - mine
        visible = poller.visible(blast.sent_at)
        # 2. at a rate the worker keeps up with
        rate = args.rate or processed_per_s / 2
        paced_sent = Sent({}, sent.acked)
        # Senders enough to keep the pace, few enough that none idles past the server's
        # keep-alive timeout (5 s), when the server may close a connection being reused.
        senders = max(2, min(concurrency, int(rate)))
        with Poller(db, channel_id) as paced_poller:
            paced = send(provider, base + path, 200_000, args.paced, senders, paced_sent, rate)
            drain_tasks(db, timeout=DRAIN_SECONDS)
        # 3. repeats
        stormed = storm(provider, base + path, 1_000_000, 100, sent)
        drain_tasks(db, timeout=DRAIN_SECONDS)
    # 4. the acknowledgement alone, then the worker alone
    with server(be.env, be.tmp / "web.log", "web") as (proc, base):
        send(provider, base + path, 2_000_000, 100, concurrency, Sent({}, sent.acked))
        ack_cpu = cpu_seconds(proc.pid)
        ack_only = send(provider, base + path, 3_000_000, count, concurrency, sent)
        ack_cpu = cpu_seconds(proc.pid) - ack_cpu
    with (be.tmp / "worker.log").open("wb") as log:
        worker = subprocess.Popen([SANGDAM, "worker"], env=be.env, stdout=log, stderr=subprocess.STDOUT)  # fmt: skip
        try:
            # Timed from when the warm-up events are done (start-up and warm-up left out).
            while pending_events(db, channel_id) > len(ack_only.latencies):
                time.sleep(0.05)
            worker_cpu, began = cpu_seconds(worker.pid), time.perf_counter()
            drain_tasks(db, timeout=DRAIN_SECONDS)
            worker_cpu, took = cpu_seconds(worker.pid) - worker_cpu, time.perf_counter() - began
        finally:
            stop(worker)
    queries = queries_per_ack(be.env, provider, key, 4_000_000)
    ok, checked = check(db, channel_id, sent.acked)
    acked = max(1, len(run.latencies))
    return Figures(
        ack=run,
        visible=visible,
        cpu_ms=cpu * 1000 / acked,
        bench_cpu_ms=mine * 1000 / acked,
        processed_per_s=processed_per_s,
        paced=paced,
        paced_rate=rate,
        paced_visible=paced_poller.visible(paced_sent.sent_at),
        stormed=stormed,
        ack_only=ack_only,
        ack_cpu_ms=ack_cpu * 1000 / max(1, len(ack_only.latencies)),
        worker_per_s=len(ack_only.latencies) / took,
        worker_cpu_ms=worker_cpu * 1000 / max(1, len(ack_only.latencies)),
        queries=queries,
        check=checked,
        ok=ok,
    )


def ms(values: list[float]) -> str:
    return f"p50 {pct(values, 0.5):.0f} ms, p95 {pct(values, 0.95):.0f} ms, p99 {pct(values, 0.99):.0f} ms"  # fmt: skip


def print_figures(backend: str, f: Figures) -> None:
    print(f"   load average {load_average()} after the run")
    rate = report("ack", f.ack, unit="events/s")
    print(f"        visible in the inbox at that rate: {ms(f.visible)} ({len(f.visible)} seen)")
    print(f"        server CPU {f.cpu_ms:.1f} ms per event (ack + processing; the bench's own "
          f"{f.bench_cpu_ms:.1f} ms); processed {f.processed_per_s:.0f} events/s")  # fmt: skip
    report("paced", f.paced, unit="events/s")
    print(f"        sent at {f.paced_rate:.0f}/s: visible {ms(f.paced_visible)} "
          f"({len(f.paced_visible)} seen)")  # fmt: skip
    report("web", f.ack_only, unit="events/s")
    print(f"        acknowledgement alone (sangdam web, no worker): server CPU {f.ack_cpu_ms:.2f} ms per ack")  # fmt: skip
    print(f"        worker alone: {f.worker_per_s:.0f} events/s, CPU {f.worker_cpu_ms:.1f} ms per event")  # fmt: skip
    print(f"        queries per ack: {f.queries}")
    for run in (f.ack, f.paced, f.ack_only):
        if run.first_error:
            print(f"  first error answer: {run.first_error}")
    print(f"  storm: 100 events x 10 at once: {f.stormed[0]} acknowledged, {f.stormed[1]} non-200")
    print(f"  check {f.check}")
    vis99 = pct(f.paced_visible, 0.99)
    print("  vs targets (machine shared with other work: see the load average):")
    # The door (phase 4: the ack is one insert, the worker runs elsewhere) and the
    # embedded process, where the worker's processing shares the interpreter (phase 1).
    web_rate = len(f.ack_only.latencies) / f.ack_only.seconds if f.ack_only.seconds else 0.0
    for label, run, acks in (("door", f.ack_only, web_rate), ("embedded", f.ack, rate)):
        p99 = pct(run.latencies, 0.99)
        if backend == "postgres":
            verdict(f"{label}: acks {acks:.0f}/s", "≥ 1500/s", acks >= TARGETS["rate_pg"])
        verdict(f"{label}: p99 ack {p99:.1f} ms", "< 20 ms", p99 < TARGETS["ack_p99_ms"])
    verdict(f"p99 visible (paced) {vis99:.0f} ms", "< 500 ms", vis99 < TARGETS["visible_p99_ms"])
    verdict(f"lost/doubled: {f.check.split('; ')[-1]}", "0 lost, 0 doubled", f.ok)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="postgres")
    parser.add_argument("--provider", choices=[*PROVIDERS, "kakao", "phone", "all"], default="all")
    parser.add_argument("--count", type=int, default=3000, help="events in phases 1 and 4")
    parser.add_argument("--paced", type=int, default=300, help="events in phase 2")
    parser.add_argument("--rate", type=float, default=0.0, help="phase 2's events/s")
    parser.add_argument("--concurrency", type=int, default=16)
    args = parser.parse_args()
    if args.provider == "all":
        providers = list(PROVIDERS.values())
    else:
        providers = [PROVIDERS[args.provider]] if args.provider in PROVIDERS else []
    failed = False
    for provider in providers:
        for backend in ["sqlite", "postgres"] if args.backend == "both" else [args.backend]:
            with provider.fake() as api_base, backend_env(backend) as be:
                print(f"\n== {backend} webhooks: {args.count} signed {provider.label}, "
                      f"{args.concurrency} senders; {os.cpu_count()} CPUs, load average "
                      f"{load_average()} before the run")  # fmt: skip
                figures = bench_backend(be, provider, api_base, args)
            print_figures(backend, figures)
            failed = failed or not figures.ok
            sys.stdout.flush()
    if args.provider in ("kakao", "all"):
        # The Kakao skill is answered, not acknowledged: its own phase (bench/kakao_skill.py),
        # each user going through the whole chatbot desk, --count turns in all.
        import kakao_skill

        for backend in ["sqlite", "postgres"] if args.backend == "both" else [args.backend]:
            users = max(args.count // len(kakao_skill.TURNS), 20)
            failed = not kakao_skill.bench_backend(backend, users, args.concurrency) or failed
            sys.stdout.flush()
    if args.provider in ("phone", "all"):
        # Voice calls are answered with TwiML step by step: their own phase (bench/voice.py),
        # four signed requests per call, --count requests in all.
        import voice

        for backend in ["sqlite", "postgres"] if args.backend == "both" else [args.backend]:
            calls = max(args.count // len(voice.STEPS), 20)
            failed = not voice.bench_backend(backend, calls, args.concurrency) or failed
            sys.stdout.flush()
    sys.exit(1 if failed else 0)


if __name__ == "__main__":
    main()
