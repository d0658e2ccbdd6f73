"""Live chat under load: N widget sockets, each writing every few seconds, agents hearing them.

    .venv/bin/python bench/livechat.py --clients 50 --duration 30
    .venv/bin/python bench/livechat.py --clients 200 --backend postgres
    .venv/bin/python bench/livechat.py --clients 200 --scaled        # two web processes + Redis

A throw-away database (``common.backend_env``), a live chat channel and an agent, then the
real server (``sangdam run``; ``--scaled``: two ``sangdam web`` processes, one ``sangdam
worker``, PostgreSQL and Redis db ``--redis-db``). The clients run in a separate process
(this one: asyncio + ``websockets``), spread over the web processes. Figures:

* customer→agent: from the visitor's ``message`` frame to the agent's inbox socket hearing
  ``message_added`` for the acked message id; agent→customer: from the agent's reply
  ``POST /api/v1/tickets/<id>/messages`` to the visitor's socket showing it (the delivery
  task runs on a worker);
* baseline, same run, same sockets: ``ping`` → ``pong`` (the socket's round trip with no
  database and no channel layer): what the transport costs under this load;
* lost (acked but never heard by the agent, replied but never shown) and doubled;
* peak RSS of the server process(es); widget.js gzipped; page load → launcher usable in
  Chromium (median of 5).
"""

from __future__ import annotations

import argparse
import asyncio
import gzip
import json
import random
import re
import statistics
import threading
import time
import uuid
from contextlib import ExitStack
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import httpx
import websockets
from common import (
    ROOT,
    backend_env,
    cpu_seconds,
    load_average,
    manage,
    pct,
    peak_rss_mb,
    start_server,
    stop,
    verdict,
)

EMAIL = "agent@bench.example"
PASSWORD = "bench-password-1234"
WIDGET = ROOT / "sangdam" / "connectors" / "static" / "livechat"


@dataclass
class Tally:
    sent: dict[str, float] = field(default_factory=dict)  # client id -> sent at
    acked: dict[str, int] = field(default_factory=dict)  # client id -> message id
    heard: dict[int, list[float]] = field(default_factory=dict)  # message id -> agent heard at
    replied: dict[str, float] = field(default_factory=dict)  # reply tag -> POST started
    shown: dict[str, list[float]] = field(default_factory=dict)  # reply tag -> visitor saw
    pings: list[float] = field(default_factory=list)
    errors: dict[str, int] = field(default_factory=dict)

    def error(self, what: str) -> None:
        self.errors[what] = self.errors.get(what, 0) + 1


def setup(env: dict[str, str]) -> tuple[str, str]:
    """The channel (open all week, an agent online) and the agent's API token."""
    out = manage(
        env,
        "shell",
        "-c",
        "from sangdam.accounts.models import User, Presence\n"
        "from sangdam.connectors.models import Channel\n"
        f"User.objects.create_user({EMAIL!r}, {PASSWORD!r}, display_name='Bench',"
        " role='admin', presence=Presence.ONLINE)\n"
        "print(Channel.objects.create(kind='livechat', name='Bench chat').key)",
    )
    token = manage(env, "create_api_token", EMAIL, "bench").strip().splitlines()[-1].strip()
    return out.strip().splitlines()[-1], token


def session_cookie(base: str) -> str:
    with httpx.Client(base_url=base, timeout=30) as client:
        page = client.get("/login/")
        csrf = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert csrf, "the login page has a CSRF token"
        answer = client.post(
            "/login/",
            data={"username": EMAIL, "password": PASSWORD, "csrfmiddlewaretoken": csrf[1]},
            headers={"Referer": f"{base}/login/"},
        )
        assert answer.status_code == 302, answer.text[:300]
        return "; ".join(f"{k}={v}" for k, v in client.cookies.items())


async def visitor(base: str, key: str, tally: Tally, stop_at: float, every: float) -> None:
    url = base.replace("http://", "ws://") + f"/ws/chat/{key}/"
    async with websockets.connect(url, additional_headers={"Origin": base}) as ws:
        await ws.send(json.dumps({"type": "hello", "token": None, "after": 0}))
        pinged = 0.0

        async def read() -> None:
            async for raw in ws:
                frame = json.loads(raw)
                now = time.perf_counter()
                if frame["type"] == "ack":
                    tally.acked[frame["client_id"]] = frame["message"]["id"]
                elif frame["type"] == "message" and frame["message"]["from"] == "agent":
                    tag = frame["message"]["text"]
                    tally.shown.setdefault(tag, []).append(now)
                elif frame["type"] == "pong" and pinged:
                    tally.pings.append(now - pinged)
                elif frame["type"] == "error":
                    tally.error(frame["code"])

        reader = asyncio.create_task(read())
        await asyncio.sleep(random.uniform(0, every))
        while time.perf_counter() < stop_at:
            client_id = uuid.uuid4().hex
            tally.sent[client_id] = time.perf_counter()
            await ws.send(
                json.dumps({"type": "message", "client_id": client_id, "text": "안녕하세요?"})
            )
            await asyncio.sleep(every / 2)
            pinged = time.perf_counter()
            await ws.send(json.dumps({"type": "ping"}))
            await asyncio.sleep(every / 2)
        await asyncio.sleep(5)  # the last answers
        reader.cancel()


async def agent(
    base: str, cookie: str, token: str, tally: Tally, stop_at: float, reply_every: int
) -> None:
    """The inbox socket hears every message; one in ``reply_every`` gets an answer."""
    url = base.replace("http://", "ws://") + "/ws/live/"
    queue: asyncio.Queue[tuple[int, int]] = asyncio.Queue()
    async with (
        websockets.connect(url, additional_headers={"Cookie": cookie, "Origin": base}) as ws,
        httpx.AsyncClient(
            base_url=base, headers={"Authorization": f"Bearer {token}"}, timeout=60
        ) as api,
    ):

        async def answer() -> None:
            while True:
                ticket_id, message_id = await queue.get()
                tag = f"re {message_id}"
                tally.replied[tag] = time.perf_counter()
                try:
                    done = await api.post(
                        f"/api/v1/tickets/{ticket_id}/messages", json={"text": tag, "kind": "reply"}
                    )
                    if done.status_code != 201:
                        tally.error(f"reply {done.status_code}")
                except httpx.HTTPError as exc:
                    tally.error(type(exc).__name__)

        answerers = [asyncio.create_task(answer()) for _ in range(4)]
        seen = 0

        async def read() -> None:
            nonlocal seen
            async for raw in ws:
                frame = json.loads(raw)
                # A chat's first message opens its ticket: the inbox hears "ticket_created".
                if frame.get("event") not in ("message_added", "ticket_created"):
                    continue
                if "message_id" not in frame:
                    continue
                mid = frame["message_id"]
                tally.heard.setdefault(mid, []).append(time.perf_counter())
                seen += 1
                if seen % reply_every == 0 and time.perf_counter() < stop_at:
                    queue.put_nowait((frame["ticket_id"], mid))

        reader = asyncio.create_task(read())
        while time.perf_counter() < stop_at + 10:
            await asyncio.sleep(0.5)
        reader.cancel()
        for task in answerers:
            task.cancel()


async def load(
    bases: list[str], key: str, cookie: str, token: str, args: argparse.Namespace
) -> Tally:
    tally = Tally()
    stop_at = time.perf_counter() + args.duration
    # The agent on the last web process, the visitors spread over all of them.
    tasks = [asyncio.create_task(agent(bases[-1], cookie, token, tally, stop_at, args.reply_every))]
    await asyncio.sleep(1)
    for i in range(args.clients):
        base = bases[i % len(bases)]
        tasks.append(asyncio.create_task(visitor(base, key, tally, stop_at, args.every)))
        await asyncio.sleep(0.01)  # connect gradually, as visitors arrive
    results = await asyncio.gather(*tasks, return_exceptions=True)
    for result in results:
        if isinstance(result, BaseException):
            tally.error(type(result).__name__)
    return tally


def launcher_ms(base: str, key: str, times: int = 5) -> float:
    """Median ms from navigation start to the launcher being clickable, in Chromium."""
    from playwright.sync_api import sync_playwright

    html = (
        "<!doctype html><html lang='en'><head><title>Shop</title></head><body><h1>Shop</h1>"
        f"<script src='{base}/chat/widget.js' data-channel='{key}' async></script></body></html>"
    ).encode()

    class Page(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.end_headers()
            self.wfile.write(html)

        def log_message(self, *args: Any) -> None:
            pass

    shop = ThreadingHTTPServer(("127.0.0.1", 0), Page)
    threading.Thread(target=shop.serve_forever, daemon=True).start()
    figures = []
    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path="/usr/bin/chromium")
        for _ in range(times):
            page = browser.new_context().new_page()
            page.goto(f"http://127.0.0.1:{shop.server_address[1]}/")
            page.get_by_role("button", name="Chat with us").wait_for(state="visible")
            figures.append(float(page.evaluate("performance.now()")))
            page.context.close()
        browser.close()
    shop.shutdown()
    return statistics.median(figures)


def summary(tally: Tally, rss: float, cpu: float, args: argparse.Namespace) -> None:
    to_agent = [
        tally.heard[mid][0] - tally.sent[cid]
        for cid, mid in tally.acked.items()
        if mid in tally.heard and cid in tally.sent
    ]
    to_visitor = [
        times[0] - tally.replied[tag] for tag, times in tally.shown.items() if tag in tally.replied
    ]
    unacked = len(tally.sent) - len(tally.acked)
    lost_in = sum(1 for mid in tally.acked.values() if mid not in tally.heard)
    lost_out = sum(1 for tag in tally.replied if tag not in tally.shown)
    doubled_in = sum(1 for mid in tally.acked.values() if len(tally.heard.get(mid, [])) > 1)
    doubled_out = sum(1 for times in tally.shown.values() if len(times) > 1)
    rate = len(tally.sent) / args.duration
    print(f"  visitors {args.clients}, {rate:.0f} messages/s sent, {len(tally.replied)} replies")
    per_message = cpu * 1000 / len(tally.sent) if tally.sent else float("nan")
    print(
        f"  server CPU {cpu:.1f} s, {per_message:.1f} ms per visitor message (all in: its"
        " ping, the agent's replies, the worker's tasks; scaled: web processes + worker)"
    )
    for label, values in (
        ("visitor→agent", to_agent),
        ("agent→visitor", to_visitor),
        ("baseline ping", tally.pings),
    ):
        print(
            f"  {label:<14} p50 {pct(values, 0.5):7.1f} ms   p99 {pct(values, 0.99):7.1f} ms"
            f"   ({len(values)} timed)"
        )
    # Counted a few seconds after the last message: a saturated server's backlog shows
    # here too (the database then tells whether it was stored: the bench does not look).
    print(
        f"  unacked {unacked}, not heard by the agent {lost_in}, not shown to the visitor"
        f" {lost_out} (within 5-10 s of the end)"
    )
    print(f"  doubled to agent {doubled_in}, doubled to visitor {doubled_out}")
    print(f"  errors {json.dumps(tally.errors) if tally.errors else 0}")
    print(f"  server peak RSS {rss:.0f} MB   load average {load_average()}")
    p99 = max(pct(to_agent, 0.99), pct(to_visitor, 0.99))
    target = 100 if args.scaled else 50
    verdict("p99 both ways", f"<{target} ms", p99 < target)
    verdict("lost + doubled", "0", lost_in + lost_out + doubled_in + doubled_out + unacked == 0)
    if not args.scaled:
        verdict("server RSS", "<250 MB", rss < 250)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--clients", type=int, default=50)
    parser.add_argument("--duration", type=float, default=30, help="seconds of sending")
    parser.add_argument(
        "--every", type=float, default=4, help="seconds between a visitor's messages"
    )
    parser.add_argument("--reply-every", type=int, default=4, help="the agent answers 1 in N")
    parser.add_argument("--backend", choices=["sqlite", "postgres"], default="sqlite")
    parser.add_argument("--scaled", action="store_true", help="two web processes + Redis")
    parser.add_argument("--redis-db", type=int, default=5)
    parser.add_argument("--no-browser", action="store_true", help="skip the Chromium timing")
    args = parser.parse_args()
    backend = "postgres" if args.scaled else args.backend
    extra = {
        "LIVECHAT_RATE_PER_VISITOR": "100000",  # every visitor is 127.0.0.1: limits off
        "LIVECHAT_RATE_PER_IP": "100000000",
        "API_RATE_PER_MINUTE": "0",
    }
    if args.scaled:
        extra["REDIS_URL"] = f"redis://127.0.0.1:6379/{args.redis_db}"
    widget = (WIDGET / "widget.js").read_bytes()
    panel = (WIDGET / "chat.js").read_bytes() + (WIDGET / "chat.css").read_bytes()
    print(
        f"livechat: {backend}{' scaled (2 web + worker + Redis)' if args.scaled else ' embedded'}"
        f", {args.clients} visitors, one message each every {args.every:g} s for"
        f" {args.duration:g} s; load average {load_average()}"
    )
    print(
        f"  widget.js {len(gzip.compress(widget)) / 1024:.1f} KB gzipped;"
        f" panel chat.js + chat.css {len(gzip.compress(panel)) / 1024:.1f} KB gzipped"
    )
    with backend_env(backend, extra) as db, ExitStack() as stack:
        key, token = setup(db.env)
        procs = []
        if args.scaled:
            for i in range(2):
                proc, base = start_server(db.env, db.tmp / f"web{i}.log", "web")
                procs.append((proc, base))
            worker = __import__("subprocess").Popen(
                [str(ROOT / ".venv" / "bin" / "sangdam"), "worker"],
                env=db.env,
                stdout=(db.tmp / "worker.log").open("wb"),
                stderr=-2,
            )
            stack.callback(stop, worker)
        else:
            procs.append(start_server(db.env, db.tmp / "server.log", "run"))
        for proc, _base in procs:
            stack.callback(stop, proc)
        bases = [base for _proc, base in procs]
        cookie = session_cookie(bases[-1])
        if not args.no_browser:
            print(
                f"  page load → launcher usable {launcher_ms(bases[0], key):.0f} ms (median of 5)"
            )
        pids = [proc.pid for proc, _base in procs] + ([worker.pid] if args.scaled else [])
        cpu = sum(cpu_seconds(pid) for pid in pids)
        tally = asyncio.run(load(bases, key, cookie, token, args))
        cpu = sum(cpu_seconds(pid) for pid in pids) - cpu
        rss = sum(peak_rss_mb(proc.pid) for proc, _base in procs)
        summary(tally, rss, cpu, args)


if __name__ == "__main__":
    main()
