"""A small webhook connector for testing the door itself: HMAC-SHA256 of the raw body in
``X-Test-Signature``, JSON events {"id", "type", ...}."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from pydantic import BaseModel

from sangdam.connectors.base import (
    DeliveryReceipt,
    Ignored,
    InboundMessage,
    Parsed,
    SenderIdentity,
    WebhookAnswer,
    WebhookConnector,
    WebhookRejected,
    WebhookRequest,
    json_body,
)
from sangdam.connectors.models import Channel, InboundEvent

KIND = "testhook"
SECRET = "s3cret-for-tests"


class HookSecrets(BaseModel):
    signing_secret: str


def sign(body: bytes, secret: str = SECRET) -> str:
    return hmac.new(secret.encode(), body, hashlib.sha256).hexdigest()


class SignedHookConnector(WebhookConnector):
    kind = KIND
    identity_kind = "telegram"
    secrets_class = HookSecrets
    poison_ids: set[str] = set()

    def verify(self, channel: Channel, request: WebhookRequest) -> None:
        given = request.headers.get("X-Test-Signature", "")
        if not given:
            raise WebhookRejected("missing signature", status=401)
        expected = sign(request.body, channel.secrets["signing_secret"])
        if not hmac.compare_digest(given, expected):
            raise WebhookRejected("bad signature", status=403)

    def event_id(self, channel: Channel, request: WebhookRequest) -> str:
        return str(json.loads(request.body)["id"])

    def parse(self, channel: Channel, event: InboundEvent) -> list[Parsed]:
        data: dict[str, Any] = json_body(event)
        if str(data["id"]) in self.poison_ids:
            raise RuntimeError("the provider's media server said no")
        if data.get("type") == "message":
            return [
                InboundMessage(
                    channel_id=channel.pk,
                    external_id=f"m{data['id']}",
                    identities=(SenderIdentity("telegram", str(data["from"])),),
                    sender_name=data.get("name", ""),
                    text=data["text"],
                    thread_key=f"chat:{data['from']}",
                )
            ]
        if data.get("type") == "receipt":
            return [
                DeliveryReceipt(
                    channel_id=channel.pk, external_id=data["message"], state=data["state"]
                )
            ]
        return [Ignored(f"unknown event type {data.get('type')!r}")]


class AnsweringHookConnector(SignedHookConnector):
    """Answers every call with content of its own (as TwiML is) and numbers its answers,
    so a retry answered by a new computation would be told apart from the kept one."""

    kind = "testvoice"
    keeps_answer = True
    computed = 0

    def answer(self, channel: Channel, request: WebhookRequest) -> WebhookAnswer:
        type(self).computed += 1
        body = f"<Response><Say>answer {type(self).computed}</Say></Response>".encode()
        return WebhookAnswer(content_type="text/xml", body=body)
