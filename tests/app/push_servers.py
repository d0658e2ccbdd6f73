"""Local servers speaking the documented formats of FCM HTTP v1, APNs and a Web Push service.

Each records the requests it got (headers, body) so tests can assert them exactly. A
device token or subscription id starting with ``dead`` is answered as unregistered, one
starting with ``busy`` as temporarily unavailable.
"""

from __future__ import annotations

import asyncio
import json
import socket
import threading
import time
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any
from urllib.parse import parse_qs

ACCESS_TOKEN = "ya29.test-access-token"


@dataclass
class Recorded:
    method: str
    path: str
    headers: dict[str, str]
    body: bytes
    http_version: str = "1.1"

    def json(self) -> Any:
        return json.loads(self.body)


@dataclass
class Recorder:
    requests: list[Recorded] = field(default_factory=list)
    base_url: str = ""

    def to(self, suffix: str) -> list[Recorded]:
        return [r for r in self.requests if r.path.endswith(suffix) or suffix in r.path]


def _handler(recorder: Recorder, answer: Any) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            length = int(self.headers.get("Content-Length", "0"))
            body = self.rfile.read(length)
            item = Recorded(
                "POST", self.path, {k.lower(): v for k, v in self.headers.items()}, body
            )
            recorder.requests.append(item)
            status, headers, payload = answer(item)
            raw = json.dumps(payload).encode() if payload is not None else b""
            self.send_response(status)
            for name, value in headers.items():
                self.send_header(name, value)
            self.send_header("Content-Type", "application/json; charset=UTF-8")
            self.send_header("Content-Length", str(len(raw)))
            self.end_headers()
            self.wfile.write(raw)

        def log_message(self, format: str, *args: Any) -> None:
            pass

    return Handler


@contextmanager
def _http_server(recorder: Recorder, answer: Any) -> Iterator[Recorder]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _handler(recorder, answer))
    recorder.base_url = f"http://127.0.0.1:{server.server_address[1]}"
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield recorder
    finally:
        server.shutdown()
        server.server_close()


def _fcm_answer(item: Recorded) -> tuple[int, dict[str, str], Any]:
    if item.path == "/token":
        form = parse_qs(item.body.decode())
        if form.get("grant_type") != ["urn:ietf:params:oauth:grant-type:jwt-bearer"]:
            return 400, {}, {"error": "unsupported_grant_type"}
        return 200, {}, {"access_token": ACCESS_TOKEN, "expires_in": 3599, "token_type": "Bearer"}
    if item.headers.get("authorization") != f"Bearer {ACCESS_TOKEN}":
        return 401, {}, {"error": {"code": 401, "status": "UNAUTHENTICATED"}}
    token = json.loads(item.body)["message"]["token"]
    if token.startswith("dead"):
        error = {
            "code": 404,
            "message": "Requested entity was not found.",
            "status": "NOT_FOUND",
            "details": [
                {
                    "@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError",
                    "errorCode": "UNREGISTERED",
                }
            ],
        }
        return 404, {}, {"error": error}
    if token.startswith("busy"):
        return 503, {}, {"error": {"code": 503, "status": "UNAVAILABLE"}}
    project = item.path.split("/")[3]
    return 200, {}, {"name": f"projects/{project}/messages/0:{uuid.uuid4().hex[:12]}"}


@contextmanager
def fcm_server() -> Iterator[Recorder]:
    with _http_server(Recorder(), _fcm_answer) as recorder:
        yield recorder


def _webpush_answer(item: Recorded) -> tuple[int, dict[str, str], Any]:
    if item.path.split("/")[-1].startswith("dead"):
        return 410, {}, None
    return 201, {"Location": f"/messages/{uuid.uuid4().hex[:8]}"}, None


@contextmanager
def webpush_server() -> Iterator[Recorder]:
    with _http_server(Recorder(), _webpush_answer) as recorder:
        yield recorder


# --- APNs: HTTP/2 (h2c, prior knowledge) served by hypercorn ---------------------------


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


@contextmanager
def apns_server() -> Iterator[Recorder]:
    from hypercorn.asyncio import serve
    from hypercorn.config import Config

    recorder = Recorder()

    async def app(scope: dict[str, Any], receive: Any, send: Any) -> None:
        if scope["type"] != "http":
            return
        body = b""
        while True:
            event = await receive()
            body += event.get("body", b"")
            if not event.get("more_body"):
                break
        headers = {k.decode().lower(): v.decode() for k, v in scope["headers"]}
        recorder.requests.append(
            Recorded(scope["method"], scope["path"], headers, body, scope["http_version"])
        )
        token = scope["path"].rsplit("/", 1)[-1]
        if token.startswith("dead"):
            status, payload = 410, {"reason": "Unregistered", "timestamp": int(time.time() * 1000)}
        elif token.startswith("busy"):
            status, payload = 503, {"reason": "ServiceUnavailable"}
        elif scope["http_version"] != "2":
            status, payload = 400, {"reason": "HTTP/2 required"}
        else:
            status, payload = 200, None
        raw = json.dumps(payload).encode() if payload else b""
        answer_headers = [(b"apns-id", str(uuid.uuid4()).upper().encode())]
        if raw:
            answer_headers.append((b"content-type", b"application/json"))
        await send({"type": "http.response.start", "status": status, "headers": answer_headers})
        await send({"type": "http.response.body", "body": raw})

    port = _free_port()
    config = Config()
    config.bind = [f"127.0.0.1:{port}"]
    config.loglevel = "WARNING"
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()

    def run() -> None:
        asyncio.set_event_loop(loop)
        loop.run_until_complete(serve(app, config, shutdown_trigger=stop.wait))  # type: ignore[arg-type]

    thread = threading.Thread(target=run, daemon=True)
    thread.start()
    for _ in range(100):
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.1).close()
            break
        except OSError:
            time.sleep(0.05)
    recorder.base_url = f"http://127.0.0.1:{port}"
    try:
        yield recorder
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(timeout=5)
