"""Telegram updates (https://core.telegram.org/bots/api#update) as InboundMessages.

Pure functions over the update's JSON; media are fetched by the connector (``getFile``)
through a callback, so parsing is testable without a server.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sangdam.connectors.base import (
    Ignored,
    InboundAttachment,
    InboundMessage,
    MalformedEvent,
    Parsed,
    SenderIdentity,
)

# (file_id, filename, content type) -> the attachment, or a sentence why it was refused
FetchFile = Callable[[str, str, str, int], "InboundAttachment | str"]


@dataclass(frozen=True)
class StartCommand:
    """``/start`` (a new chat, or the deep link): greet, do not open a ticket."""

    chat_id: int
    language: str


def _name(user: dict[str, Any]) -> str:
    name = " ".join(p for p in (user.get("first_name"), user.get("last_name")) if p)
    return name or (f"@{user['username']}" if user.get("username") else "")


def _largest_photo(photos: list[dict[str, Any]]) -> dict[str, Any]:
    return max(
        photos, key=lambda p: (p.get("width", 0) * p.get("height", 0), p.get("file_size", 0))
    )


def parse_update(
    update: Any, *, channel_id: int, fetch_file: FetchFile
) -> list[Parsed | StartCommand]:
    """One update → what it carries for the inbox (at most one message)."""
    if not isinstance(update, dict) or not isinstance(update.get("update_id"), int):
        raise MalformedEvent("not a Telegram update (no update_id)")
    edited = "edited_message" in update
    message = update.get("edited_message") if edited else update.get("message")
    if not isinstance(message, dict):
        kinds = sorted(k for k in update if k != "update_id")
        return [Ignored(f"update type not handled: {', '.join(kinds) or 'empty'}")]
    chat = message.get("chat") or {}
    user = message.get("from") or {}
    if chat.get("type") != "private":
        return [Ignored(f"messages in {chat.get('type', 'unknown')} chats are not taken in")]
    if not isinstance(user.get("id"), int) or user.get("is_bot"):
        return [Ignored("not written by a person")]
    language = str(user.get("language_code") or "")[:2]
    text = str(message.get("text") or message.get("caption") or "")
    if not edited and text.strip().split("@")[0] in ("/start", "/help"):
        return [StartCommand(chat_id=int(chat["id"]), language=language)]

    attachments: list[InboundAttachment] = []
    notes: list[str] = []
    refused: list[str] = []

    def attach(file: dict[str, Any], filename: str, content_type: str) -> None:
        got = fetch_file(
            str(file["file_id"]), filename, content_type, int(file.get("file_size") or 0)
        )
        if isinstance(got, str):
            refused.append(got)
        else:
            attachments.append(got)

    message_id = int(message["message_id"])
    if message.get("photo"):
        attach(_largest_photo(message["photo"]), f"photo-{message_id}.jpg", "image/jpeg")
    if isinstance(message.get("document"), dict):
        doc = message["document"]
        attach(
            doc,
            str(doc.get("file_name") or f"file-{message_id}"),
            str(doc.get("mime_type") or "application/octet-stream"),
        )
    if isinstance(message.get("voice"), dict):
        voice = message["voice"]
        notes.append(f"🎤 Voice message ({voice.get('duration', 0)} s)")
        attach(voice, f"voice-{message_id}.ogg", str(voice.get("mime_type") or "audio/ogg"))
    if isinstance(message.get("sticker"), dict):
        sticker = message["sticker"]
        notes.append(f"[Sticker {sticker.get('emoji', '')}]".replace(" ]", "]"))
        animated = sticker.get("is_animated") or sticker.get("is_video")
        if not animated:
            attach(sticker, f"sticker-{message_id}.webp", "image/webp")
    if isinstance(message.get("location"), dict):
        loc = message["location"]
        lat, lon = loc.get("latitude"), loc.get("longitude")
        notes.append(
            f"📍 Location: {lat}, {lon} https://www.openstreetmap.org/?mlat={lat}&mlon={lon}"
        )
    if not text and not notes and not attachments and not refused:
        kinds = sorted(k for k in message if k not in _ENVELOPE)
        return [Ignored(f"message content not handled: {', '.join(kinds) or 'empty'}")]

    body = "\n".join(p for p in (text, *notes) if p)
    external_id = f"{chat['id']}:{message_id}"
    sent = message.get("edit_date") if edited else message.get("date")
    if edited:
        external_id += f":edit:{message.get('edit_date', 0)}"
        body = f"(edited) {body}"
    metadata: dict[str, Any] = {"telegram": {"chat_id": chat["id"], "message_id": message_id}}
    if refused:
        metadata["refused_attachments"] = refused
    return [
        InboundMessage(
            channel_id=channel_id,
            external_id=external_id,
            identities=(SenderIdentity("telegram", str(user["id"])),),
            sender_name=_name(user),
            text=body,
            attachments=tuple(attachments),
            thread_key=f"chat:{chat['id']}",
            language="",
            received_at=dt.datetime.fromtimestamp(sent, tz=dt.UTC)
            if isinstance(sent, int)
            else None,
            message_metadata=metadata,
        )
    ]


_ENVELOPE = frozenset(
    {"message_id", "from", "chat", "date", "edit_date", "text", "caption", "entities"}
)
