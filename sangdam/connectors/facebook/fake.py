"""A local Graph API for Messenger and Instagram: tests and ``sangdam fake-providers``.

It answers what the connectors call, in Meta's documented formats, and records every
request it got:

- ``GET /<version>/me`` — the page (and its linked Instagram account);
- ``GET /<version>/<user id>?fields=…`` — a user profile (Messenger or Instagram fields);
- ``POST /<version>/me/messages`` — the Send API, JSON or multipart ``filedata``;
- ``POST /<version>/me/message_attachments`` — the Attachment Upload API;
- ``GET /media/<name>`` — media files, for the URLs put into webhook payloads.

The page access token is checked (Bearer header or ``access_token``): a wrong one gets
Graph's error 190. Recipients named ``expired…`` get the outside-the-window error
(10/2018278), ``gone…`` the unavailable person error (551), ``busy…`` a transient error (2).

It can also play Meta's side of the webhook (:meth:`FakeGraph.post_webhook`): sign a body
with the app secret and POST it to Sangdam, and, with ``auto_receipts``, answer every Send
API call with the echo, delivery and read webhooks Meta would send.
"""

from __future__ import annotations

import copy
import email.parser
import email.policy
import hashlib
import hmac
import json
import threading
import time
import uuid
from collections.abc import Callable
from contextlib import suppress
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs

import httpx

from sangdam.connectors.fakes import Call, FakeProvider

FIXTURES = Path(__file__).parent / "fixtures"
CDN_HOSTS = (
    "https://scontent.xx.fbcdn.net",
    "https://cdn.fbsbx.com",
    "https://lookaside.fbsbx.com",
)
PAGE_ID = "105730128867233"
IG_ACCOUNT_ID = "17841405822304914"
PAGE_TOKEN = "EAAGfake-page-token"  # noqa: S105 (a fake server's token)
APP_SECRET = "fake-app-secret"  # noqa: S105
VERIFY_TOKEN = "fake-verify-token"  # noqa: S105

# A 1x1 PNG: the avatar and the default media file.
PNG = bytes.fromhex(
    "89504e470d0a1a0a0000000d4948445200000001000000010806000000"
    "1f15c4890000000d49444154789c6360f8cfc0f01f0005000201e2277d"
    "cb0000000049454e44ae426082"
)


def load_fixture(name: str, *, media_base: str = "") -> dict[str, Any]:
    """A webhook fixture; with ``media_base``, Meta's CDN hosts point at a fake server."""
    raw = (FIXTURES / f"{name}.json").read_text()
    if media_base:
        for host in CDN_HOSTS:
            raw = raw.replace(host, media_base.rstrip("/") + "/media")
    data: dict[str, Any] = json.loads(raw)
    return data


def sign(app_secret: str, body: bytes) -> str:
    return "sha256=" + hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()


@dataclass
class Received:
    method: str
    path: str
    query: dict[str, str]
    headers: dict[str, str]
    body: bytes
    form: dict[str, str] = field(default_factory=dict)
    files: dict[str, tuple[str, str, bytes]] = field(default_factory=dict)  # name, type, data

    def json(self) -> Any:
        return json.loads(self.body)

    def payload(self) -> dict[str, Any]:
        """The Send API request as one dict, whether it came as JSON or multipart."""
        if self.form:
            return {k: _maybe_json(v) for k, v in self.form.items()}
        data = self.json()
        return data if isinstance(data, dict) else {}


def _maybe_json(value: str) -> Any:
    try:
        return json.loads(value)
    except ValueError:
        return value


class FakeGraph(FakeProvider):
    """One fake Graph API: its page, users, media and what it received."""

    kind = "facebook"

    def __init__(
        self,
        host: str = "127.0.0.1",
        port: int = 0,
        *,
        page_id: str = PAGE_ID,
        page_name: str = "Example Shop",
        ig_account_id: str = IG_ACCOUNT_ID,
        ig_username: str = "example.shop",
        token: str = PAGE_TOKEN,
        app_secret: str = APP_SECRET,
    ) -> None:
        super().__init__(host, port)
        self.page_id = page_id
        self.page_name = page_name
        self.ig_account_id = ig_account_id
        self.ig_username = ig_username
        self.token = token
        self.app_secret = app_secret
        self.profiles: dict[str, dict[str, Any]] = {}
        self.media: dict[str, tuple[str, bytes]] = {}  # name → (content type, bytes)
        self.received: list[Received] = []  # Graph API calls (media downloads left out)
        # Where Meta's webhooks go (``post_webhook``); with ``auto_receipts`` every send is
        # followed by the echo, delivery and read events Meta would send.
        self.webhook_urls: dict[str, str] = {}  # "page" | "instagram" → Sangdam's hook URL
        self.auto_receipts = False
        # Users who wrote on Instagram (their receipts are Instagram-shaped), or all of
        # them when this fake plays an Instagram channel's API.
        self.ig_users: set[str] = set()
        self.instagram = False

    @property
    def base_url(self) -> str:
        return self.url

    # --- what tests look at --------------------------------------------------------------

    def sends(self) -> list[Received]:
        return [r for r in self.received if r.method == "POST" and r.path.endswith("/messages")]

    def add_media(self, name: str, content: bytes, content_type: str) -> str:
        self.media[name] = (content_type, content)
        return f"{self.base_url}/media/{name}"

    # --- Meta's side of the webhook ------------------------------------------------------

    def post_webhook(self, url: str, payload: dict[str, Any] | bytes) -> httpx.Response:
        body = payload if isinstance(payload, bytes) else json.dumps(payload).encode()
        return httpx.post(
            url,
            content=body,
            headers={
                "Content-Type": "application/json",
                "X-Hub-Signature-256": sign(self.app_secret, body),
            },
            timeout=10,
        )

    def _after_send(
        self, recipient: str, mid: str, message: dict[str, Any], instagram: bool
    ) -> None:
        obj = "instagram" if instagram else "page"
        url = self.webhook_urls.get(obj, "")
        if not (self.auto_receipts and url):
            return
        account = self.ig_account_id if instagram else self.page_id

        def event(sender: str, to: str, body: dict[str, Any], ts: int) -> dict[str, Any]:
            item = {"sender": {"id": sender}, "recipient": {"id": to}, "timestamp": ts, **body}
            return {"object": obj, "entry": [{"id": account, "time": ts, "messaging": [item]}]}

        def post_all() -> None:
            # After Sangdam has recorded the message id the send returned; stamped then, as
            # the customer's phone would (a read watermark covers what was sent before it).
            time.sleep(0.5)
            now = int(time.time() * 1000)
            echo = {"message": {"is_echo": True, "mid": mid, **message}}
            events = [event(account, recipient, echo, now)]
            if instagram:
                events.append(event(recipient, account, {"read": {"mid": mid}}, now + 2))
            else:
                delivery = {"delivery": {"mids": [mid], "watermark": now + 1}}
                events.append(event(recipient, account, delivery, now + 1))
                events.append(event(recipient, account, {"read": {"watermark": now + 2}}, now + 2))
            for item in events:
                with suppress(httpx.HTTPError):
                    self.post_webhook(url, item)

        threading.Thread(target=post_all, daemon=True).start()

    # --- the Graph API -------------------------------------------------------------------

    def answer(self, call: Call) -> tuple[int, str, bytes]:
        req = _received(call)
        if req.path == "/" or req.path.startswith("/_fake/"):
            return self._console(req)
        if not req.path.startswith("/media/"):
            with self.lock:
                self.received.append(req)
        status, headers, body = self._answer(req)
        return status, headers.get("Content-Type", "application/json"), body

    # --- a small console for people trying the demo (and for browser tests) --------------

    def _console(self, req: Received) -> tuple[int, str, bytes]:
        """``GET /``: a form to write as a customer; ``POST /_fake/customer-writes``: send
        that message to Sangdam as Meta would; ``GET /_fake/sent``: the replies received."""
        obj = "instagram" if self.instagram else "page"
        if req.method == "GET" and req.path == "/_fake/sent":
            sent = [r.payload() for r in self.sends()]
            return 200, "application/json", json.dumps(sent, ensure_ascii=False).encode()
        if req.method == "POST" and req.path == "/_fake/customer-writes":
            data = req.form or (json.loads(req.body or b"{}") if req.body else {})
            text = str(data.get("text") or "").strip() or "Hello!"
            sender = str(data.get("sender") or "").strip() or "7000000000000001"
            url = self.webhook_urls.get(obj, "")
            if not url:
                return 409, "text/plain", b"no channel webhook URL is known to this fake"
            payload = customer_event(self, text, sender=sender, instagram=self.instagram)
            try:
                status = self.post_webhook(url, payload).status_code
            except httpx.HTTPError as exc:
                return 502, "text/plain", f"Sangdam did not answer: {exc}".encode()
            if req.form:
                return (
                    200,
                    "text/html; charset=utf-8",
                    _PAGE.format(
                        title=self.page_name, note=f"Sent; Sangdam answered {status}."
                    ).encode(),
                )
            return 200, "application/json", json.dumps({"sangdam_status": status}).encode()
        if req.method == "GET" and req.path == "/":
            return (
                200,
                "text/html; charset=utf-8",
                _PAGE.format(title=self.page_name, note="").encode(),
            )
        return 404, "text/plain", b"not found"

    def _answer(self, req: Received) -> tuple[int, dict[str, str], bytes]:
        path = req.path
        if path.startswith("/media/"):
            item = self.media.get(path.removeprefix("/media/"))
            if item is None and path.startswith("/media/v/"):
                item = ("image/png", PNG)  # a fixture's CDN URL: any image will do
            if item is None:
                return 404, {"Content-Type": "text/plain"}, b"not found"
            return 200, {"Content-Type": item[0]}, item[1]
        if not self._token_ok(req):
            return _error(
                400, "Invalid OAuth access token - Cannot parse access token", "OAuthException", 190
            )
        parts = [x for x in path.split("/") if x]
        if len(parts) < 2:
            return _error(400, "Unknown path components", "OAuthException", 2500)
        tail = parts[1:]
        if req.method == "GET" and tail == ["me"]:
            return _ok(self._me(req.query.get("fields", "id,name")))
        if req.method == "POST" and tail[-1] == "messages":
            return self._send(req)
        if req.method == "POST" and tail[-1] == "message_attachments":
            return _ok({"attachment_id": str(1000000 + len(self.received))})
        if req.method == "GET" and len(tail) == 1:
            return self._profile(tail[0], req.query.get("fields", ""))
        return _error(400, f"Unsupported {req.method} request", "GraphMethodException", 100)

    def _token_ok(self, req: Received) -> bool:
        given = req.query.get("access_token", "")
        auth = req.headers.get("authorization", "")
        if auth.lower().startswith(("bearer ", "oauth ")):
            given = auth.split(" ", 1)[1].strip()
        return hmac.compare_digest(given.encode(), self.token.encode())

    def _me(self, fields: str) -> dict[str, Any]:
        me: dict[str, Any] = {"id": self.page_id, "name": self.page_name}
        if "instagram_business_account" in fields:
            me["instagram_business_account"] = {
                "id": self.ig_account_id,
                "username": self.ig_username,
            }
        return me

    def _profile(self, user_id: str, fields: str) -> tuple[int, dict[str, str], bytes]:
        if user_id.startswith("private"):
            return _error(
                400, "User consent is required to access user profile", "OAuthException", 230
            )
        profile = self.profiles.get(user_id) or {
            "first_name": "Customer",
            "last_name": user_id[-4:],
            "name": f"Customer {user_id[-4:]}",
            "username": f"customer_{user_id[-4:]}",
        }
        data = {
            "id": user_id,
            "profile_pic": f"{self.base_url}/media/avatar-{user_id}.png",
            **profile,
        }
        wanted = {f.strip() for f in fields.split(",") if f.strip()} | {"id"}
        return _ok({k: v for k, v in data.items() if k in wanted})

    def _send(self, req: Received) -> tuple[int, dict[str, str], bytes]:
        payload = req.payload()
        recipient = str((payload.get("recipient") or {}).get("id") or "")
        message = payload.get("message") or {}
        if not recipient:
            return _error(400, "(#100) The parameter recipient is required", "OAuthException", 100)
        if not isinstance(message, dict) or not (message.get("text") or message.get("attachment")):
            return _error(
                400, "(#100) Must send either message or sender action", "OAuthException", 100
            )
        if message.get("attachment") and req.form and "filedata" not in req.files:
            payload_ = (message["attachment"] or {}).get("payload") or {}
            if not (payload_.get("url") or payload_.get("attachment_id")):
                return _error(400, "(#100) Upload attachment failure.", "OAuthException", 100)
        if len(str(message.get("text") or "")) > 2000:
            return _error(
                400,
                "(#100) Length of param message[text] must be less than or equal to 2000",
                "OAuthException",
                100,
            )
        if payload.get("messaging_type") == "MESSAGE_TAG" and payload.get("tag") != "HUMAN_AGENT":
            return _error(400, "(#100) Tag is not supported", "OAuthException", 100)
        if recipient.startswith("expired"):
            return _error(
                400,
                "(#10) This message is sent outside of allowed window.",
                "OAuthException",
                10,
                subcode=2018278,
            )
        if recipient.startswith("gone"):
            return _error(
                400, "(#551) This person isn't available right now.", "OAuthException", 551
            )
        if recipient.startswith("busy"):
            return _error(
                500,
                "An unexpected error has occurred. Please retry your request later.",
                "OAuthException",
                2,
                transient=True,
            )
        mid = "m_" + uuid.uuid4().hex
        instagram = self.instagram or recipient in self.ig_users
        self._after_send(
            recipient, mid, {k: v for k, v in message.items() if k == "text"}, instagram
        )
        return _ok({"recipient_id": recipient, "message_id": mid})


_PAGE = """<!doctype html><meta charset="utf-8"><title>Fake Meta: {title}</title>
<h1>Write to {title} as a customer</h1><p>{note}</p>
<form method="post" action="/_fake/customer-writes">
<p><label>Customer id <input name="sender" value="7000000000000001"></label></p>
<p><label>Message <textarea name="text" rows="3" cols="40"></textarea></label></p>
<p><button>Send</button> · <a href="/_fake/sent">replies received</a></p></form>
"""


def _ok(data: dict[str, Any]) -> tuple[int, dict[str, str], bytes]:
    return 200, {"Content-Type": "application/json"}, json.dumps(data).encode()


def _error(
    status: int,
    message: str,
    kind: str,
    code: int,
    *,
    subcode: int | None = None,
    transient: bool = False,
) -> tuple[int, dict[str, str], bytes]:
    error: dict[str, Any] = {
        "message": message,
        "type": kind,
        "code": code,
        "fbtrace_id": "A" + uuid.uuid4().hex[:20],
    }
    if subcode is not None:
        error["error_subcode"] = subcode
    if transient:
        error["is_transient"] = True
    return status, {"Content-Type": "application/json"}, json.dumps({"error": error}).encode()


def _parse_multipart(
    content_type: str, body: bytes
) -> tuple[dict[str, str], dict[str, tuple[str, str, bytes]]]:
    message = email.parser.BytesParser(policy=email.policy.HTTP).parsebytes(
        f"Content-Type: {content_type}\r\n\r\n".encode() + body
    )
    form: dict[str, str] = {}
    files: dict[str, tuple[str, str, bytes]] = {}
    for part in message.iter_parts():
        name = part.get_param("name", header="content-disposition")
        if not isinstance(name, str):
            continue
        data = part.get_payload(decode=True) or b""
        assert isinstance(data, bytes)
        filename = part.get_filename()
        if filename:
            files[name] = (filename, part.get_content_type(), data)
        else:
            form[name] = data.decode()
    return form, files


def _received(call: Call) -> Received:
    content_type = call.headers.get("content-type", "")
    form: dict[str, str] = {}
    files: dict[str, tuple[str, str, bytes]] = {}
    if content_type.startswith("multipart/form-data"):
        form, files = _parse_multipart(content_type, call.body)
    elif content_type.startswith("application/x-www-form-urlencoded"):
        form = {k: v[0] for k, v in parse_qs(call.body.decode()).items()}
    return Received(call.method, call.path, call.query, call.headers, call.body, form, files)


def for_channels(kind: str) -> Callable[[], FakeProvider]:
    """A factory for ``sangdam fake-providers``: a fake that plays the API of the enabled
    channel of ``kind`` (its page id and tokens) and, like Meta, calls its webhook back with
    echo, delivery and read events after each reply."""

    def make() -> FakeProvider:
        from django.conf import settings

        from sangdam.connectors.models import Channel

        fake = FakeGraph()
        fake.instagram = kind == "instagram"
        channel = Channel.objects.filter(kind=kind, enabled=True).order_by("pk").first()
        if channel is None:
            return fake
        secrets = channel.secrets if isinstance(channel.secrets, dict) else {}
        config = channel.config if isinstance(channel.config, dict) else {}
        fake.token = str(secrets.get("page_access_token") or fake.token)
        fake.app_secret = str(secrets.get("app_secret") or fake.app_secret)
        if config.get("page_id"):
            if fake.instagram:
                fake.ig_account_id = str(config["page_id"])
            else:
                fake.page_id = str(config["page_id"])
        site = str(settings.SITE_URL).rstrip("/")
        fake.webhook_urls["instagram" if fake.instagram else "page"] = (
            f"{site}/hooks/{kind}/{channel.key}"
        )
        fake.auto_receipts = True
        return fake

    return make


def customer_event(
    fake: FakeGraph, text: str, *, sender: str, instagram: bool = False, mid: str = ""
) -> dict[str, Any]:
    """A ``messages`` webhook body: ``sender`` wrote ``text`` to the page just now."""
    now = int(time.time() * 1000)
    account = fake.ig_account_id if instagram else fake.page_id
    if instagram:
        fake.ig_users.add(sender)
    body = copy.deepcopy(load_fixture("ig_text" if instagram else "text"))
    entry = body["entry"][0]
    entry["id"], entry["time"] = account, now
    item = entry["messaging"][0]
    item["sender"]["id"], item["recipient"]["id"], item["timestamp"] = sender, account, now
    item["message"] = {"mid": mid or "m_" + uuid.uuid4().hex, "text": text}
    return body


for_facebook = for_channels("facebook")
for_instagram = for_channels("instagram")
