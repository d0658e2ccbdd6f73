"""Webhooks through the door, LINE's way: signed message events from concurrent senders.

The same measurement as ``webhooks.py`` (whose poller and lost/doubled check it reuses)
for a LINE channel: a throw-away database, ``sangdam run``, and a local fake LINE
Platform (``sangdam.connectors.line.fake``) the channel's profile look-ups go to. Senders
POST one text event per call, as LINE does: ``{"destination", "events": [...]}`` signed with
``X-Line-Signature`` (base64 HMAC-SHA256 of the raw body with the channel secret). The
door's event id is the event's ``webhookEventId``, the message's id LINE's message id.

- acknowledged events/s and the latency of the acknowledgement;
- time until each message is visible in the inbox tables (10 ms poller);
- a storm: each of 100 events sent 10 times at once; every acknowledged event must be one
  stored event and one message (lost / doubled counted).

    .venv/bin/python bench/webhooks_line.py --backend both --count 3000 --concurrency 16
"""

from __future__ import annotations

import argparse
import base64
import hashlib
import hmac
import json
import os
import sys
import time
from concurrent.futures import ThreadPoolExecutor

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
from webhooks import DRAIN_SECONDS, TARGETS, TEXTS, USERS, Poller, check

from sangdam.connectors.line.fake import FakeLine

SECRET = "bench-line-channel-secret-0123456789"
TOKEN = "bench-line-channel-access-token"


def user_id(n: int) -> str:
    return f"U{10_000 + n % USERS:032x}"


def event_id(n: int) -> str:
    return f"01BENCH{n:019d}"


def message_id(n: int) -> str:
    return str(700_000_000_000 + n)


def body(n: int, text: str) -> bytes:
    event = {
        "type": "message",
        "message": {"type": "text", "id": message_id(n), "quoteToken": f"q{n}", "text": text},
        "webhookEventId": event_id(n),
        "deliveryContext": {"isRedelivery": False},
        "timestamp": int(time.time() * 1000),
        "source": {"type": "user", "userId": user_id(n)},
        "replyToken": f"{n:032x}",
        "mode": "active",
    }
    return json.dumps({"destination": "Ubench", "events": [event]}).encode()


def headers(data: bytes) -> dict[str, str]:
    digest = hmac.new(SECRET.encode(), data, hashlib.sha256).digest()
    return {
        "X-Line-Signature": base64.b64encode(digest).decode(),
        "Content-Type": "application/json",
    }


def setup(env: dict[str, str], api_base: str) -> tuple[int, str]:
    out = manage(
        env,
        "shell",
        "-c",
        "from sangdam.connectors.models import Channel\n"
        f"c = Channel.objects.create(kind='line', name='Bench LINE', config={{'api_base': {api_base!r}}},"
        f" secrets={{'channel_secret': {SECRET!r}, 'channel_access_token': {TOKEN!r}}})\n"
        "print(c.pk, c.key)",
    )
    pk, key = out.split()[-2:]
    return int(pk), key


def send(url: str, first: int, count: int, concurrency: int, sent_at: dict[str, float], acked: dict[str, str]) -> Run:  # fmt: skip
    run = Run()

    def one(i: int, client: httpx.Client) -> None:
        n = first + i
        data = body(n, TEXTS[n % len(TEXTS)])
        start = time.perf_counter()
        try:
            response = client.post(url, content=data, headers=headers(data))
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
            sent_at[message_id(n)] = start
            acked[event_id(n)] = message_id(n)

    run.seconds = run_parallel(count, concurrency, one, lambda: httpx.Client(timeout=30))
    return run


def storm(url: str, first: int, batch: int, acked: dict[str, str]) -> tuple[int, int]:
    stormed = refused = 0
    with httpx.Client(timeout=30) as client, ThreadPoolExecutor(16) as pool:
        for i in range(batch):
            data = body(first + i, f"storm {i}")
            answers = list(
                pool.map(
                    lambda d: client.post(url, content=d, headers=headers(d)).status_code,
                    [data] * 10,
                )
            )
            if 200 in answers:
                stormed += 1
                acked[event_id(first + i)] = message_id(first + i)
            refused += sum(1 for a in answers if a != 200)
    return stormed, refused


def bench_backend(backend: str, count: int, concurrency: int) -> None:
    with FakeLine(access_token=TOKEN) as fake, backend_env(backend) as be:
        for n in range(USERS):
            fake.add_profile(user_id(n), f"Bench {n}")
        channel_id, key = setup(be.env, fake.url)
        db = Db(be.name, be.target)
        with server(be.env, be.tmp / "server.log") as (proc, base):
            url = f"{base}/hooks/line/{key}"
            print(
                f"\n== {backend} webhooks: {count} signed LINE message events, {concurrency} "
                f"senders; {os.cpu_count()} CPUs, load average {load_average()} before the run"
            )
            acked: dict[str, str] = {}
            # Warm-up: every user's profile is fetched once (then cached), the SDK is loaded.
            send(url, 0, USERS, concurrency, {}, acked)
            drain_tasks(db, timeout=DRAIN_SECONDS)
            poller = Poller(db, channel_id)
            poller.thread.start()
            sent_at: dict[str, float] = {}
            cpu = cpu_seconds(proc.pid)
            run = send(url, 1_000, count, concurrency, sent_at, acked)
            waited, failed = drain_tasks(db, timeout=DRAIN_SECONDS)
            time.sleep(0.1)
            poller.stop.set()
            poller.thread.join()
            cpu = cpu_seconds(proc.pid) - cpu
            stormed, refused = storm(url, 1_000_000, 100, acked)
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
            f"  storm: 100 events x 10 at once: {stormed} acknowledged, {refused} non-200 answers"
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
    args = parser.parse_args()
    for backend in ["sqlite", "postgres"] if args.backend == "both" else [args.backend]:
        bench_backend(backend, args.count, args.concurrency)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
