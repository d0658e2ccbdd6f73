"""The LINE Messaging API connector.

In: LINE posts webhook events to ``/hooks/line/<channel key>`` signed with the channel
secret (``X-Line-Signature``); the door stores the call under an id made of its events'
``webhookEventId``\\ s (a redelivery carries the same ones) and :mod:`.events` turns it into
messages in a task. Out: :mod:`.outbound` replies with the customer's reply token while it
is fresh, else pushes.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import ClassVar
from urllib.parse import quote

from django.utils.translation import gettext as _

from sangdam.connectors import registry
from sangdam.connectors.base import (
    Capabilities,
    DeliveryError,
    OutboundMessage,
    Parsed,
    WebhookConnector,
    WebhookRejected,
    WebhookRequest,
)
from sangdam.connectors.http import ProviderError
from sangdam.connectors.line import outbound
from sangdam.connectors.line.api import LineApi
from sangdam.connectors.line.config import LineConfig, LineSecrets
from sangdam.connectors.models import Channel, InboundEvent

SIGNATURE_HEADER = "X-Line-Signature"


def expected_signature(channel_secret: str, body: bytes) -> bytes:
    """base64(HMAC-SHA256(channel secret, raw body)), as LINE computes it."""
    return base64.b64encode(hmac.new(channel_secret.encode(), body, hashlib.sha256).digest())


@registry.register
class LineConnector(WebhookConnector):
    kind = "line"
    lean_lane = True  # headers and body only (connectors/webhooks/lane.py)
    identity_kind = "line"
    config_class: ClassVar = LineConfig
    secrets_class: ClassVar = LineSecrets
    capabilities: ClassVar[Capabilities] = Capabilities(
        attachments=True, typing=False, read_receipts=False, reply_window=None
    )

    def verify(self, channel: Channel, request: WebhookRequest) -> None:
        """The signature over the raw body, compared in constant time.

        Computed with the standard library rather than the SDK's validator: it is LINE's
        documented three-line algorithm, and the SDK's module loads its whole model tree,
        seconds on the webhook's hot path.
        """
        secret = str((channel.secrets or {}).get("channel_secret", ""))
        given = request.headers.get(SIGNATURE_HEADER, "")
        if not secret:
            raise WebhookRejected("the channel has no channel secret", status=403)
        if not given:
            raise WebhookRejected("X-Line-Signature is missing", status=401)
        if not hmac.compare_digest(given.encode(), expected_signature(secret, request.body)):
            raise WebhookRejected("X-Line-Signature does not match the body", status=403)

    def event_id(self, channel: Channel, request: WebhookRequest) -> str:
        """The call's ``webhookEventId``\\ s: LINE redelivers an event with the same id.

        One event (the usual case): its id. Several: a digest of them all, so the same
        batch is one stored event. The intake also dedupes each message on LINE's
        message id, so a batch regrouped on redelivery is still taken in once.
        """
        try:
            events = json.loads(request.body).get("events") or []
            ids = [str(event["webhookEventId"]) for event in events]
        except (ValueError, TypeError, KeyError, AttributeError):
            ids = []
        if len(ids) == 1:
            return ids[0]
        if ids:
            return "batch:" + hashlib.sha256(",".join(ids).encode()).hexdigest()
        return hashlib.sha256(request.body).hexdigest()

    def parse(self, channel: Channel, event: InboundEvent) -> list[Parsed]:
        from sangdam.connectors.line.events import parse_body

        return parse_body(channel, bytes(event.body))

    def send(self, channel: Channel, message: OutboundMessage) -> str:
        try:
            api = LineApi(channel)
            messages = outbound.reply_messages(channel, message)
            if not messages:
                raise DeliveryError("the reply is empty", permanent=True)
            return outbound.send(
                channel,
                api,
                to=message.recipient,
                messages=messages,
                key=f"message:{message.message_id}",
            )
        except ProviderError as exc:
            raise DeliveryError(str(exc), permanent=exc.permanent) from exc

    def test_connection(self, channel: Channel) -> str:
        try:
            info = LineApi(channel).bot_info()
        except ProviderError as exc:
            raise DeliveryError(str(exc), permanent=exc.permanent) from exc
        return _("Connected to LINE as %(name)s (%(basic_id)s).") % {
            "name": info.get("displayName") or "?",
            "basic_id": info.get("basicId") or "?",
        }

    def chat_link(self, channel: Channel) -> str:
        """LINE's add-friend link for the account's basic ID (``@…``)."""
        basic_id = str(outbound.config_of(channel).basic_id or channel.address or "").strip()
        if not basic_id:
            return ""
        if not basic_id.startswith("@"):
            basic_id = "@" + basic_id
        return f"https://line.me/R/ti/p/{quote(basic_id)}"
