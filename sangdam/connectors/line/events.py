"""LINE webhook events → what the intake understands.

A webhook body carries one or more events (``{"destination": ..., "events": [...]}``), read
with line-bot-sdk's webhook models. Messages and button replies (postbacks) become
:class:`InboundMessage`\\ s whose external id is LINE's message id (the postback's
``webhookEventId``), so parsing the same body again gives the same ids and the intake
dedupes. A follow (a new friend) gets the channel's greeting; an unfollow (blocked) is
recorded on the event; anything else is :class:`Ignored` with the reason.
"""

from __future__ import annotations

import datetime as dt
import json
import logging
from typing import Any
from urllib.parse import parse_qs

from django.conf import settings
from django.core.cache import cache
from django.template.defaultfilters import filesizeformat
from django.utils import translation
from django.utils.translation import gettext as _

from sangdam.connectors.base import (
    Ignored,
    InboundAttachment,
    InboundMessage,
    Parsed,
    SenderIdentity,
)
from sangdam.connectors.http import ProviderError, fetch_untrusted
from sangdam.connectors.line import tokens
from sangdam.connectors.line.api import LineApi
from sangdam.connectors.line.outbound import send_greeting
from sangdam.connectors.models import Channel

log = logging.getLogger(__name__)

PROFILE_CACHE_SECONDS = 3600
EXTENSIONS = {
    "image/jpeg": ".jpg",
    "image/png": ".png",
    "image/gif": ".gif",
    "video/mp4": ".mp4",
    "audio/x-m4a": ".m4a",
    "audio/mp4": ".m4a",
    "audio/mpeg": ".mp3",
}


def parse_body(channel: Channel, body: bytes) -> list[Parsed]:
    """Every event of one webhook call, in order."""
    try:
        data = json.loads(body)
    except ValueError:
        return [Ignored("malformed JSON")]
    events = data.get("events") if isinstance(data, dict) else None
    if not isinstance(events, list):
        return [Ignored("no events list in the body")]
    if not events:
        return [Ignored("no events (the console's Verify button)")]
    reader = _Reader(channel)
    parsed: list[Parsed] = []
    for raw in events:
        parsed.extend(reader.read(raw))
    return parsed


class _Reader:
    def __init__(self, channel: Channel) -> None:
        self.channel = channel
        self._api: LineApi | None = None

    @property
    def api(self) -> LineApi:
        if self._api is None:
            self._api = LineApi(self.channel)
        return self._api

    def read(self, raw: Any) -> list[Parsed]:
        # Imported here: the SDK's models take a while to load, and only workers need them.
        from linebot.v3 import webhooks as line

        kind = raw.get("type") if isinstance(raw, dict) else None
        try:
            event = line.Event.from_dict(raw)
        except (ValueError, TypeError) as exc:
            return [Ignored(f"{kind or 'unknown'} event not read: {str(exc)[:200]}")]
        if event is None:
            return [Ignored("empty event")]
        source = getattr(event, "source", None)
        if not isinstance(source, line.UserSource) or not source.user_id:
            return [Ignored(f"{kind} event from a group or room: only one-to-one chats")]
        if getattr(event, "mode", "active") == "standby":
            return [Ignored(f"{kind} event in standby mode: another channel answers")]
        user_id = source.user_id
        at = dt.datetime.fromtimestamp(event.timestamp / 1000, tz=dt.UTC)
        context = getattr(event, "delivery_context", None)
        redelivered = bool(context and context.is_redelivery)
        reply_token = getattr(event, "reply_token", None) or ""
        if reply_token and not redelivered:
            # A redelivered event's token is as old as the event was undelivered.
            tokens.remember(
                channel_id=self.channel.pk, user_id=user_id, token=reply_token, issued_at=at
            )
        event_id = str(event.webhook_event_id)
        if isinstance(event, line.MessageEvent):
            return [self.message(event, user_id, at, event_id, redelivered)]
        if isinstance(event, line.PostbackEvent):
            return [self.postback(event, user_id, at, event_id, redelivered)]
        if isinstance(event, line.FollowEvent):
            send_greeting(
                self.channel,
                self.api,
                user_id=user_id,
                event_id=event_id,
                language=self.profile(user_id).get("language", ""),
            )
            return [Ignored(f"follow by {user_id}: greeted")]
        if isinstance(event, line.UnfollowEvent):
            tokens.forget(channel_id=self.channel.pk, user_id=user_id)
            return [Ignored(f"unfollow: {user_id} blocked the account")]
        return [Ignored(f"{kind} event: nothing for the inbox")]

    # --- messages -------------------------------------------------------------------

    def message(
        self, event: Any, user_id: str, at: dt.datetime, event_id: str, redelivered: bool
    ) -> InboundMessage:
        from linebot.v3 import webhooks as line

        content = event.message
        text = ""
        attachments: list[InboundAttachment] = []
        refused: list[str] = []
        extra: dict[str, Any] = {}
        if isinstance(content, line.TextMessageContent):
            text = content.text
        elif isinstance(content, line.StickerMessageContent):
            text = sticker_text(content.keywords or [], content.text or "")
            extra = {"package_id": content.package_id, "sticker_id": content.sticker_id}
        elif isinstance(content, line.LocationMessageContent):
            text = location_text(
                content.title or "", content.address or "", content.latitude, content.longitude
            )
        elif isinstance(content, line.FileMessageContent):
            text = _("(file: %(name)s)") % {"name": content.file_name}
            if content.file_size > settings.ATTACHMENT_MAX_BYTES:
                refused.append(_too_large(content.file_name))
            else:
                self.download(content, content.file_name, attachments, refused)
        elif isinstance(
            content,
            line.ImageMessageContent | line.VideoMessageContent | line.AudioMessageContent,
        ):
            text = media_text(content)
            self.download(content, "", attachments, refused)
        else:
            text = _("(a %(type)s message LINE sent that Sangdam cannot show)") % {
                "type": content.type
            }
        return self.inbound(
            external_id=str(content.id),
            user_id=user_id,
            at=at,
            text=text,
            attachments=attachments,
            line_metadata={
                "type": content.type,
                "webhook_event_id": event_id,
                "redelivered": redelivered,
                **extra,
            },
            refused=refused,
        )

    def postback(
        self, event: Any, user_id: str, at: dt.datetime, event_id: str, redelivered: bool
    ) -> InboundMessage:
        """A button the customer pressed: a topic from the greeting, or other data."""
        from sangdam.tickets import selectors

        data = event.postback.data
        slug = (parse_qs(data).get("topic") or [""])[0]
        topic = selectors.topic_by_slug(slug=slug) if slug else None
        with translation.override(self._language(user_id)):
            if topic is not None:
                text = _("(chose the topic: %(topic)s)") % {"topic": topic.name()}
            else:
                text = _("(pressed a button: %(data)s)") % {"data": data}
        return self.inbound(
            external_id=event_id,
            user_id=user_id,
            at=at,
            text=text,
            topic_slug=topic.slug if topic else "",
            line_metadata={
                "type": "postback",
                "data": data,
                "webhook_event_id": event_id,
                "redelivered": redelivered,
            },
        )

    def inbound(
        self,
        *,
        external_id: str,
        user_id: str,
        at: dt.datetime,
        text: str,
        line_metadata: dict[str, Any],
        attachments: list[InboundAttachment] | None = None,
        refused: list[str] | None = None,
        topic_slug: str = "",
    ) -> InboundMessage:
        profile = self.profile(user_id)
        if profile.get("pictureUrl"):
            line_metadata["picture_url"] = profile["pictureUrl"]
        message_metadata: dict[str, Any] = {"line": line_metadata}
        if refused:
            message_metadata["refused_attachments"] = refused
        return InboundMessage(
            channel_id=self.channel.pk,
            external_id=external_id,
            identities=(SenderIdentity("line", user_id),),
            text=text,
            sender_name=str(profile.get("displayName") or ""),
            attachments=tuple(attachments or ()),
            # One conversation per LINE user and channel: the chat is the thread.
            thread_key=f"line:{user_id}",
            topic_slug=topic_slug,
            received_at=at,
            message_metadata=message_metadata,
        )

    def download(
        self,
        content: Any,
        filename: str,
        attachments: list[InboundAttachment],
        refused: list[str],
    ) -> None:
        """The media of a message, through the content API (or the sender's URL)."""
        provider = getattr(content, "content_provider", None)
        limit = settings.ATTACHMENT_MAX_BYTES
        try:
            if provider is not None and provider.type == "external":
                # Sent by another bot or app with its own URL: an outsider's URL.
                response = fetch_untrusted(
                    provider.original_content_url, label="line", max_bytes=limit
                )
                data = response.content
                content_type = response.headers.get("content-type", "").split(";")[0].strip()
            else:
                got = self.api.content(str(content.id), max_bytes=limit)
                data, content_type = got.data, got.content_type
        except ProviderError as exc:
            if not exc.permanent:
                raise  # LINE is down or the video is still being prepared: retry the event
            name = filename or f"line-{content.id}"
            refused.append(
                _too_large(name)
                if exc.status == 413 or "larger" in str(exc)
                else _("%(name)s could not be downloaded: %(error)s") % {"name": name, "error": exc}
            )
            return
        name = filename or f"line-{content.id}{EXTENSIONS.get(content_type, '')}"
        attachments.append(
            InboundAttachment(name, content_type or "application/octet-stream", data)
        )

    # --- profiles -------------------------------------------------------------------

    def profile(self, user_id: str) -> dict[str, Any]:
        """The user's LINE profile (name, picture, language), cached for an hour."""
        key = f"line:profile:{self.channel.pk}:{user_id}"
        cached = cache.get(key)
        if isinstance(cached, dict):
            return cached
        try:
            profile = self.api.profile(user_id) or {}
        except ProviderError as exc:
            # A name is nice to have: the message is not held back for it.
            log.warning("LINE profile of %s not read: %s", user_id, exc)
            return {}
        cache.set(key, profile, PROFILE_CACHE_SECONDS)
        return profile

    def _language(self, user_id: str) -> str:
        return str(self.profile(user_id).get("language") or settings.LANGUAGE_CODE)


def _too_large(name: str) -> str:
    return _("%(name)s is larger than %(limit)s.") % {
        "name": name,
        "limit": filesizeformat(settings.ATTACHMENT_MAX_BYTES),
    }


def sticker_text(keywords: list[str], text: str) -> str:
    """A sticker as words: its keywords (LINE sends up to 15), or the text typed on it."""
    label = text or ", ".join(keywords[:5])
    return _("(sticker: %(label)s)") % {"label": label} if label else _("(sticker)")


def location_text(title: str, address: str, latitude: float, longitude: float) -> str:
    """A shared location as lines a person reads, with a map link."""
    lines = [_("(location)")]
    lines += [part for part in (title, address) if part]
    lines.append(
        f"https://www.openstreetmap.org/?mlat={latitude}&mlon={longitude}"
        f"#map=17/{latitude}/{longitude}"
    )
    return "\n".join(lines)


def media_text(content: Any) -> str:
    kind = content.type
    seconds = round((getattr(content, "duration", 0) or 0) / 1000)
    if kind == "image":
        return _("(photo)")
    if kind == "video":
        return _("(video, %(seconds)d s)") % {"seconds": seconds}
    return _("(voice message, %(seconds)d s)") % {"seconds": seconds}
