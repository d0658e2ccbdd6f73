"""Voice webhooks under load: signed Twilio calls answered with TwiML, status callbacks.

For each backend a throw-away database (``common.backend_env``) with a phone channel
(open around the clock, a two-topic menu, the provider's queue), then ``sangdam run``.
Each of ``--concurrency`` threads plays a stream of calls as Twilio would, every request
signed (X-Twilio-Signature): the call comes in (greeting and menu TwiML), the caller
presses 1 (Enqueue TwiML), gives up waiting (``/rung``: QueueResult=hangup) and the
final status callback arrives (``/status``). Measured: TwiML answer latency per step
(target p99 < 100 ms at 16 concurrent calls on PostgreSQL), status callbacks
acknowledged per second, and — once the worker drained the queue — that every call left
exactly one "call back" message (nothing lost or doubled).

``bench/webhooks.py --provider phone`` (and ``all``) runs it as its voice phase.

    .venv/bin/python bench/voice.py --backend postgres --calls 300 --concurrency 16
"""

from __future__ import annotations

import argparse
import json
import os
import secrets
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

import httpx
from common import (
    Run,
    backend_env,
    create_channel,
    drive,
    load_average,
    pct,
    scaled_server,
    server,
    verdict,
)
from rawdb import Db, drain_tasks

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from sangdam.connectors.phone.fake import signature

TOKEN = "bench-twilio-auth-token"
ACCOUNT = "AC" + "0" * 32
STEPS = ["call", "menu", "rung", "status"]
P99_TARGET_MS = 100.0


def setup(env: dict[str, str]) -> tuple[int, str]:
    menu = [
        {"digit": "1", "topic": "payment", "label_ko": "결제", "label_en": "payment"},
        {"digit": "2", "topic": "account", "label_ko": "계정", "label_en": "account"},
    ]
    return create_channel(
        env,
        "from sangdam.connectors.models import Channel\n"
        "from sangdam.service.models import Schedule\n"
        "from sangdam.tickets.models import Topic\n"
        "Topic.objects.create(slug='payment', names={'ko': '결제', 'en': 'Payment'})\n"
        f"c = Channel.objects.create(kind='phone', name='Bench line', config={{'menu': {menu!r}}},"
        f" secrets={{'account_sid': {ACCOUNT!r}, 'auth_token': {TOKEN!r}}})\n"
        "Schedule.objects.create(name='open', channel=c, holiday_country='',"
        " week={str(d): [['00:00', '00:00']] for d in range(7)})\n"
        "print(c.pk, c.key)",
    )


def bench_backend(
    backend: str, calls: int, concurrency: int, think: float = 0.0, scaled: bool = False
) -> bool:
    """Play ``calls`` calls on one backend, print the figures; True when the check passed."""
    with backend_env(backend) as be:
        channel_id, key = setup(be.env)
        servers = scaled_server(be.env, be.tmp) if scaled else server(be.env, be.tmp / "server.log")
        with servers as (proc, base):
            hook = f"{base}/hooks/phone/{key}"
            print(
                f"\n== {backend}{' scaled (web + worker + Redis)' if scaled else ' embedded'} voice webhooks: {calls} calls x {len(STEPS)} signed requests, "
                f"{concurrency} concurrent, {think:g} s between a call's steps; "
                f"{os.cpu_count()} CPUs, load average {load_average()}"
            )
            run = Run()
            by_step: dict[str, list[float]] = {s: [] for s in STEPS}

            def one(n: int, client: httpx.Client) -> None:
                sid = "CA" + secrets.token_hex(16)
                call = {"CallSid": sid, "AccountSid": ACCOUNT, "From": f"+8210{n:08d}", "To": "+8215880000"}  # fmt: skip
                for step_no, (step, url, extra) in enumerate(
                    (
                        ("call", hook, {"CallStatus": "ringing"}),
                        ("menu", f"{hook}/menu?lang=ko", {"Digits": "1"}),
                        (
                            "rung",
                            f"{hook}/rung?lang=ko",
                            {"QueueResult": "hangup", "QueueTime": "42"},
                        ),
                        (
                            "status",
                            f"{hook}/status",
                            {"CallStatus": "completed", "CallDuration": "61"},
                        ),
                    )
                ):
                    if think and step_no:
                        time.sleep(think)  # the greeting plays, the caller presses a key
                    params = {**call, **extra}
                    headers = {
                        "Content-Type": "application/x-www-form-urlencoded",
                        "X-Twilio-Signature": signature(TOKEN, url, params),
                    }
                    start = time.perf_counter()
                    try:
                        response = client.post(url, content=urlencode(params), headers=headers)
                    except httpx.HTTPError as exc:
                        run.error(type(exc).__name__)
                        return
                    elapsed = time.perf_counter() - start
                    if response.status_code != 200 or b"<Response" not in response.content:
                        run.error(f"HTTP {response.status_code}")
                        run.first_error = run.first_error or response.text[:300]
                        return
                    with run.lock:
                        run.latencies.append(elapsed)
                        by_step[step].append(elapsed)

            warm = 10
            db = Db(be.name, be.target)
            drained: list[tuple[float, int]] = []

            def reset() -> None:
                run.latencies.clear()
                for values in by_step.values():
                    values.clear()

            cpu = drive(
                proc,
                count=calls,
                concurrency=concurrency,
                one=one,
                run=run,
                reset=reset,
                warm=warm,
                then=lambda: drained.append(drain_tasks(db)),
            )
            drained_seconds, failed_tasks = drained[0]
        conn = db.connect()
        messages = conn.execute(
            db.sql(
                "SELECT COUNT(*), COUNT(DISTINCT external_id) FROM tickets_message WHERE channel_id = ?"
            ),
            (channel_id,),
        ).fetchone()
        conn.close()
        answers = [v for s in ("call", "menu", "rung") for v in by_step[s]]
        status = by_step["status"]
        print(f"   load average {load_average()} after the run")
        for step, values in by_step.items():
            print(f"    {step:<7} p50 {pct(values, 0.5):6.1f} ms   p95 {pct(values, 0.95):6.1f} ms   p99 {pct(values, 0.99):6.1f} ms")  # fmt: skip
        print(
            f"  TwiML answers p99 {pct(answers, 0.99):.1f} ms; status callbacks acknowledged "
            f"{len(status) / run.seconds if run.seconds else 0:.0f}/s (within the whole call mix); "
            f"errors {sum(run.errors.values())} {json.dumps(run.errors) if run.errors else ''}"
        )
        print(
            f"  worker drained {drained_seconds:.1f} s after the last call; failed tasks {failed_tasks}"
        )
        print(f"  server CPU {cpu * 1000 / max(1, calls):.1f} ms per call ({len(STEPS)} requests and processing)")  # fmt: skip
        if run.first_error:
            print(f"  first error answer: {run.first_error}")
        expected = calls + warm
        ok = messages[0] == messages[1] == expected
        print(f"  check {'OK' if ok else 'FAILED'}: {messages[0]} call back messages ({messages[1]} distinct) for {expected} calls")  # fmt: skip
        p99 = pct(answers, 0.99)
        verdict(f"p99 TwiML answer {p99:.1f} ms", "< 100 ms", p99 < P99_TARGET_MS)
        return ok and not run.errors


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="postgres")
    parser.add_argument("--calls", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument(
        "--think",
        type=float,
        default=0.0,
        help="seconds between a call's webhooks (0: back to back, 16 requests always in flight)",
    )
    parser.add_argument(
        "--scaled",
        action="store_true",
        help="PostgreSQL only: sangdam web + sangdam worker + Redis instead of sangdam run",
    )
    args = parser.parse_args()
    ok = True
    for backend in ["sqlite", "postgres"] if args.backend == "both" else [args.backend]:
        ok = bench_backend(backend, args.calls, args.concurrency, args.think, args.scaled) and ok
    sys.stdout.flush()
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
