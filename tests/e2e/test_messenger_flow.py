"""The demo's Messenger channel in a real browser, against `sangdam fake-providers`.

A customer writes through the fake Graph API (signed webhook, as Meta sends it); the agent
sees the reply window on the ticket page, answers, the fake receives the Send API call and
sends back delivery and read receipts, which the ticket shows.
"""

from __future__ import annotations

import signal
import subprocess
import time
import uuid
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from playwright.sync_api import expect

from sangdam.core.demo import ADMIN_EMAIL
from tests.e2e.conftest import ROOT, SANGDAM, SERVER_STATE
from tests.e2e.test_agent_flow import log_in, shot

# The page's layout and wiring in the browser: the SQLite pass only (scripts/test.sh). What
# the server stores on these paths is tested in-process on both databases.
pytestmark = pytest.mark.once


@pytest.fixture
def fake_meta(server: str) -> Iterator[str]:
    """`sangdam fake-providers` on the server's database; the fake Graph API's URL."""
    env = {**SERVER_STATE["env"], "SITE_URL": server}
    proc = subprocess.Popen(
        [SANGDAM, "fake-providers"],
        env=env,
        cwd=ROOT,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        url = ""
        deadline = time.monotonic() + 30
        assert proc.stdout is not None
        while not url and time.monotonic() < deadline:
            line = proc.stdout.readline()
            if not line:
                break
            if line.startswith("facebook: "):
                url = line.split()[1]
        assert url, "fake-providers did not start the Meta fake"
        yield url
    finally:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(10)
        except subprocess.TimeoutExpired:
            proc.kill()
        subprocess.run(
            [SANGDAM, "fake-providers", "--reset"],
            env=SERVER_STATE["env"],
            cwd=ROOT,
            check=False,
            stdout=subprocess.DEVNULL,
        )


def test_a_messenger_customer_gets_an_answer_and_reads_it(
    browser: Any, server: str, fake_meta: str
) -> None:
    admin_page = log_in(browser, server, ADMIN_EMAIL, viewport={"width": 1280, "height": 800})
    question = f"택배가 아직 안 왔어요 {uuid.uuid4().hex[:6]}"
    answer = httpx.post(
        f"{fake_meta}/_fake/customer-writes",
        json={"text": question, "sender": "7000000000000042"},
        timeout=10,
    )
    assert answer.json() == {"sangdam_status": 200}

    admin_page.goto(f"{server}/?view=all&channel=facebook")
    row = admin_page.locator("tr.ticket-row", has_text=question)
    for _ in range(30):  # the embedded worker takes the event in within moments
        if row.count():
            break
        time.sleep(0.5)
        admin_page.reload()
    row.locator("a").first.click()
    expect(admin_page.locator("#reply-window")).to_be_visible()

    reply = f"내일 도착합니다. {uuid.uuid4().hex[:6]}"
    admin_page.fill("#reply-form textarea[name=text]", reply)
    admin_page.click("#reply-form button[type=submit]")
    expect(admin_page.locator("#thread .message-out", has_text=reply)).to_be_visible()

    sent: list[Any] = []
    for _ in range(40):
        sent = httpx.get(f"{fake_meta}/_fake/sent", timeout=5).json()
        if any(s["message"].get("text") == reply for s in sent):
            break
        time.sleep(0.25)
    (call,) = [s for s in sent if s["message"].get("text") == reply]
    assert call["recipient"] == {"id": "7000000000000042"}

    # The fake sends delivery and read webhooks back, as Meta does.
    out = admin_page.locator("#thread .message-out", has_text=reply)
    for _ in range(40):
        if out.locator(".delivery-read").count():
            break
        time.sleep(0.25)
        admin_page.reload()
    expect(out.locator(".delivery-read")).to_be_visible()
    shot(admin_page, "ticket-messenger")
    phone = log_in(browser, server, ADMIN_EMAIL, viewport={"width": 390, "height": 844})
    phone.goto(admin_page.url)
    expect(phone.locator("#reply-window")).to_be_visible()
    shot(phone, "ticket-messenger-phone")
