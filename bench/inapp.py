"""In-app inquiries: create-inquiry with a 200 KB screenshot through the app API.

For each backend a throw-away database (``common.backend_env``), an app registered with
``sangdam app_channel register``, a topic, then ``sangdam run`` with the app API's rate
limits out of reach. Each request is what a mobile app sends: ``POST
/api/app/v1/inquiries`` (multipart: topic, text, device details, one PNG screenshot) as a
new signed user, through ``examples/app_client.py`` (the reference client), from
concurrent keep-alive connections. Afterwards every acknowledged inquiry is read back:
stored once, one message, one attachment with the screenshot's exact bytes.

    .venv/bin/python bench/inapp.py --backend both --count 1000 --concurrency 8
"""

from __future__ import annotations

import argparse
import hashlib
import os
import struct
import sys
import time
import zlib
from dataclasses import dataclass

import httpx
from common import (
    ROOT,
    Backend,
    Run,
    backend_env,
    cpu_seconds,
    load_average,
    manage,
    pct,
    peak_rss_mb,
    report,
    run_parallel,
    server,
    verdict,
)
from rawdb import Db, drain_tasks

sys.path.insert(0, str(ROOT))
from examples.app_client import AppApiError, AppClient, sign_user

TARGETS = {"rate_pg": 300.0, "p99_ms": 80.0}
UNLIMITED = str(10**9)
SERVER_ENV = {"APP_API_RATE_PER_APP": UNLIMITED, "APP_API_RATE_PER_USER": UNLIMITED}
TOPIC = "bench-app"
TEXTS = [
    "결제 버튼을 누르면 앱이 멈춥니다. 스크린샷 첨부합니다.",
    "로그인 후 화면이 하얗게 나옵니다.",
    "The checkout screen shows an error after the update, screenshot attached.",
    "알림이 오지 않아요. 설정 화면 캡처입니다.",
]
DEVICES = [
    {"app_version": "5.2.0", "os": "iOS", "os_version": "18.1", "device_model": "iPhone15,3"},
    {"app_version": "5.2.0", "os": "Android", "os_version": "15", "device_model": "SM-S928N"},
]


def screenshot(side: int = 260) -> bytes:
    """A real, decodable RGB PNG of random pixels: incompressible, so ~200 KB on the wire."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + os.urandom(side * 3) for _ in range(side))
    header = struct.pack(">IIBBBBB", side, side, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows, 1))
        + chunk(b"IEND", b"")
    )


@dataclass(frozen=True)
class AppKeys:
    key: str
    secret: str


def setup(env: dict[str, str]) -> AppKeys:
    """Register the app (the operator's way) and a topic; return the key and secret."""
    manage(
        env,
        "shell",
        "-c",
        "from sangdam.tickets.models import Topic\n"
        f"Topic.objects.create(slug={TOPIC!r}, names={{'ko': '앱 오류', 'en': 'App problem'}})",
    )
    out = manage(env, "app_channel", "register", "Bench app", "ios")
    found = dict(line.split(":", 1) for line in out.splitlines() if ":" in line)
    return AppKeys(found["app key"].strip(), found["app secret"].split()[0])


def post_inquiries(base: str, app: AppKeys, png: bytes, count: int, concurrency: int, tag: str) -> Run:  # fmt: skip
    run = Run()

    def one(i: int, transport: httpx.HTTPTransport) -> None:
        user = f"{tag}-user-{i}"
        # A client per user (its headers are the user's); the thread's transport keeps
        # the connection alive across them. Never closed: that would close the transport.
        client = AppClient(base, app.key, user, sign_user(app.secret, user), transport=transport)
        start = time.perf_counter()
        try:
            created = client.create_inquiry(
                TEXTS[i % len(TEXTS)],
                topic=TOPIC,
                files=[(f"screenshot-{i}.png", png)],
                device=DEVICES[i % len(DEVICES)] | {"locale": "ko-KR"},
            )
        except AppApiError as exc:
            run.error(f"HTTP {exc.status} {exc.code}")
            run.first_error = run.first_error or str(exc)[:300]
            return
        except httpx.HTTPError as exc:
            run.error(type(exc).__name__)
            return
        elapsed = time.perf_counter() - start
        with run.lock:
            run.latencies.append(elapsed)
            run.references.append((created["reference"], created["id"]))

    run.seconds = run_parallel(count, concurrency, one, httpx.HTTPTransport)
    return run


def verify(db: Db, run: Run, warm: Run, png: bytes) -> str:
    """Every acknowledged inquiry: stored once, one message, one attachment equal to the PNG.

    The database is the bench's own, so any ticket neither run acknowledged is an extra.
    """
    conn = db.connect()
    rows = conn.execute(
        "SELECT t.reference, t.id, COUNT(DISTINCT m.id), COUNT(a.id),"
        " MIN(a.sha256), MIN(a.content_type), MIN(a.size) FROM tickets_ticket t"
        " LEFT JOIN tickets_message m ON m.ticket_id = t.id"
        " LEFT JOIN tickets_attachment a ON a.message_id = m.id GROUP BY t.reference, t.id"
    ).fetchall()
    conn.close()
    stored = {row[0]: row[1:] for row in rows}
    refs = [ref for ref, _ in run.references]
    missing = [r for r in refs if r not in stored]
    want = (1, 1, hashlib.sha256(png).hexdigest(), "image/png", len(png))
    wrong = [r for r, pk in run.references if r in stored and tuple(stored[r]) != (pk, *want)]
    dupes = len(refs) - len(set(refs))
    extra = len(set(stored) - set(refs) - {ref for ref, _ in warm.references})
    ok = not (missing or wrong or dupes or extra)
    return (
        f"{'OK' if ok else 'FAILED'}: {len(refs)} acknowledged, {len(missing)} missing, "
        f"{dupes} duplicate references, {extra} stored unacknowledged, "
        f"{len(wrong)} not exactly one message with one "
        f"attachment equal to the screenshot{f' (first: {stored[wrong[0]]})' if wrong else ''}"
    )


def bench_backend(backend: str, count: int, concurrency: int, png: bytes) -> None:
    with backend_env(backend, SERVER_ENV) as be:
        app = setup(be.env)
        db = Db(be.name, be.target)
        with server(be.env, be.tmp / "server.log") as (proc, base):
            print(f"\n== {backend} in-app: {count} inquiries with a {len(png) // 1024} KB PNG, "
                  f"{concurrency} clients; {os.cpu_count()} CPUs, "
                  f"load average {load_average()} before the run")  # fmt: skip
            warm = post_inquiries(base, app, png, 200, concurrency, "warm")
            drain_tasks(db)
            cpu, own = cpu_seconds(proc.pid), time.process_time()
            run = post_inquiries(base, app, png, count, concurrency, "bench") if warm.latencies else warm  # fmt: skip
            waited, failed = drain_tasks(db)
            cpu, own = cpu_seconds(proc.pid) - cpu, time.process_time() - own
            rss = peak_rss_mb(proc.pid)
        print(f"   task queue drained {waited:.1f} s after the last answer; {failed} tasks failed")
        print(f"   load average {load_average()} after the run")
        summarize(be, db, run, warm, (cpu, own), rss, png)


def summarize(be: Backend, db: Db, run: Run, warm: Run, cpu: tuple[float, float], rss: float, png: bytes) -> None:  # fmt: skip
    rate = report("app", run)
    server_ms, client_ms = (c * 1000 / max(1, len(run.latencies)) for c in cpu)
    print(
        f"        server CPU {server_ms:.1f} ms per inquiry (the bench's clients: {client_ms:.1f} ms)"
    )
    if run.first_error:
        print(f"  first error answer: {run.first_error}")
    if warm.latencies:
        print(f"  check {verify(db, run, warm, png)}")
    else:
        print("  no inquiry was accepted during warm-up; server log tail:")
        print((be.tmp / "server.log").read_text()[-1500:])
    p99 = pct(run.latencies, 0.99)
    print(f"  vs targets (server peak RSS {rss:.0f} MB):")
    if be.name == "postgres":
        verdict(f"throughput {rate:.0f}/s", "≥ 300/s", rate >= TARGETS["rate_pg"])
        verdict(f"p99 {p99:.1f} ms", "< 80 ms", p99 < TARGETS["p99_ms"])
    else:
        print("    (targets are for PostgreSQL; SQLite figures are for comparison)")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--backend", choices=["sqlite", "postgres", "both"], default="postgres")
    parser.add_argument("--count", type=int, default=1000)
    parser.add_argument("--concurrency", type=int, default=8)
    parser.add_argument(
        "--side", type=int, default=260, help="the screenshot's side in pixels (260: ~200 KB)"
    )
    args = parser.parse_args()
    png = screenshot(args.side)  # generated once: every inquiry carries the same bytes
    backends = ["sqlite", "postgres"] if args.backend == "both" else [args.backend]
    for backend in backends:
        bench_backend(backend, args.count, args.concurrency, png)
    sys.stdout.flush()


if __name__ == "__main__":
    main()
