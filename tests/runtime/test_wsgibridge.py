"""Plain HTTP through the server's ASGI application (config/asgi.py, core/wsgibridge.py):
what a browser sends arrives whole, what the app answers leaves whole, and a request the
client abandons halfway stores nothing."""

from __future__ import annotations

import asyncio
import re
import threading
from concurrent.futures import ThreadPoolExecutor
from http.cookies import SimpleCookie
from pathlib import Path
from typing import Any

import pytest
from asgiref.testing import ApplicationCommunicator
from django.core.cache import cache, caches
from django.test.client import BOUNDARY, MULTIPART_CONTENT, encode_multipart

from sangdam.connectors.models import Channel
from sangdam.core.wsgibridge import PRELOAD_BYTES, WSGIBridge
from sangdam.tickets.models import Attachment, Ticket
from tests import factories
from tests.asgi_calls import request


@pytest.fixture
def webform(transactional_db: None) -> Channel:
    cache.clear()  # the form's rate limits
    factories.make_topic("payment-refund", ko="결제 및 환불", en="Payment & refund")
    return factories.make_channel("webform", name="홈페이지 문의")


def form_post(extra: dict[str, Any] | None = None) -> tuple[list[tuple[bytes, bytes]], bytes]:
    """The rendered form's CSRF cookie and token, and a multipart submission with them."""
    page = request("GET", "/contact/new")
    assert page is not None
    cookie = SimpleCookie(page[1][b"set-cookie"].decode())["csrftoken"].value
    html = page[2].decode()
    token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', html)
    nonce = re.search(r'name="nonce" value="([0-9a-f]+)"', html)
    assert token and nonce
    data: dict[str, Any] = {
        "csrfmiddlewaretoken": token.group(1),
        "nonce": nonce.group(1),
        "name": "김민지",
        "email": "minji@example.com",
        "topic": "payment-refund",
        "subject": "결제가 두 번 되었어요",
        "description": "어제 결제했는데 카드에서 두 번 빠져나갔습니다.",
        "consent": "on",
        "website": "",
        **(extra or {}),
    }
    body = encode_multipart(BOUNDARY, data)
    headers = [
        (b"content-type", MULTIPART_CONTENT.encode()),
        (b"content-length", str(len(body)).encode()),
        (b"cookie", f"csrftoken={cookie}".encode()),
        (b"origin", b"http://testserver"),
        (b"referer", b"http://testserver/contact/new"),
    ]
    return headers, body


class Upload:
    def __init__(self, name: str, content: bytes) -> None:
        self.name, self.content = name, content

    def read(self) -> bytes:
        return self.content


def test_an_inquiry_posted_over_the_server_is_taken_and_answered_with_its_redirect(
    webform: Channel,
) -> None:
    headers, body = form_post()
    answer = request("POST", "/contact/new", headers=headers, body=body, chunk=100)
    assert answer is not None
    assert answer[0] == 302
    assert b"/contact/thanks/" in answer[1][b"location"]
    assert Ticket.objects.get().subject == "결제가 두 번 되었어요"


def test_a_form_with_a_file_larger_than_the_preload_size_arrives_whole(
    webform: Channel,
) -> None:
    picture = factories.PNG + bytes(range(256)) * (PRELOAD_BYTES // 256 + 100)
    headers, body = form_post({"attachments": Upload("receipt.png", picture)})
    assert len(body) > PRELOAD_BYTES
    answer = request("POST", "/contact/new", headers=headers, body=body)
    assert answer is not None and answer[0] == 302
    stored = Attachment.objects.get()
    assert stored.filename == "receipt.png"
    with stored.file.open("rb") as f:
        assert f.read() == picture


def test_a_client_that_hangs_up_halfway_through_its_form_leaves_no_inquiry(
    webform: Channel,
) -> None:
    headers, body = form_post()
    answer = request("POST", "/contact/new", headers=headers, body=body, chunk=200, hang_up_after=2)
    assert answer is None
    assert not Ticket.objects.exists()


def test_a_static_file_is_streamed_whole(transactional_db: None) -> None:
    script = Path("sangdam/portal/static/portal/portal.js").read_bytes()
    answer = request("GET", "/static/portal/portal.js")
    assert answer is not None
    status, headers, content, _messages = answer
    assert status == 200
    assert headers[b"content-length"] == str(len(script)).encode()
    assert content == script


def _scope(path: str = "/") -> dict[str, Any]:
    return {
        "type": "http",
        "http_version": "1.1",
        "method": "GET",
        "scheme": "http",
        "path": path,
        "raw_path": path.encode(),
        "query_string": b"",
        "root_path": "",
        "headers": [(b"host", b"testserver")],
        "client": ("127.0.0.1", 50000),
        "server": ("testserver", 80),
    }


def test_a_pool_thread_keeps_djangos_cache_client_from_one_request_to_the_next() -> None:
    """With Redis as the cache, a client made anew per request opened a connection each time."""
    clients: list[object] = []

    def app(environ: dict[str, Any], start_response: Any) -> list[bytes]:
        clients.append(caches["default"])
        start_response("204 No Content", [])
        return []

    bridge = WSGIBridge(app, threads=1)
    scope = _scope()

    async def call() -> int:
        server = ApplicationCommunicator(bridge, dict(scope))
        await server.send_input({"type": "http.request", "body": b""})
        start = await server.receive_output(5)
        await server.receive_output(5)
        return int(start["status"])

    # On a thread of its own: a browser test's Playwright may run a loop on this one.
    with ThreadPoolExecutor(1) as caller:
        statuses = [caller.submit(asyncio.run, call()).result() for _ in range(3)]
    assert statuses == [204, 204, 204]
    assert clients[0] is clients[1] is clients[2]


class HoldingApp:
    """``/hold`` answers once released; ``/stream`` streams a first chunk, then waits to be
    released for the rest; any other path answers at once. Records the paths it began."""

    def __init__(self) -> None:
        self.started: list[str] = []
        self.release = threading.Event()

    def __call__(self, environ: dict[str, Any], start_response: Any) -> Any:
        path = environ["PATH_INFO"]
        self.started.append(path)
        start_response("200 OK", [("Content-Type", "text/plain")])
        if path == "/stream":
            return self._stream()
        if path == "/hold":
            self.release.wait(5)
        return [b"done"]

    def _stream(self) -> Any:
        yield b"first"
        self.release.wait(5)
        yield b"rest"

    def begun_while_first_holds(self, bridge: WSGIBridge, first: str, second: str) -> list[str]:
        """Request ``first``, then ``second``; the paths begun before ``first`` is released."""

        async def scenario() -> list[str]:
            calls = [ApplicationCommunicator(bridge, _scope(first))]
            await calls[0].send_input({"type": "http.request", "body": b""})
            await asyncio.sleep(0.2)
            calls.append(ApplicationCommunicator(bridge, _scope(second)))
            await calls[1].send_input({"type": "http.request", "body": b""})
            for _ in range(20):  # a second for the second request to begin, if it may
                if second in self.started:
                    break
                await asyncio.sleep(0.05)
            begun = list(self.started)
            self.release.set()
            for call in calls:
                while True:
                    message = await call.receive_output(5)
                    if message["type"] == "http.response.body" and not message.get("more_body"):
                        break
            return begun

        try:  # on a thread of its own, as above
            with ThreadPoolExecutor(1) as caller:
                return caller.submit(asyncio.run, scenario()).result()
        finally:
            self.release.set()


def test_a_request_waits_its_turn_while_the_running_ones_hold_every_turn() -> None:
    app = HoldingApp()
    bridge = WSGIBridge(app, threads=4, running=1)
    assert app.begun_while_first_holds(bridge, "/hold", "/quick") == ["/hold"]
    assert app.started == ["/hold", "/quick"]  # it ran when the turn came back


def test_a_streamed_answer_gives_its_turn_back_while_it_waits_on_the_client() -> None:
    app = HoldingApp()
    bridge = WSGIBridge(app, threads=4, running=1)
    assert app.begun_while_first_holds(bridge, "/stream", "/quick") == ["/stream", "/quick"]
