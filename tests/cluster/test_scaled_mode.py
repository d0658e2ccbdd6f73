"""Scaled mode works as one center: two web processes, two workers, two schedulers."""

from __future__ import annotations

import asyncio
import json
import os
import re
import signal
import time

import httpx
import psycopg
import websockets

from sangdam.core.demo import ADMIN_EMAIL, DEMO_PASSWORD
from tests.cluster.conftest import Cluster

AUTH = (ADMIN_EMAIL, DEMO_PASSWORD)


def _session_cookie(base: str) -> str:
    with httpx.Client(base_url=base, timeout=10) as client:
        page = client.get("/login/")
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page.text)
        assert token, "login page has a CSRF token"
        response = client.post(
            "/login/",
            data={
                "username": ADMIN_EMAIL,
                "password": DEMO_PASSWORD,
                "csrfmiddlewaretoken": token[1],
            },
            headers={"Referer": f"{base}/login/"},
        )
        assert response.status_code == 302, response.text[:500]
        return "; ".join(f"{k}={v}" for k, v in client.cookies.items())


async def _first_event(
    base: str, cookie: str, trigger_base: str, subject: str
) -> dict[str, object]:
    ws_url = base.replace("http://", "ws://") + "/ws/live/"
    async with websockets.connect(
        ws_url, additional_headers={"Cookie": cookie, "Origin": base}
    ) as socket:
        async with httpx.AsyncClient(base_url=trigger_base, auth=AUTH, timeout=10) as client:
            response = await client.post(
                "/api/v1/tickets",
                json={
                    "customer": {"email": "scaled@example.net"},
                    "subject": subject,
                    "text": "안녕하세요",
                },
            )
            assert response.status_code == 201, response.text
        while True:
            event = json.loads(await asyncio.wait_for(socket.recv(), timeout=10))
            if event.get("event") == "ticket_created":
                return dict(event)


def test_an_agent_on_one_web_process_sees_an_inquiry_taken_by_another(cluster: Cluster) -> None:
    web_a, web_b = cluster.webs
    cookie = _session_cookie(web_a)
    event = asyncio.run(_first_event(web_a, cookie, web_b, "다른 서버에서 받은 문의"))
    assert str(event["reference"]).startswith("SD-")


def test_a_reply_taken_by_one_process_is_delivered_by_a_worker(cluster: Cluster) -> None:
    web_a, web_b = cluster.webs
    tickets = httpx.get(
        f"{web_a}/api/v1/tickets?channel=email&view=open", auth=AUTH, timeout=10
    ).json()
    ticket_id = tickets["items"][0]["id"]
    posted = httpx.post(
        f"{web_b}/api/v1/tickets/{ticket_id}/messages",
        json={"text": "답변 드립니다.", "kind": "reply"},
        auth=AUTH,
        timeout=10,
    )
    assert posted.status_code == 201, posted.text
    message_id = posted.json()["id"]
    deadline = time.monotonic() + 20
    state = ""
    while time.monotonic() < deadline:
        page = httpx.get(
            f"{web_a}/api/v1/tickets/{ticket_id}/messages?limit=100", auth=AUTH, timeout=10
        )
        state = next(m for m in page.json()["items"] if m["id"] == message_id)["delivery_state"]
        if state == "sent":
            break
        time.sleep(0.3)
    assert state == "sent", cluster.log("worker0") + cluster.log("worker1")


def test_only_one_of_two_schedulers_holds_the_lease(cluster: Cluster) -> None:
    deadline = time.monotonic() + 15
    holders: list[str] = []
    while time.monotonic() < deadline:
        with psycopg.connect(cluster.env["DATABASE_URL"]) as conn:
            holders = [
                row[0]
                for row in conn.execute("SELECT holder FROM core_lease WHERE name = 'scheduler'")
            ]
        if holders:
            break
        time.sleep(0.5)
    assert len(holders) == 1
    pids = {str(cluster.procs["scheduler0"].pid), str(cluster.procs["scheduler1"].pid)}
    assert holders[0].split(":")[1] in pids


def _rss_mb(pid: int) -> float:
    with open(f"/proc/{pid}/status") as status:
        line = next(line for line in status if line.startswith("VmRSS:"))
    return int(line.split()[1]) / 1024


def _children(pid: int) -> list[int]:
    with open(f"/proc/{pid}/task/{pid}/children") as children:
        return [int(child) for child in children.read().split()]


def _is_web_worker(pid: int) -> bool:
    with open(f"/proc/{pid}/cmdline", "rb") as cmdline:
        return b"sangdam.core.webworker" in cmdline.read()


def test_a_web_with_two_workers_keeps_a_small_supervisor(cluster: Cluster) -> None:
    supervisor = cluster.procs["web0"].pid
    children = _children(supervisor)

    # Two workers and nothing else (no multiprocessing resource tracker beside them).
    assert len(children) == 2 and all(_is_web_worker(child) for child in children)
    # The supervisor only watches its workers; each worker holds the app.
    assert _rss_mb(supervisor) < 25
    assert all(_rss_mb(worker) > 80 for worker in children)


def test_a_web_worker_that_dies_is_replaced(cluster: Cluster) -> None:
    supervisor = cluster.procs["web0"].pid
    victim = _children(supervisor)[0]

    os.kill(victim, signal.SIGKILL)

    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        children = _children(supervisor)
        if len(children) == 2 and victim not in children:
            break
        time.sleep(0.2)
    assert len(children) == 2 and victim not in children
    for _ in range(4):  # whichever worker takes the connection answers
        assert httpx.get(f"{cluster.webs[0]}/login/", timeout=30).status_code == 200


def test_sighup_replaces_every_web_worker_and_requests_wait_for_the_new_ones(
    cluster: Cluster,
) -> None:
    supervisor = cluster.procs["web0"].pid
    before = set(_children(supervisor))

    os.kill(supervisor, signal.SIGHUP)
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        after = set(_children(supervisor))
        if len(after) == 2 and not after & before:
            break
        time.sleep(0.05)

    assert len(after) == 2 and not after & before
    # Asked while the new workers may still be loading the app: the supervisor keeps the
    # socket open, so the connection waits in its backlog instead of being refused.
    assert httpx.get(f"{cluster.webs[0]}/login/", timeout=60).status_code == 200
