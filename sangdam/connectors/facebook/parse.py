"""Messenger Platform webhook events → inbound messages, delivery receipts, ignored events.

One webhook body can carry several events (``entry[]`` × ``messaging[]``); each becomes
one :data:`~sangdam.connectors.base.Parsed`. Parsing is deterministic: message ids are
Meta's ``mid`` (a postback without one gets a hash of what identifies it), so parsing the
same stored event twice gives the same external ids and the intake dedupes.

Media URLs in a payload point at Meta's CDN, but what a customer shares can steer them (a
shared link, a redirect), so they are fetched through the SSRF guard
(:meth:`GraphClient.download`) with the attachment size limit; a refused or oversized file
leaves a note on the message instead of failing it.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import logging
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.utils import translation
from django.utils.translation import gettext as _
from pydantic import ValidationError

from sangdam.connectors.base import (
    DeliveryReceipt,
    Ignored,
    InboundAttachment,
    InboundMessage,
    Parsed,
    SenderIdentity,
)
from sangdam.connectors.facebook import payloads as p
from sangdam.connectors.facebook.graph import GraphClient, GraphError

log = logging.getLogger(__name__)

# Attachment types whose media is a file the customer sent (downloaded into the ticket).
FILE_TYPES = {"image", "video", "audio", "file", "sticker"}
# Instagram story media is ephemeral: Meta's policy forbids storing it; we keep the link.
LINK_ONLY_TYPES = {"story_mention", "share", "ig_post", "ig_reel", "reel", "post"}
PROFILE_CACHE_SECONDS = 24 * 3600


@dataclass
class Context:
    channel_id: int
    kind: str  # "facebook" | "instagram": the identity kind too
    page_id: str  # the channel's Page id / Instagram account id ("" = accept any)
    graph: GraphClient | None
    max_bytes: int = field(default_factory=lambda: settings.ATTACHMENT_MAX_BYTES)


def _when(ms: int | None) -> dt.datetime | None:
    if not ms:
        return None
    return dt.datetime.fromtimestamp(ms / 1000, tz=dt.UTC)


def parse_body(ctx: Context, body: bytes) -> list[Parsed]:
    """Every event in one webhook body."""
    try:
        note = p.Notification.model_validate_json(body)
    except ValidationError as exc:
        errors = exc.errors()
        reason = errors[0]["msg"] if errors else str(exc)
        return [Ignored(f"not a Messenger Platform notification: {reason}")]
    if note.object not in ("page", "instagram"):
        return [Ignored(f"unsupported webhook object {note.object!r}")]
    parsed: list[Parsed] = []
    with translation.override(settings.LANGUAGE_CODE):
        for entry in note.entry:
            if ctx.page_id and entry.id and entry.id != ctx.page_id:
                parsed.append(
                    Ignored(f"event for account {entry.id}, not this channel's {ctx.page_id}")
                )
                continue
            for item in entry.messaging:
                parsed.extend(parse_messaging(ctx, item))
            if entry.standby:
                parsed.append(Ignored("standby events (another app controls the conversation)"))
            if entry.changes:
                parsed.append(Ignored("change notifications (comments, feed) are not messages"))
            if not (entry.messaging or entry.standby or entry.changes):
                parsed.append(Ignored("entry without events"))
    return parsed or [Ignored("notification without entries")]


def parse_messaging(ctx: Context, item: p.Messaging) -> list[Parsed]:
    """One ``messaging[]`` item."""
    if item.message is not None:
        return [_message(ctx, item, item.message)]
    if item.postback is not None:
        return [_postback(ctx, item, item.postback)]
    if item.delivery is not None:
        return _delivery(ctx, item, item.delivery)
    if item.read is not None:
        return [_read(ctx, item, item.read)]
    kinds = sorted(set(item.model_extra or {}) - {"sender", "recipient", "timestamp"})
    return [Ignored(f"unsupported messaging event: {', '.join(kinds) or 'empty'}")]


def _sender(ctx: Context, user_id: str) -> tuple[str, dict[str, Any]]:
    """(display name, profile) of a page-scoped user; empty when the API does not say."""
    if ctx.graph is None or not user_id:
        return "", {}
    key = f"meta-profile:{ctx.channel_id}:{user_id}"
    profile = cache.get(key)
    if profile is None:
        fields = (
            "name,username,profile_pic"
            if ctx.kind == "instagram"
            else "first_name,last_name,profile_pic"
        )
        try:
            profile = ctx.graph.profile(user_id, fields)
        except GraphError as exc:
            # A profile is a nicety (Meta withholds it without consent): never fail on it.
            log.info("no %s profile for %s: %s", ctx.kind, user_id, exc)
            profile = {}
        cache.set(key, profile, PROFILE_CACHE_SECONDS)
    name = str(
        profile.get("name")
        or " ".join(x for x in (profile.get("first_name"), profile.get("last_name")) if x)
        or profile.get("username")
        or ""
    )
    keep = {
        k: str(profile[k]) for k in ("username", "profile_pic") if isinstance(profile.get(k), str)
    }
    return name.strip(), keep


def _inbound(
    ctx: Context,
    item: p.Messaging,
    *,
    external_id: str,
    text: str,
    attachments: tuple[InboundAttachment, ...] = (),
    extra: dict[str, Any] | None = None,
) -> InboundMessage:
    user_id = item.sender.id
    name, profile = _sender(ctx, user_id)
    metadata: dict[str, Any] = {"platform": ctx.kind, **(extra or {})}
    if profile:
        metadata["profile"] = profile
    return InboundMessage(
        channel_id=ctx.channel_id,
        external_id=external_id,
        identities=(SenderIdentity(ctx.kind, user_id),),
        text=text,
        sender_name=name,
        attachments=attachments,
        # One conversation per customer per channel: a new message joins the open ticket.
        thread_key=f"{ctx.kind}:{user_id}",
        received_at=_when(item.timestamp),
        message_metadata=metadata,
    )


def _message(ctx: Context, item: p.Messaging, message: p.Message) -> Parsed:
    if message.is_echo:
        # Our own Send API calls (and replies typed in Meta's inbox) come back as echoes;
        # taking them in would loop the page's words back into the ticket as the customer's.
        return Ignored("echo of a message the page sent")
    if message.is_deleted:
        return Ignored("the customer deleted a message")
    if not message.mid or not item.sender.id:
        return Ignored("message without id or sender")
    lines: list[str] = []
    if message.text:
        lines.append(message.text)
    extra: dict[str, Any] = {}
    if message.quick_reply is not None:
        extra["quick_reply_payload"] = message.quick_reply.payload
    if message.reply_to is not None and message.reply_to.story is not None:
        story = message.reply_to.story
        lines.insert(0, _("[Reply to your story] %(url)s") % {"url": story.url})
        extra["story"] = {"id": story.id, "url": story.url}
    elif message.reply_to is not None and message.reply_to.mid:
        extra["reply_to"] = message.reply_to.mid
    files, notes, refused = _attachments(ctx, message)
    lines.extend(notes)
    if refused:
        extra["refused_attachments"] = refused
    if not lines and (files or refused):
        # The inbox shows a line of text for every message: say what came.
        lines.append(_kinds_label(message))
    if message.is_unsupported and not lines and not files:
        lines.append(_("[A message this platform does not pass on to apps]"))
    if not lines and not files:
        return Ignored("message with nothing readable in it")
    return _inbound(
        ctx,
        item,
        external_id=message.mid,
        text="\n".join(lines),
        attachments=tuple(files),
        extra=extra,
    )


def _attachments(
    ctx: Context, message: p.Message
) -> tuple[list[InboundAttachment], list[str], list[str]]:
    """(files, text lines describing the rest, refusal reasons)."""
    files: list[InboundAttachment] = []
    notes: list[str] = []
    refused: list[str] = []
    seen_urls: set[str] = set()
    link_notes: dict[str, int] = {}
    sticker = message.sticker_id is not None
    for index, att in enumerate(message.attachments, start=1):
        payload = att.payload or p.AttachmentPayload()
        url = payload.url or ""
        if att.type == "location" or payload.coordinates:
            coords = payload.coordinates or {}
            lat, lon = coords.get("lat"), coords.get("long")
            if lat is not None and lon is not None:
                notes.append(
                    _("[Location] %(lat)s, %(lon)s") % {"lat": lat, "lon": lon}
                    + f" https://www.openstreetmap.org/?mlat={lat}&mlon={lon}#map=17/{lat}/{lon}"
                )
            continue
        if att.type in FILE_TYPES and url:
            if url in seen_urls:
                continue  # Meta sends a sticker as both "image" and "sticker" for a while
            seen_urls.add(url)
            is_sticker = att.type == "sticker" or payload.sticker_id is not None or sticker
            if is_sticker:
                notes.append(_("[Sticker]"))
            name = "sticker" if is_sticker else f"{att.type}-{index}"
            media = _download(ctx, url, name, refused)
            if media is not None:
                files.append(media)
            continue
        if att.type in LINK_ONLY_TYPES:
            label = {
                "story_mention": _("[Mentioned you in their story]"),
            }.get(att.type, _("[Shared a post]"))
            note = " ".join(x for x in (label, payload.title or "", url) if x)
            if url in link_notes:
                # Meta sends a shared post both as "share" and as "ig_post" (with the
                # caption): one line, the fuller one.
                if payload.title:
                    notes[link_notes[url]] = note
                continue
            link_notes[url] = len(notes)
            notes.append(note)
            continue
        if att.type == "fallback":
            title = payload.title or att.title or ""
            link = url or att.url or ""
            if link and link in (message.text or ""):
                link = ""  # the text already shows it
            notes.append(" ".join(x for x in (_("[Link]"), title, link) if x))
            continue
        notes.append(_("[Attachment of type %(type)s]") % {"type": att.type or "?"})
    return files, notes, refused


def _kinds_label(message: p.Message) -> str:
    labels = {
        "image": _("[Image]"),
        "video": _("[Video]"),
        "audio": _("[Voice message]"),
        "file": _("[File]"),
    }
    kinds = dict.fromkeys(labels.get(a.type, _("[File]")) for a in message.attachments)
    return " ".join(kinds) or _("[File]")


def _download(ctx: Context, url: str, name: str, refused: list[str]) -> InboundAttachment | None:
    if ctx.graph is None:
        refused.append(f"{name}: {_('not downloaded')}")
        return None
    try:
        media = ctx.graph.download(url, max_bytes=ctx.max_bytes, fallback_name=name)
    except GraphError as exc:
        if not exc.permanent:
            raise  # the event is retried with backoff; the same ids come out next time
        refused.append(f"{name}: {exc}")
        return None
    return InboundAttachment(
        filename=media.filename, content_type=media.content_type, content=media.content
    )


def _postback(ctx: Context, item: p.Messaging, postback: p.Postback) -> Parsed:
    if not item.sender.id:
        return Ignored("postback without sender")
    # Older API versions send no mid: what identifies the tap is who, when and which button.
    external_id = (
        postback.mid
        or "postback:"
        + hashlib.sha256(
            f"{item.sender.id}:{item.timestamp}:{postback.payload}".encode()
        ).hexdigest()[:40]
    )
    text = postback.title or postback.payload
    if not text:
        return Ignored("postback without title or payload")
    return _inbound(
        ctx,
        item,
        external_id=external_id,
        text=text,
        extra={"postback_payload": postback.payload},
    )


def _delivery(ctx: Context, item: p.Messaging, delivery: p.Delivery) -> list[Parsed]:
    when = _when(item.timestamp) or _when(delivery.watermark)
    receipts: list[Parsed] = [
        DeliveryReceipt(channel_id=ctx.channel_id, external_id=mid, occurred_at=when)
        for mid in delivery.mids
    ]
    if delivery.watermark:
        receipts.append(
            DeliveryReceipt(
                channel_id=ctx.channel_id,
                recipient=item.sender.id,
                watermark=_when(delivery.watermark),
                occurred_at=when,
            )
        )
    return receipts or [Ignored("delivery without message ids or watermark")]


def _read(ctx: Context, item: p.Messaging, read: p.Read) -> Parsed:
    when = _when(item.timestamp) or _when(read.watermark)
    if read.mid:  # Instagram's messaging_seen
        return DeliveryReceipt(
            channel_id=ctx.channel_id, external_id=read.mid, state="read", occurred_at=when
        )
    if read.watermark:
        return DeliveryReceipt(
            channel_id=ctx.channel_id,
            state="read",
            recipient=item.sender.id,
            watermark=_when(read.watermark),
            occurred_at=when,
        )
    return Ignored("read without watermark or message id")
