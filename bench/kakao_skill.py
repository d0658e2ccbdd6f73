"""The KakaoTalk chatbot desk under load: skill calls from concurrent users, answered in time.

Kakao gives a skill 5 seconds; the target here is p99 < 100 ms at 16 concurrent users.
For each backend a throw-away database (``common.backend_env``) with topics and a Kakao
channel, then ``sangdam run``. Each of ``--concurrency`` threads plays a stream of users,
each user going through the whole desk as Kakao's chatbot would call it (documented
SkillPayload JSON): greeting → topic → description → skip photos → submit (opens a ticket
through the intake) → "내 문의" (lists it). Measured: turns per second and answer latency,
split by kind of turn (the submit does the most work), and the answers are checked
against Kakao's limits. Afterwards every user must have exactly one ticket.

Its own script because the skill is not a fire-and-forget webhook (the answer is the
work); ``bench/webhooks.py --provider kakao`` (and ``all``) runs it as its Kakao phase.

    .venv/bin/python bench/kakao_skill.py --backend both --users 300 --concurrency 16
    .venv/bin/python bench/kakao_skill.py --backend both --users 96 --think 1   # people

``--think 0`` (the default) is a saturation test: 16 robots answering at once keep 16
requests in flight, so the latency is the queue behind one core's worth of Python (the
embedded process's GIL), not the cost of a turn. ``--think`` plays people: each user pauses
before each turn, drawn between 0.5x and 1.5x the mean (not in step with the others).
"""

from __future__ import annotations

import argparse
import json
import os
import random
import sys
import time
from pathlib import Path

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
from rawdb import Db

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
from sangdam.connectors.kakao.fake import skill_payload
from sangdam.connectors.kakao.skill import problems

BOT = "5f2a9c0e3b1d7a0001c0ffee"
TURNS = ["안녕하세요", "결제", "카드 결제가 두 번 되었습니다. 한 건 환불 부탁드립니다.", "건너뛰기", "접수하기", "내 문의"]  # fmt: skip
P99_TARGET_MS = 100.0


def setup(env: dict[str, str]) -> tuple[int, str]:
    return create_channel(
        env,
        "from sangdam.connectors.models import Channel\n"
        "from sangdam.tickets.models import Topic\n"
        "Topic.objects.create(slug='payment', names={'ko': '결제', 'en': 'Payment'})\n"
        "Topic.objects.create(slug='account', names={'ko': '계정', 'en': 'Account'})\n"
        f"c = Channel.objects.create(kind='kakao', name='Bench bot', config={{'bot_ids': {BOT!r}}})\n"
        "print(c.pk, c.key)",
    )


def bench_backend(
    backend: str, users: int, concurrency: int, think: float = 0.0, scaled: bool = False
) -> bool:
    """Run the desk under load on one backend, print the figures; True when the check passed."""
    with backend_env(backend) as be:
        channel_id, key = setup(be.env)
        servers = scaled_server(be.env, be.tmp) if scaled else server(be.env, be.tmp / "server.log")
        with servers as (proc, base):
            url = f"{base}/hooks/kakao/{key}"
            pauses = f"{think:g} s mean pause before a turn" if think else "no pause"
            print(
                f"\n== {backend}{' scaled (web + worker + Redis)' if scaled else ' embedded'} Kakao skill: {users} users x {len(TURNS)} turns, "
                f"{concurrency} concurrent, {pauses}; "
                f"{os.cpu_count()} CPUs, load average {load_average()}"
            )
            run = Run()
            by_turn: dict[str, list[float]] = {t: [] for t in TURNS}
            bad: list[str] = []

            def one(n: int, client: httpx.Client) -> None:
                user = f"BenchUser{n:06d}"
                pause = random.Random(n)  # the same pauses in every run
                for utterance in TURNS:
                    if think:
                        # The person reads the answer and types (before the first turn:
                        # opens the chat). Drawn around the mean like a load tester's
                        # users: people are not in step with each other.
                        time.sleep(pause.uniform(0.5 * think, 1.5 * think))
                    body = json.dumps(
                        skill_payload(
                            bot_id=BOT,
                            utterance=utterance,
                            user=f"bot-{user}",
                            plusfriend_user_key=user,
                        ),
                        ensure_ascii=False,
                    ).encode()
                    start = time.perf_counter()
                    try:
                        response = client.post(
                            url, content=body, headers={"Content-Type": "application/json"}
                        )
                    except httpx.HTTPError as exc:
                        run.error(type(exc).__name__)
                        return
                    elapsed = time.perf_counter() - start
                    if response.status_code != 200:
                        run.error(f"HTTP {response.status_code}")
                        run.first_error = run.first_error or response.text[:300]
                        return
                    found = problems(response.json())
                    with run.lock:
                        run.latencies.append(elapsed)
                        by_turn[utterance].append(elapsed)
                        if found:
                            bad.append(f"{utterance}: {found}")

            def reset() -> None:
                run.latencies.clear()
                for values in by_turn.values():
                    values.clear()

            warm = 10
            cpu = drive(
                proc,
                count=users,
                concurrency=concurrency,
                one=one,
                run=run,
                reset=reset,
                warm=warm,
                warm_from=900_000,
            )
        db = Db(be.name, be.target)
        conn = db.connect()
        tickets = conn.execute(
            db.sql("SELECT COUNT(*) FROM tickets_ticket WHERE channel_id = ?"), (channel_id,)
        ).fetchone()[0]
        conn.close()
        rate = len(run.latencies) / run.seconds if run.seconds else 0.0
        lat = run.latencies
        print(f"   load average {load_average()} after the run")
        print(
            f"  turns {rate:7.0f}/s   p50 {pct(lat, 0.5):6.1f} ms   p95 {pct(lat, 0.95):6.1f} ms   "
            f"p99 {pct(lat, 0.99):6.1f} ms   max {max(lat, default=0) * 1000:6.1f} ms   "
            f"errors {sum(run.errors.values())} {json.dumps(run.errors) if run.errors else ''}"
        )
        for turn, values in by_turn.items():
            print(f"    {turn[:12]:<12} p50 {pct(values, 0.5):6.1f} ms   p99 {pct(values, 0.99):6.1f} ms")  # fmt: skip
        print(f"  server CPU {cpu * 1000 / max(1, len(lat)):.1f} ms per turn")
        if run.first_error:
            print(f"  first error answer: {run.first_error}")
        print(f"  answers out of Kakao's limits: {len(bad)}" + (f" (first: {bad[0]})" if bad else ""))  # fmt: skip
        expected = users + warm
        print(f"  check {'OK' if tickets == expected else 'FAILED'}: {tickets} tickets for {expected} users")  # fmt: skip
        p99 = pct(lat, 0.99)
        verdict(f"p99 answer {p99:.1f} ms", "< 100 ms", p99 < P99_TARGET_MS)
        verdict(f"max answer {max(lat, default=0) * 1000:.0f} ms", "< 5000 ms", max(lat, default=0) < 5)  # fmt: skip
        return tickets == expected and not run.errors and not bad


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="both")
    parser.add_argument("--users", type=int, default=300)
    parser.add_argument("--concurrency", type=int, default=16)
    parser.add_argument(
        "--think",
        type=float,
        default=0.0,
        help="mean seconds a user takes before each turn, drawn between half and one and a "
        "half times it (0: every user answers at once, which saturates the server: 16 such "
        "users are 16 requests always in flight)",
    )
    parser.add_argument(
        "--scaled",
        action="store_true",
        help="PostgreSQL only: sangdam web + sangdam worker + Redis instead of sangdam run",
    )
    args = parser.parse_args()
    for backend in ["sqlite", "postgres"] if args.backend == "both" else [args.backend]:
        bench_backend(backend, args.users, args.concurrency, args.think, args.scaled)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
