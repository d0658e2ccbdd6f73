"""Live chat in real browsers: a customer on a website chats with an agent in the console."""

from __future__ import annotations

import json
import struct
import subprocess
import threading
import uuid
import zlib
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

import pytest
from playwright.sync_api import FilePayload, Page, expect

from sangdam.core.demo import ADMIN_EMAIL
from tests.e2e.conftest import ROOT, SANGDAM, SERVER_STATE
from tests.e2e.test_agent_flow import log_in, shot
from tests.e2e.test_portal_flow import body_of, mails_to

ALWAYS = {str(day): [["00:00", "00:00"]] for day in range(7)}
NEVER: dict[str, list[list[str]]] = {}


def png(width: int = 96, height: int = 64) -> bytes:
    """A real (decodable) PNG: an orange box, as a phone photo would be shown."""

    def chunk(kind: bytes, data: bytes) -> bytes:
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    rows = b"".join(b"\x00" + b"\xf4\xa2\x61" * width for _ in range(height))
    header = struct.pack(">IIBBBBB", width, height, 8, 2, 0, 0, 0)
    return (
        b"\x89PNG\r\n\x1a\n"
        + chunk(b"IHDR", header)
        + chunk(b"IDAT", zlib.compress(rows))
        + chunk(b"IEND", b"")
    )


def set_chat_hours(week: dict[str, Any]) -> str:
    """Make the demo chat open (or closed) whatever the hour the test runs; its key."""
    code = (
        "from sangdam.service.models import Schedule\n"
        "s = Schedule.objects.get(channel__kind='livechat')\n"
        f"s.week = {json.dumps(week)}; s.holiday_country = ''; s.closures = []; s.save()\n"
        "print(s.channel.key)\n"
    )
    done = subprocess.run(
        [SANGDAM, "shell", "-c", code],
        env=SERVER_STATE["env"],
        cwd=ROOT,
        check=True,
        capture_output=True,
        text=True,
    )
    return done.stdout.strip().splitlines()[-1]


def agent_online(browser: Any, server: str) -> Page:
    agent = log_in(browser, server, ADMIN_EMAIL, viewport={"width": 1280, "height": 800})
    agent.click("#presence-form button[value=online]")
    expect(agent.locator("#presence-form button[value=online]")).to_have_attribute(
        "aria-pressed", "true"
    )
    return agent


def open_chat(browser: Any, server: str, width: int = 390) -> Page:
    customer: Page = browser.new_context(viewport={"width": width, "height": 844}).new_page()
    customer.goto(f"{server}/contact?lang=en")
    customer.click("#start-chat")
    expect(customer.locator("#availability")).not_to_be_empty()
    return customer


def test_a_customer_and_an_agent_chat_live_and_nothing_is_lost_or_doubled(
    browser: Any, server: str
) -> None:
    set_chat_hours(ALWAYS)
    agent = agent_online(browser, server)
    agent.goto(f"{server}/?view=open&channel=livechat")
    expect(agent.locator("body")).to_have_attribute("data-live-state", "open")
    customer = open_chat(browser, server)
    expect(customer.locator("#availability")).to_have_text("Agents are available now.")

    question = f"Has my order shipped? {uuid.uuid4().hex[:6]}"
    customer.fill("#message", question)
    customer.press("#message", "Enter")
    expect(customer.locator(".msg.visitor:not(.pending)", has_text=question)).to_be_visible()

    # The agent's inbox shows the new chat without a reload.
    row = agent.locator("tr.ticket-row", has_text=question[:20])
    expect(row).to_be_visible()
    row.locator("a").first.click()
    expect(agent.locator("#thread .message", has_text=question)).to_be_visible()
    expect(agent.locator("body")).to_have_attribute("data-live-state", "open")

    # Typing shows on both sides.
    customer.locator("#message").press_sequentially("And the invoice", delay=30)
    expect(agent.locator("#customer-typing")).to_be_visible()
    customer.fill("#message", "")
    agent.locator("#reply-form textarea[name=text]").press_sequentially("Let me", delay=30)
    expect(customer.locator("#typing")).to_contain_text("is typing")

    # A picture goes in, checked, and the agent sees it on the ticket.
    customer.set_input_files(
        "#file", files=[FilePayload(name="parcel.png", mimeType="image/png", buffer=png())]
    )
    expect(customer.locator(".msg.visitor:not(.pending) img[alt='parcel.png']")).to_be_visible()
    expect(agent.locator("#thread", has_text="parcel.png")).to_be_visible()
    # The page warns about messages that came after it was opened: start from a fresh one.
    agent.fill("#reply-form textarea[name=text]", "")
    agent.reload()

    answer = f"It left the warehouse this morning. {uuid.uuid4().hex[:6]}"
    agent.fill("#reply-form textarea[name=text]", answer)
    agent.click("#reply-form button[type=submit]")
    expect(customer.locator(".msg.agent", has_text=answer)).to_be_visible()
    shot(customer, "livechat-page-390")

    # A reload (or coming back later on the same browser) keeps the conversation.
    customer.reload()
    expect(customer.locator(".msg.agent", has_text=answer)).to_be_visible()
    expect(customer.locator(".msg.visitor", has_text=question)).to_have_count(1)

    # The network drops: the message waits, goes out once the socket is back, once.
    customer.context.set_offline(True)
    expect(customer.locator("#status")).to_contain_text("Reconnecting")
    while_offline = f"Sent in a tunnel {uuid.uuid4().hex[:6]}"
    customer.fill("#message", while_offline)
    customer.press("#message", "Enter")
    expect(customer.locator(".msg.visitor.pending", has_text=while_offline)).to_be_visible()
    customer.context.set_offline(False)
    expect(customer.locator(".msg.visitor:not(.pending)", has_text=while_offline)).to_be_visible(
        timeout=30_000
    )
    agent.reload()  # what is stored, not what was pushed: exactly one copy
    expect(agent.locator("#thread .message", has_text=while_offline)).to_have_count(1)
    customer.reload()
    expect(customer.locator(".msg.visitor", has_text=while_offline)).to_have_count(1)
    customer.context.close()
    agent.context.close()


# The widget's wiring in the browser: the SQLite pass only (scripts/test.sh).
@pytest.mark.once
def test_the_snippet_adds_a_launcher_and_chat_panel_to_a_website(browser: Any, server: str) -> None:
    key = set_chat_hours(ALWAYS)
    agent_online(browser, server).context.close()
    page_html = (
        "<!doctype html><html lang='en'><head><meta name='viewport' "
        "content='width=device-width, initial-scale=1'><title>Example shop</title></head>"
        "<body style='font-family:sans-serif;margin:2rem'><h1>Example shop</h1>"
        "<p>Spring sale: everything 20% off.</p>"
        f"<script src='{server}/chat/widget.js' data-channel='{key}' async></script>"
        "</body></html>"
    )
    # The shop is a real local site on another port (another origin): Chromium lets a page
    # load from a loopback address only when the page itself was served from one.
    shop_server = ThreadingHTTPServer(("127.0.0.1", 0), _page_handler(page_html.encode()))
    threading.Thread(target=shop_server.serve_forever, daemon=True).start()
    shop = f"http://127.0.0.1:{shop_server.server_address[1]}/"
    for width, height in ((390, 844), (1280, 800)):
        page: Page = browser.new_context(viewport={"width": width, "height": height}).new_page()
        page.goto(shop)
        launcher = page.get_by_role("button", name="Chat with us")
        expect(launcher).to_be_visible()
        launcher.click()
        frame = page.frame_locator("iframe[title]")
        expect(frame.locator("#availability")).to_have_text("Agents are available now.")
        expect(frame.locator("#contact-name")).to_be_visible()
        shot(page, f"livechat-widget-{width}")
        frame.get_by_role("button", name="Close the chat").click()
        expect(page.get_by_role("button", name="Chat with us")).to_be_visible()
        page.context.close()
    shop_server.shutdown()


def _page_handler(body: bytes) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, *args: Any) -> None:
            pass

    return Handler


# The widget's wiring in the browser: the SQLite pass only (scripts/test.sh).
@pytest.mark.once
def test_offline_the_chat_becomes_a_form_answered_by_email(browser: Any, server: str) -> None:
    set_chat_hours(NEVER)
    customer = open_chat(browser, server, width=1280)
    expect(customer.locator("#availability")).to_contain_text("No one is available")
    question = f"Can I get a refund for order 7781? {uuid.uuid4().hex[:6]}"
    customer.fill("#message", question)
    customer.press("#message", "Enter")
    expect(customer.locator("#status")).to_have_text(
        "Please give your email address so that we can answer."
    )
    address = f"chat-{uuid.uuid4().hex[:8]}@example.net"
    customer.fill("#contact-name", "Dana Kim")
    customer.fill("#contact-email", address)
    customer.press("#message", "Enter")
    expect(customer.locator(".msg.visitor:not(.pending)", has_text=question)).to_be_visible()
    expect(customer.locator("#status")).to_contain_text(address)
    shot(customer, "livechat-offline-1280")

    agent = log_in(browser, server, ADMIN_EMAIL, viewport={"width": 1280, "height": 800})
    agent.goto(f"{server}/?view=open&channel=livechat")
    agent.locator("tr.ticket-row", has_text=question[:20]).locator("a").first.click()
    answer = f"Yes: the refund is on its way. {uuid.uuid4().hex[:6]}"
    agent.fill("#reply-form textarea[name=text]", answer)
    agent.click("#reply-form button[type=submit]")
    mails = mails_to(address, containing=answer)
    assert mails, "the answer to an offline chat goes by email"
    assert answer in body_of(mails[0])
    set_chat_hours(ALWAYS)
