"""A local LINE Platform for tests and for trying Sangdam out (``sangdam fake-providers``).

It plays the parts of the Messaging API the LINE connector calls, in LINE's documented
format: reply and push (``api.line.me``), message content (``api-data.line.me``: both hosts
are this one server), user profiles and the bot's own info. It checks the channel access
token like LINE does, remembers every request it got, and hands out reply tokens the way
LINE does: single-use and short-lived.

It can also play the other direction: :meth:`FakeLine.webhook` builds a webhook body with
fresh ids and a valid reply token, and :func:`signature` signs it with the channel secret
(``X-Line-Signature``), so a test or the demo can post a customer's message to Sangdam.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re
import secrets
import threading
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any

FIXTURES = Path(__file__).parent / "fixtures"
REPLY_TOKEN_SECONDS = 60  # how long the fake honours a reply token it issued
# A 1×1 PNG: the fake's profile pictures and default media.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)

FAKE_ACCESS_TOKEN = "fake-line-channel-access-token"  # noqa: S105 (a fake's)
DEMO_USER = "U0123456789abcdef0123456789abcdef"
_AUTH_FAILED = (
    "Authentication failed. Confirm that the access token in the authorization header is valid."
)


def signature(channel_secret: str, body: bytes) -> str:
    """``X-Line-Signature``: base64(HMAC-SHA256(channel secret, raw body))."""
    digest = hmac.new(channel_secret.encode(), body, hashlib.sha256).digest()
    return base64.b64encode(digest).decode()


def load_fixture(name: str) -> dict[str, Any]:
    """A webhook body from ``fixtures/<name>.json`` (LINE's documented format)."""
    data: dict[str, Any] = json.loads((FIXTURES / f"{name}.json").read_text("utf-8"))
    return data


@dataclass
class Received:
    """One request the fake got."""

    method: str
    path: str
    headers: dict[str, str]
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body) if self.body else None


@dataclass
class Profile:
    user_id: str
    display_name: str
    language: str = "ko"
    status_message: str = ""
    picture: bool = True


@dataclass
class _Failure:
    status: int
    body: dict[str, Any]
    headers: dict[str, str] = field(default_factory=dict)


class FakeLine:
    """The fake LINE Platform. Use as a context manager, or ``start()`` / ``stop()``."""

    def __init__(
        self,
        *,
        access_token: str = FAKE_ACCESS_TOKEN,
        basic_id: str = "@sangdam",
        bot_name: str = "Sangdam",
        host: str = "127.0.0.1",
        port: int = 0,
        hook_url: str = "",
        channel_secret: str = "",
        log: Callable[[str], None] | None = None,
    ) -> None:
        self.access_token = access_token
        self.basic_id = basic_id
        self.bot_name = bot_name
        # Where a simulated customer's messages go (``POST /_fake/customer``): Sangdam's
        # webhook URL for the channel, signed with its channel secret.
        self.hook_url = hook_url
        self.channel_secret = channel_secret
        self.log = log
        self.bot_user_id = "U" + hashlib.md5(basic_id.encode(), usedforsecurity=False).hexdigest()
        self.received: list[Received] = []
        self.profiles: dict[str, Profile] = {}
        self.contents: dict[str, tuple[bytes, str]] = {}
        self._reply_tokens: dict[str, float] = {}  # token -> issued at (monotonic)
        self._retry_keys: dict[str, str] = {}  # X-Line-Retry-Key -> request id
        self._failures: dict[str, list[_Failure]] = {}
        self._lock = threading.Lock()
        self._server = ThreadingHTTPServer((host, port), _handler(self))
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    # --- lifecycle -------------------------------------------------------------------

    @property
    def url(self) -> str:
        host, port = self._server.server_address[:2]
        return f"http://{host!s}:{port}"

    def start(self) -> FakeLine:
        self._thread = threading.Thread(
            target=self._server.serve_forever, name="fake-line", daemon=True
        )
        self._thread.start()
        return self

    def stop(self) -> None:
        self._server.shutdown()
        self._server.server_close()

    def __enter__(self) -> FakeLine:
        return self.start()

    def __exit__(self, *exc: object) -> None:
        self.stop()

    # --- what tests arrange ----------------------------------------------------------

    def add_profile(self, user_id: str, display_name: str, **kwargs: Any) -> Profile:
        profile = Profile(user_id=user_id, display_name=display_name, **kwargs)
        self.profiles[user_id] = profile
        return profile

    def add_content(self, message_id: str, content: bytes, content_type: str) -> None:
        """What the content API returns for a customer's image, video, audio or file."""
        self.contents[message_id] = (content, content_type)

    def reply_token(self) -> str:
        """A reply token as LINE puts in a webhook event: usable once, for a minute."""
        token = secrets.token_hex(16)
        with self._lock:
            self._reply_tokens[token] = time.monotonic()
        return token

    def expire_reply_tokens(self) -> None:
        with self._lock:
            self._reply_tokens.clear()

    def fail_next(
        self,
        path_prefix: str,
        status: int,
        message: str = "Internal error",
        *,
        retry_after: int | None = None,
    ) -> None:
        """Answer the next request under ``path_prefix`` with an error in LINE's format."""
        headers = {"Retry-After": str(retry_after)} if retry_after is not None else {}
        with self._lock:
            self._failures.setdefault(path_prefix, []).append(
                _Failure(status, {"message": message}, headers)
            )

    def webhook(
        self,
        fixture: str,
        *,
        user_id: str | None = None,
        message_id: str | None = None,
        text: str | None = None,
        redelivery: bool | None = None,
    ) -> bytes:
        """A webhook body from a fixture, with fresh ids, timestamp and reply token."""
        body = load_fixture(fixture)
        body["destination"] = self.bot_user_id
        for event in body["events"]:
            event["webhookEventId"] = _ulid()
            event["timestamp"] = int(time.time() * 1000)
            if "replyToken" in event:
                event["replyToken"] = self.reply_token()
            if user_id:
                event["source"]["userId"] = user_id
            if redelivery is not None:
                event["deliveryContext"]["isRedelivery"] = redelivery
            message = event.get("message")
            if message is not None:
                message["id"] = message_id or str(secrets.randbelow(10**17) + 10**17)
                if text is not None and message["type"] == "text":
                    message["text"] = text
        return json.dumps(body, ensure_ascii=False).encode()

    def customer_says(self, text: str, *, user_id: str = DEMO_USER) -> int:
        """Post a customer's text message to Sangdam's webhook, signed; Sangdam's status."""
        import httpx

        if user_id not in self.profiles:
            self.add_profile(user_id, "LINE 고객", language="ko")
        body = self.webhook("text", user_id=user_id, text=text)
        response = httpx.post(
            self.hook_url,
            content=body,
            headers={
                "Content-Type": "application/json",
                "X-Line-Signature": signature(self.channel_secret, body),
            },
            timeout=10,
        )
        return response.status_code

    # --- what tests read -------------------------------------------------------------

    def calls(self, path_prefix: str) -> list[Received]:
        with self._lock:
            return [r for r in self.received if r.path.startswith(path_prefix)]

    @property
    def replies(self) -> list[dict[str, Any]]:
        return [r.json() for r in self.calls("/v2/bot/message/reply")]

    @property
    def pushes(self) -> list[dict[str, Any]]:
        return [r.json() for r in self.calls("/v2/bot/message/push")]

    # --- the server side -------------------------------------------------------------

    def _answer(self, method: str, path: str, headers: dict[str, str], body: bytes) -> _Answer:
        with self._lock:
            self.received.append(Received(method, path, headers, body))
            for prefix, queue in self._failures.items():
                if path.startswith(prefix) and queue:
                    failure = queue.pop(0)
                    return _Answer.of_json(failure.status, failure.body, failure.headers)
        if path.startswith("/_fake/picture/"):
            return _Answer(200, PNG, "image/png")
        if method == "POST" and path == "/_fake/customer" and self.hook_url:
            try:
                text = str(json.loads(body).get("text") or "")
            except (ValueError, AttributeError):
                text = ""
            if not text:
                return _Answer.of_json(400, {"message": 'send {"text": "..."}'})
            return _Answer.of_json(200, {"sangdam_status": self.customer_says(text)})
        if headers.get("authorization") != f"Bearer {self.access_token}":
            return _Answer.of_json(401, {"message": _AUTH_FAILED})
        if method == "POST" and path == "/v2/bot/message/reply":
            return self._reply(body)
        if method == "POST" and path == "/v2/bot/message/push":
            return self._push(body, headers.get("x-line-retry-key", ""))
        if method == "GET" and path == "/v2/bot/info":
            return _Answer.of_json(
                200,
                {
                    "userId": self.bot_user_id,
                    "basicId": self.basic_id,
                    "displayName": self.bot_name,
                    "pictureUrl": f"{self.url}/_fake/picture/{self.bot_user_id}",
                    "chatMode": "chat",
                    "markAsReadMode": "auto",
                },
            )
        if method == "GET" and (match := re.fullmatch(r"/v2/bot/profile/(\w+)", path)):
            profile = self.profiles.get(match[1])
            if profile is None:
                return _Answer.of_json(404, {"message": "Not found"})
            data: dict[str, Any] = {
                "displayName": profile.display_name,
                "userId": profile.user_id,
                "language": profile.language,
            }
            if profile.picture:
                data["pictureUrl"] = f"{self.url}/_fake/picture/{profile.user_id}"
            if profile.status_message:
                data["statusMessage"] = profile.status_message
            return _Answer.of_json(200, data)
        if method == "GET" and (match := re.fullmatch(r"/v2/bot/message/(\d+)/content", path)):
            stored = self.contents.get(match[1])
            if stored is None:
                return _Answer.of_json(404, {"message": "Not found"})
            return _Answer(200, stored[0], stored[1])
        if method == "GET" and re.fullmatch(r"/v2/bot/message/(\d+)/content/transcoding", path):
            return _Answer.of_json(200, {"status": "succeeded"})
        return _Answer.of_json(404, {"message": "Not found"})

    def _say(self, line: str) -> None:
        if self.log is not None:
            self.log(line)

    def _check_messages(self, payload: Any) -> str:
        messages = payload.get("messages") if isinstance(payload, dict) else None
        if not isinstance(messages, list) or not 1 <= len(messages) <= 5:
            return "Size must be between 1 and 5"
        for item in messages:
            kind = item.get("type") if isinstance(item, dict) else None
            if kind == "text" and not 0 < len(str(item.get("text", ""))) <= 5000:
                return "Length must be between 1 and 5000"
            if kind == "image" and not (
                str(item.get("originalContentUrl", "")).startswith("https://")
                and str(item.get("previewImageUrl", "")).startswith("https://")
            ):
                return "Image URLs must be HTTPS"
            if kind not in {"text", "image", "sticker", "location", "video", "audio"}:
                return f"Unknown message type: {kind}"
        return ""

    def _sent(self, payload: dict[str, Any]) -> dict[str, Any]:
        return {
            "sentMessages": [
                {"id": str(secrets.randbelow(10**17) + 10**17), "quoteToken": secrets.token_hex(8)}
                for _ in payload["messages"]
            ]
        }

    def _reply(self, body: bytes) -> _Answer:
        try:
            payload = json.loads(body)
        except ValueError:
            return _Answer.of_json(400, {"message": "The request body has 1 error(s)"})
        problem = self._check_messages(payload)
        if problem:
            return _Answer.of_json(
                400,
                {
                    "message": "The request body has 1 error(s)",
                    "details": [{"message": problem, "property": "messages"}],
                },
            )
        token = str(payload.get("replyToken", ""))
        with self._lock:
            issued = self._reply_tokens.pop(token, None)
        if issued is None or time.monotonic() - issued > REPLY_TOKEN_SECONDS:
            return _Answer.of_json(400, {"message": "Invalid reply token"})
        self._say(f"LINE reply: {_texts(payload)}")
        return _Answer.of_json(200, self._sent(payload))

    def _push(self, body: bytes, retry_key: str) -> _Answer:
        try:
            payload = json.loads(body)
        except ValueError:
            return _Answer.of_json(400, {"message": "The request body has 1 error(s)"})
        problem = self._check_messages(payload)
        if problem:
            return _Answer.of_json(
                400,
                {
                    "message": "The request body has 1 error(s)",
                    "details": [{"message": problem, "property": "messages"}],
                },
            )
        if not re.fullmatch(r"U[0-9a-f]{32}", str(payload.get("to", ""))):
            return _Answer.of_json(400, {"message": "Failed to send messages"})
        answer = self._sent(payload)
        if retry_key:
            with self._lock:
                accepted = self._retry_keys.get(retry_key)
                if accepted is None:
                    self._retry_keys[retry_key] = str(uuid.uuid4())
            if accepted is not None:
                # LINE: the request with this key was already accepted; nothing is resent.
                return _Answer.of_json(
                    409,
                    {"message": "The retry key is already accepted"},
                    {"x-line-accepted-request-id": accepted},
                )
        self._say(f"LINE push to {payload['to']}: {_texts(payload)}")
        return _Answer.of_json(200, answer)


def _texts(payload: dict[str, Any]) -> str:
    return " | ".join(
        str(m.get("text") or m.get("originalContentUrl") or m.get("type"))
        for m in payload["messages"]
    )


@dataclass
class _Answer:
    status: int
    body: bytes
    content_type: str
    headers: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of_json(
        cls, status: int, data: dict[str, Any], headers: dict[str, str] | None = None
    ) -> _Answer:
        return cls(status, json.dumps(data).encode(), "application/json", headers or {})


def _handler(fake: FakeLine) -> type[BaseHTTPRequestHandler]:
    class Handler(BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def _serve(self) -> None:
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(length) if length else b""
            headers = {k.lower(): v for k, v in self.headers.items()}
            answer = fake._answer(self.command, self.path.split("?")[0], headers, body)
            self.send_response(answer.status)
            self.send_header("Content-Type", answer.content_type)
            self.send_header("Content-Length", str(len(answer.body)))
            self.send_header("x-line-request-id", str(uuid.uuid4()))
            for name, value in answer.headers.items():
                self.send_header(name, value)
            self.end_headers()
            self.wfile.write(answer.body)

        do_GET = _serve
        do_POST = _serve

        def log_message(self, format: str, *args: object) -> None:
            pass

    return Handler


_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def _ulid() -> str:
    """A ULID, the shape of LINE's ``webhookEventId``."""
    value = (int(time.time() * 1000) << 80) | secrets.randbits(80)
    return "".join(_CROCKFORD[(value >> shift) & 31] for shift in range(125, -1, -5))
