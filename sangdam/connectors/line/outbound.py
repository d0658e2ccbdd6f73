"""Sending on LINE: message objects, reply-token-then-push, and the greeting for new friends.

A reply uses the customer's latest reply token while it is fresh (free, and LINE shows it
as an answer); otherwise, or when LINE refuses the token, the same messages are pushed.
Every push carries an ``X-Line-Retry-Key`` derived from what it sends, so a retry after
a lost answer is not delivered twice.
"""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils import translation
from django.utils.translation import gettext as _

from sangdam.connectors.base import InboundAttachment, OutboundMessage
from sangdam.connectors.line import tokens
from sangdam.connectors.line.api import MESSAGES_PER_CALL, InvalidReplyToken, LineApi, retry_key
from sangdam.connectors.line.config import LineConfig
from sangdam.connectors.models import Channel

TEXT_LIMIT = 5000  # characters in one LINE text message
PREVIEW_LIMIT = 1024 * 1024  # LINE fetches previews up to 1 MB (images up to 10 MB)
IMAGE_TYPES = {"image/jpeg", "image/png"}
QUICK_REPLY_ITEMS = 13
LABEL_LIMIT = 20
GREETED_SECONDS = 24 * 3600


def config_of(channel: Channel) -> LineConfig:
    raw = channel.config if isinstance(channel.config, dict) else {}
    return LineConfig.model_validate({k: v for k, v in raw.items() if k in LineConfig.model_fields})


def send(
    channel: Channel, api: LineApi, *, to: str, messages: list[dict[str, Any]], key: str
) -> str:
    """Send up to any number of message objects; the id LINE gave the first."""
    batches = [
        messages[i : i + MESSAGES_PER_CALL] for i in range(0, len(messages), MESSAGES_PER_CALL)
    ]
    first_ids: list[str] = []
    for index, batch in enumerate(batches):
        ids: list[str] = []
        token = tokens.claim(channel_id=channel.pk, user_id=to) if index == 0 else ""
        if token:
            try:
                ids = api.reply(token, batch)
            except InvalidReplyToken:
                ids = []  # used, expired or unknown after all: push it
        if not ids:
            ids = api.push(to, batch, key=retry_key(key, index))
        if not first_ids:
            first_ids = ids
    return first_ids[0] if first_ids else ""


def text_messages(text: str) -> list[dict[str, Any]]:
    from linebot.v3.messaging import TextMessage

    text = text.strip()
    chunks = [text[i : i + TEXT_LIMIT] for i in range(0, len(text), TEXT_LIMIT)]
    return [TextMessage(text=chunk).to_dict() for chunk in chunks if chunk.strip()]


def reply_messages(channel: Channel, message: OutboundMessage) -> list[dict[str, Any]]:
    """An agent's reply as LINE messages: its text, then its images (or links to files)."""
    from linebot.v3.messaging import ImageMessage

    config = config_of(channel)
    images: list[dict[str, Any]] = []
    linked: list[str] = []
    unlinked: list[str] = []
    for attachment in message.attachments:
        url = _public_url(attachment)
        if url and config.send_images and _sendable_image(attachment):
            images.append(ImageMessage(original_content_url=url, preview_image_url=url).to_dict())
        elif url:
            linked.append(f"{attachment.filename}: {url}")
        else:
            unlinked.append(attachment.filename)
    parts = [message.text.strip()]
    if linked or unlinked:
        with translation.override(settings.LANGUAGE_CODE):
            lines = [_("Attached files:"), *linked, *unlinked]
        if unlinked and message.status_url:
            # LINE cannot carry the file itself: the customer's status page has it.
            lines.append(f"{message.status_label} {message.status_url}".strip())
        parts.append("\n".join(lines))
    return text_messages("\n\n".join(part for part in parts if part)) + images


def _public_url(attachment: InboundAttachment) -> str:
    url = str(getattr(attachment, "url", "") or "")
    # LINE fetches media itself and only over HTTPS.
    return url if url.startswith("https://") else ""


def _sendable_image(attachment: InboundAttachment) -> bool:
    # The same URL serves as the preview, so the image must fit the preview's limit.
    return attachment.content_type in IMAGE_TYPES and len(attachment.content) <= PREVIEW_LIMIT


def greeting_messages(channel: Channel, language: str) -> list[dict[str, Any]]:
    """The welcome text, with the help desk's topics as quick-reply buttons."""
    from linebot.v3.messaging import PostbackAction, QuickReply, QuickReplyItem, TextMessage

    from sangdam.tickets import selectors

    config = config_of(channel)
    with translation.override(language or settings.LANGUAGE_CODE):
        text = config.welcome_text.strip() or _(
            "Hello! Thank you for adding us as a friend. Write your question here and "
            "we will answer in this chat."
        )
        items = []
        if config.offer_topics:
            for topic in selectors.topic_list()[:QUICK_REPLY_ITEMS]:
                name = topic.name()
                items.append(
                    QuickReplyItem(
                        action=PostbackAction(
                            label=name[:LABEL_LIMIT],
                            data=f"topic={topic.slug}",
                            display_text=name[:300],
                        )
                    )
                )
            if items:
                text += "\n\n" + _("What is your question about?")
    message = TextMessage(
        text=text[:TEXT_LIMIT], quick_reply=QuickReply(items=items) if items else None
    )
    return [message.to_dict()]


def send_greeting(
    channel: Channel, api: LineApi, *, user_id: str, event_id: str, language: str
) -> None:
    """Greet a new friend once per follow event, even when the event is parsed again."""
    marker = f"line:greeted:{channel.pk}:{event_id}"
    if not cache.add(marker, 1, GREETED_SECONDS):
        return
    try:
        send(
            channel,
            api,
            to=user_id,
            messages=greeting_messages(channel, language),
            key=f"greeting:{event_id}",
        )
    except Exception:
        cache.delete(marker)  # not sent: the retried event greets
        raise
