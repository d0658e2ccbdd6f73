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
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sangdam.connectors.fakes import Call, FakeProvider

FIXTURES = Path(__file__).parent / "fixtures"
REPLY_TOKEN_SECONDS = 60  # how long the fake honours a reply token it issued
# A 1×1 PNG: the fake's profile pictures and default media.
PNG = base64.b64decode(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg=="
)

FAKE_ACCESS_TOKEN = "fake-line-channel-access-token"  # noqa: S105 (a fake's)
DEMO_USER = "U0123456789abcdef0123456789abcdef"
Answer = tuple[int, str, bytes]
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
class Profile:
    user_id: str
    display_name: str
    language: str = "ko"
    status_message: str = ""
    picture: bool = True


class FakeLine(FakeProvider):
    """The fake LINE Platform. Use as a context manager, or ``start()`` / ``stop()``."""

    kind = "line"

    def __init__(
        self,
        *,
        access_token: str = FAKE_ACCESS_TOKEN,
        other_tokens: tuple[str, ...] = (),
        basic_id: str = "@sangdam",
        bot_name: str = "Sangdam",
        host: str = "127.0.0.1",
        port: int = 0,
        hook_url: str = "",
        channel_secret: str = "",
        log: Callable[[str], None] | None = None,
    ) -> None:
        super().__init__(host=host, port=port)
        self.access_token = access_token
        self.tokens = {access_token, *other_tokens}
        self.basic_id = basic_id
        self.bot_name = bot_name
        # Where a simulated customer's messages go (``POST /_fake/customer``): Sangdam's
        # webhook URL for the channel, signed with its channel secret.
        self.hook_url = hook_url
        self.channel_secret = channel_secret
        self.log = log
        self.bot_user_id = "U" + hashlib.md5(basic_id.encode(), usedforsecurity=False).hexdigest()
        self.profiles: dict[str, Profile] = {}
        self.contents: dict[str, tuple[bytes, str]] = {}
        self._reply_tokens: dict[str, float] = {}  # token -> issued at (monotonic)
        self._retry_keys: dict[str, str] = {}  # X-Line-Retry-Key -> request id
        self._failures: dict[str, list[tuple[int, str]]] = {}
        self._lock = threading.Lock()

    def __enter__(self) -> FakeLine:
        self.start()
        return self

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

    def fail_next(self, path_prefix: str, status: int, message: str = "Internal error") -> None:
        """Answer the next request under ``path_prefix`` with an error in LINE's format."""
        with self._lock:
            self._failures.setdefault(path_prefix, []).append((status, message))

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

    def calls_under(self, path_prefix: str) -> list[Call]:
        with self.lock:
            return [c for c in self.calls if c.path.startswith(path_prefix)]

    @property
    def replies(self) -> list[dict[str, Any]]:
        return [c.json() for c in self.calls_under("/v2/bot/message/reply")]

    @property
    def pushes(self) -> list[dict[str, Any]]:
        return [c.json() for c in self.calls_under("/v2/bot/message/push")]

    # --- the server side -------------------------------------------------------------

    def answer(self, call: Call) -> Answer:
        method, path, body = call.method, call.path, call.body
        with self._lock:
            for prefix, queue in self._failures.items():
                if path.startswith(prefix) and queue:
                    status, message = queue.pop(0)
                    return self.json_answer({"message": message}, status)
        if path.startswith("/_fake/picture/"):
            return 200, "image/png", PNG
        if method == "POST" and path == "/_fake/customer" and self.hook_url:
            return self._customer(body)
        if call.headers.get("authorization", "").removeprefix("Bearer ") not in self.tokens:
            return self.json_answer({"message": _AUTH_FAILED}, 401)
        if method == "POST" and path == "/v2/bot/message/reply":
            return self._reply(body)
        if method == "POST" and path == "/v2/bot/message/push":
            return self._push(body, call.headers.get("x-line-retry-key", ""))
        if method == "GET" and path == "/v2/bot/info":
            return self.json_answer(
                {
                    "userId": self.bot_user_id,
                    "basicId": self.basic_id,
                    "displayName": self.bot_name,
                    "pictureUrl": f"{self.url}/_fake/picture/{self.bot_user_id}",
                    "chatMode": "chat",
                    "markAsReadMode": "auto",
                }
            )
        if method == "GET" and (match := re.fullmatch(r"/v2/bot/profile/(\w+)", path)):
            return self._profile(match[1])
        if method == "GET" and (match := re.fullmatch(r"/v2/bot/message/(\d+)/content", path)):
            stored = self.contents.get(match[1])
            if stored is None:
                return self.json_answer({"message": "Not found"}, 404)
            return 200, stored[1], stored[0]
        if method == "GET" and re.fullmatch(r"/v2/bot/message/(\d+)/content/transcoding", path):
            return self.json_answer({"status": "succeeded"})
        return self.json_answer({"message": "Not found"}, 404)

    def _profile(self, user_id: str) -> Answer:
        profile = self.profiles.get(user_id)
        if profile is None:
            return self.json_answer({"message": "Not found"}, 404)
        data: dict[str, Any] = {
            "displayName": profile.display_name,
            "userId": profile.user_id,
            "language": profile.language,
        }
        if profile.picture:
            data["pictureUrl"] = f"{self.url}/_fake/picture/{profile.user_id}"
        if profile.status_message:
            data["statusMessage"] = profile.status_message
        return self.json_answer(data)

    def _customer(self, body: bytes) -> Answer:
        try:
            text = str(json.loads(body).get("text") or "")
        except (ValueError, AttributeError):
            text = ""
        if not text:
            return self.json_answer({"message": 'send {"text": "..."}'}, 400)
        return self.json_answer({"sangdam_status": self.customer_says(text)})

    def _say(self, line: str) -> None:
        if self.log is not None:
            self.log(line)

    def _problem(self, payload: Any) -> str:
        """What LINE would object to in a reply or push body ("" when fine)."""
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

    def _read(self, body: bytes) -> tuple[dict[str, Any], Answer | None]:
        try:
            payload = json.loads(body)
        except ValueError:
            return {}, self.json_answer({"message": "The request body has 1 error(s)"}, 400)
        problem = self._problem(payload)
        if problem:
            details = [{"message": problem, "property": "messages"}]
            return {}, self.json_answer(
                {"message": "The request body has 1 error(s)", "details": details}, 400
            )
        return payload, None

    def _sent(self, payload: dict[str, Any]) -> Answer:
        return self.json_answer(
            {
                "sentMessages": [
                    {
                        "id": str(secrets.randbelow(10**17) + 10**17),
                        "quoteToken": secrets.token_hex(8),
                    }
                    for _ in payload["messages"]
                ]
            }
        )

    def _reply(self, body: bytes) -> Answer:
        payload, error = self._read(body)
        if error is not None:
            return error
        token = str(payload.get("replyToken", ""))
        with self._lock:
            issued = self._reply_tokens.pop(token, None)
        if issued is None or time.monotonic() - issued > REPLY_TOKEN_SECONDS:
            return self.json_answer({"message": "Invalid reply token"}, 400)
        self._say(f"LINE reply: {_texts(payload)}")
        return self._sent(payload)

    def _push(self, body: bytes, retry_key: str) -> Answer:
        payload, error = self._read(body)
        if error is not None:
            return error
        if not re.fullmatch(r"U[0-9a-f]{32}", str(payload.get("to", ""))):
            return self.json_answer({"message": "Failed to send messages"}, 400)
        if retry_key:
            with self._lock:
                seen = retry_key in self._retry_keys
                self._retry_keys.setdefault(retry_key, str(uuid.uuid4()))
            if seen:
                # LINE: a request with this key was accepted already; nothing is resent.
                return self.json_answer({"message": "The retry key is already accepted"}, 409)
        self._say(f"LINE push to {payload['to']}: {_texts(payload)}")
        return self._sent(payload)


def _texts(payload: dict[str, Any]) -> str:
    return " | ".join(
        str(m.get("text") or m.get("originalContentUrl") or m.get("type"))
        for m in payload["messages"]
    )


_CROCKFORD = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"


def _ulid() -> str:
    """A ULID, the shape of LINE's ``webhookEventId``."""
    value = (int(time.time() * 1000) << 80) | secrets.randbits(80)
    return "".join(_CROCKFORD[(value >> shift) & 31] for shift in range(125, -1, -5))


def for_demo() -> FakeLine:
    """The fake ``sangdam fake-providers`` runs: it accepts every LINE channel's token, and
    ``POST /_fake/customer {"text": ...}`` sends a customer's message to the first one."""
    from django.conf import settings
    from django.urls import reverse

    from sangdam.connectors.models import Channel

    channels = list(Channel.objects.filter(kind="line", enabled=True).order_by("pk"))
    tokens = tuple(str((c.secrets or {}).get("channel_access_token") or "") for c in channels)
    first = channels[0] if channels else None
    fake = FakeLine(
        other_tokens=tuple(t for t in tokens if t),
        basic_id=str((first.config or {}).get("basic_id") or "@sangdam") if first else "@sangdam",
        hook_url=(
            settings.SITE_URL.rstrip("/")
            + reverse("hooks:hook", kwargs={"kind": "line", "key": first.key})
            if first
            else ""
        ),
        channel_secret=str((first.secrets or {}).get("channel_secret") or "") if first else "",
        log=print,
    )
    fake.add_profile(DEMO_USER, "LINE 고객", language="ko")
    return fake
