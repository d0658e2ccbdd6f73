"""The Telegram connector: Bot API over httpx (no SDK; see docs/architecture.md).

In: Telegram POSTs each update to ``/hooks/telegram/<key>`` with the secret we gave it in
``setWebhook`` in ``X-Telegram-Bot-Api-Secret-Token``; the update id is the event id.
Out: ``sendMessage``, ``sendPhoto``, ``sendDocument`` to the customer's chat.
"""

from __future__ import annotations

import hmac
import json
import secrets
from typing import Any, ClassVar

from django.conf import settings
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from pydantic import BaseModel, Field

from sangdam.connectors.base import (
    Capabilities,
    DeliveryError,
    Ignored,
    InboundAttachment,
    OutboundMessage,
    Parsed,
    WebhookConnector,
    WebhookRejected,
    WebhookRequest,
    json_body,
)
from sangdam.connectors.http import ProviderClient, ProviderError
from sangdam.connectors.models import Channel, InboundEvent
from sangdam.connectors.registry import register
from sangdam.connectors.telegram.parse import StartCommand, parse_update
from sangdam.tickets.models import Topic

HEADER = "X-Telegram-Bot-Api-Secret-Token"  # carries the webhook secret
# The Bot API serves files up to 20 MB through getFile.
BOT_API_FILE_LIMIT = 20 * 1024 * 1024
IMAGE_TYPES = ("image/jpeg", "image/png", "image/gif", "image/webp")


class TelegramConfig(BaseModel):
    bot_username: str = Field(
        "",
        description=gettext_noop("The bot's @username without @ (for the t.me link and QR code)."),
    )
    welcome_text: str = Field(
        "",
        description=gettext_noop(
            "Sent when a customer starts the chat (/start); topics are listed below."
        ),
    )


class TelegramSecrets(BaseModel):
    bot_token: str = Field(
        ..., description=gettext_noop("The token BotFather gave you (123456:ABC-...).")
    )
    webhook_secret: str = Field(
        default_factory=lambda: secrets.token_urlsafe(32),
        description=gettext_noop("Sent by Telegram with every update; generated for you."),
        pattern=r"^[A-Za-z0-9_-]{1,256}$",
    )


def _secrets(channel: Channel) -> TelegramSecrets:
    return TelegramSecrets.model_validate(channel.secrets or {})


def _config(channel: Channel) -> TelegramConfig:
    return TelegramConfig.model_validate(
        {k: v for k, v in (channel.config or {}).items() if k in TelegramConfig.model_fields}
    )


@register
class TelegramConnector(WebhookConnector):
    kind = "telegram"
    lean_lane = True  # headers and body only (connectors/webhooks/lane.py)
    identity_kind = "telegram"
    config_class = TelegramConfig
    secrets_class = TelegramSecrets
    capabilities: ClassVar[Capabilities] = Capabilities(attachments=True, typing=True)

    # --- the bot API --------------------------------------------------------------------

    def _call(self, channel: Channel, method: str, **kwargs: Any) -> Any:
        token = _secrets(channel).bot_token
        data = ProviderClient(self.kind, config=channel.config).json(
            "POST", f"/bot{token}/{method}", **kwargs
        )
        if not isinstance(data, dict) or not data.get("ok"):
            description = data.get("description") if isinstance(data, dict) else None
            raise ProviderError(f"telegram {method}: {description or 'not ok'}", permanent=True)
        return data.get("result")

    # --- in -----------------------------------------------------------------------------

    def verify(self, channel: Channel, request: WebhookRequest) -> None:
        given = request.headers.get(HEADER, "")
        if not given:
            raise WebhookRejected("no secret token", status=401)
        expected = str((channel.secrets or {}).get("webhook_secret", ""))
        if not expected or not hmac.compare_digest(given.encode(), expected.encode()):
            raise WebhookRejected("wrong secret token", status=403)

    def event_id(self, channel: Channel, request: WebhookRequest) -> str:
        return str(json.loads(request.body)["update_id"])

    def parse(self, channel: Channel, event: InboundEvent) -> list[Parsed]:
        update = json_body(event)

        def fetch(
            file_id: str, filename: str, content_type: str, size: int
        ) -> InboundAttachment | str:
            limit = min(settings.ATTACHMENT_MAX_BYTES, BOT_API_FILE_LIMIT)
            if size > limit:
                return f"{filename}: larger than {limit // (1024 * 1024)} MB, not downloaded"
            return self._download(channel, file_id, filename, content_type, limit)

        parsed: list[Parsed] = []
        for item in parse_update(update, channel_id=channel.pk, fetch_file=fetch):
            if isinstance(item, StartCommand):
                # Sent while processing (not when answering Telegram): a failure retries the
                # event; a replay greets again, which is harmless.
                self._greet(channel, item)
                parsed.append(Ignored("/start: greeted"))
            else:
                parsed.append(item)
        return parsed

    def _download(
        self, channel: Channel, file_id: str, filename: str, content_type: str, limit: int
    ) -> InboundAttachment | str:
        file = self._call(channel, "getFile", json={"file_id": file_id})
        path = file.get("file_path") if isinstance(file, dict) else None
        if not path:
            return f"{filename}: Telegram did not give the file"
        token = _secrets(channel).bot_token
        response = ProviderClient(self.kind, config=channel.config).request(
            "GET", f"/file/bot{token}/{path}"
        )
        if len(response.content) > limit:
            return f"{filename}: larger than {limit // (1024 * 1024)} MB"
        return InboundAttachment(
            filename=filename, content_type=content_type, content=response.content
        )

    def _greet(self, channel: Channel, start: StartCommand) -> None:
        with translation.override(start.language or settings.LANGUAGE_CODE):
            welcome = _config(channel).welcome_text or _(
                "Hello! Write your question here and we will answer in this chat."
            )
            topics = [t.name(start.language) for t in Topic.objects.filter(active=True)]
            if topics:
                welcome += (
                    "\n\n" + _("We can help with:") + "\n" + "\n".join(f"• {t}" for t in topics)
                )
        self._call(channel, "sendMessage", json={"chat_id": start.chat_id, "text": welcome})

    # --- out ----------------------------------------------------------------------------

    def send(self, channel: Channel, message: OutboundMessage) -> str:
        chat_id = message.recipient
        try:
            first = ""
            if message.text.strip():
                sent = self._call(
                    channel, "sendMessage", json={"chat_id": chat_id, "text": message.text[:4096]}
                )
                first = f"{chat_id}:{sent['message_id']}"
            for attachment in message.attachments:
                method, field = (
                    ("sendPhoto", "photo")
                    if attachment.content_type in IMAGE_TYPES
                    else ("sendDocument", "document")
                )
                sent = self._call(
                    channel,
                    method,
                    data={"chat_id": chat_id},
                    files={
                        field: (attachment.filename, attachment.content, attachment.content_type)
                    },
                )
                first = first or f"{chat_id}:{sent['message_id']}"
        except ProviderError as exc:
            raise DeliveryError(str(exc), permanent=exc.permanent) from exc
        return first

    # --- set-up -------------------------------------------------------------------------

    def test_connection(self, channel: Channel) -> str:
        try:
            me = self._call(channel, "getMe")
        except ProviderError as exc:
            raise DeliveryError(str(exc), permanent=exc.permanent) from exc
        return _("Connected to the bot @%(username)s.") % {"username": me.get("username", "?")}

    def register_webhook(self, channel: Channel, url: str) -> None:
        try:
            self._call(
                channel,
                "setWebhook",
                json={
                    "url": url,
                    "secret_token": _secrets(channel).webhook_secret,
                    "allowed_updates": ["message", "edited_message"],
                },
            )
        except ProviderError as exc:
            raise DeliveryError(str(exc), permanent=exc.permanent) from exc

    def chat_link(self, channel: Channel) -> str:
        username = _config(channel).bot_username.lstrip("@")
        return f"https://t.me/{username}" if username else ""
