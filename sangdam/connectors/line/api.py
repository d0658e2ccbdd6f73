"""The parts of the LINE Messaging API the connector calls, through the one HTTP seam.

Message objects are built with line-bot-sdk's models (``linebot.v3.messaging``); the calls
go through :class:`sangdam.connectors.http.ProviderClient` rather than the SDK's own
urllib3 client, so LINE gets the same timeouts, ``Retry-After`` handling, backoff and
configurable base URLs as every other provider (see docs/architecture.md).

Two hosts: ``api.line.me`` (``PROVIDER_BASE_URLS["line"]``) and ``api-data.line.me`` for
message content (``["line_data"]``); a channel's ``config["api_base"]`` points both at one
server (the local fake).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sangdam.connectors.http import ProviderClient, ProviderError
from sangdam.connectors.models import Channel

# LINE: "reply tokens can only be used once and must be used within a certain period of
# time"; a minute in practice. Older tokens are not tried (push straight away).
REPLY_TOKEN_SECONDS = 50
MESSAGES_PER_CALL = 5  # reply and push carry at most five message objects
RETRY_KEY_NAMESPACE = uuid.UUID("7b0e6a2c-4b8f-4d5e-9a51-1c2d3e4f5a6b")


class InvalidReplyToken(Exception):
    """LINE refused the reply token (used, expired or unknown): push instead."""


@dataclass(frozen=True)
class Content:
    data: bytes
    content_type: str


def retry_key(*parts: object) -> str:
    """A stable ``X-Line-Retry-Key`` (a UUID): LINE sends a push with one key only once."""
    return str(uuid.uuid5(RETRY_KEY_NAMESPACE, ":".join(str(p) for p in parts)))


class LineApi:
    """One channel's view of the Messaging API."""

    def __init__(self, channel: Channel) -> None:
        config = channel.config if isinstance(channel.config, dict) else {}
        secrets = channel.secrets if isinstance(channel.secrets, dict) else {}
        self.token = str(secrets.get("channel_access_token", ""))
        if not self.token:
            raise ProviderError("line: the channel has no channel access token", permanent=True)
        self.api = ProviderClient("line", config=config)
        self.data = ProviderClient("line_data", config=config)

    def _headers(self, **extra: str) -> dict[str, str]:
        return {"Authorization": f"Bearer {self.token}", **extra}

    def reply(self, reply_token: str, messages: list[dict[str, Any]]) -> list[str]:
        """Send with a reply token; the ids LINE gave the messages."""
        try:
            answer = self.api.json(
                "POST",
                "/v2/bot/message/reply",
                json={"replyToken": reply_token, "messages": messages[:MESSAGES_PER_CALL]},
                headers=self._headers(),
            )
        except ProviderError as exc:
            if exc.status == 400 and "reply token" in str(exc).lower():
                raise InvalidReplyToken(str(exc)) from exc
            raise
        return _sent_ids(answer)

    def push(self, to: str, messages: list[dict[str, Any]], *, key: str) -> list[str]:
        """Send to a user id. ``key`` makes a repeat of the same push a no-op at LINE."""
        try:
            answer = self.api.json(
                "POST",
                "/v2/bot/message/push",
                json={"to": to, "messages": messages[:MESSAGES_PER_CALL]},
                headers=self._headers(**{"X-Line-Retry-Key": key}),
            )
        except ProviderError as exc:
            if exc.status == 409:
                # "The retry key is already accepted": an earlier try of this very push
                # got through (its answer was lost); LINE did not send it again.
                return [f"retry:{key}"]
            raise
        return _sent_ids(answer)

    def content(self, message_id: str, *, max_bytes: int) -> Content:
        """A customer's image, video, audio or file. Too large: a permanent ProviderError."""
        response = self.data.request(
            "GET", f"/v2/bot/message/{message_id}/content", headers=self._headers()
        )
        if response.status_code == 202:
            # Video and audio are still being prepared: the event is retried later.
            raise ProviderError("line: the content is not ready yet", status=202)
        if len(response.content) > max_bytes:
            raise ProviderError("line: the file is too large", permanent=True, status=413)
        content_type = response.headers.get("content-type", "application/octet-stream")
        return Content(response.content, content_type.split(";")[0].strip())

    def profile(self, user_id: str) -> dict[str, Any] | None:
        """displayName, pictureUrl, language of a user who is a friend; None if not found."""
        try:
            answer = self.api.json("GET", f"/v2/bot/profile/{user_id}", headers=self._headers())
        except ProviderError as exc:
            if exc.status == 404:  # not a friend (blocked us), or the id is unknown
                return None
            raise
        return answer if isinstance(answer, dict) else None

    def bot_info(self) -> dict[str, Any]:
        answer = self.api.json("GET", "/v2/bot/info", headers=self._headers())
        return answer if isinstance(answer, dict) else {}


def _sent_ids(answer: Any) -> list[str]:
    sent = answer.get("sentMessages") if isinstance(answer, dict) else None
    return [str(item.get("id")) for item in sent or [] if isinstance(item, dict)]
