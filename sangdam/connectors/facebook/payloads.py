"""The Messenger Platform's webhook payload, as pydantic models.

Documented shapes (Messenger Platform "Webhook Events Reference", Instagram Messaging
"Webhooks"): ``{"object": "page"|"instagram", "entry": [{"id", "time", "messaging": [...]}]}``
where each messaging item has ``sender``, ``recipient``, ``timestamp`` (ms) and one of
``message``, ``postback``, ``delivery``, ``read``, ``reaction``, ... Unknown fields are kept
(``extra="allow"``) so a new Meta field never makes an event unreadable.
"""

from __future__ import annotations

from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class _Model(BaseModel):
    model_config = ConfigDict(extra="allow")


class Party(_Model):
    id: str = ""


class AttachmentPayload(_Model):
    url: str | None = None
    title: str | None = None
    sticker_id: int | str | None = None
    coordinates: dict[str, float] | None = None


class Attachment(_Model):
    type: str = ""
    payload: AttachmentPayload | None = None
    title: str | None = None
    url: str | None = None


class QuickReply(_Model):
    payload: str = ""


class Story(_Model):
    id: str = ""
    url: str = ""


class ReplyTo(_Model):
    mid: str | None = None
    story: Story | None = None


class Message(_Model):
    mid: str = ""
    text: str | None = None
    is_echo: bool = False
    is_deleted: bool = False
    is_unsupported: bool = False
    quick_reply: QuickReply | None = None
    attachments: list[Attachment] = Field(default_factory=list)
    reply_to: ReplyTo | None = None
    sticker_id: int | str | None = None


class Postback(_Model):
    mid: str | None = None
    title: str = ""
    payload: str = ""


class Delivery(_Model):
    mids: list[str] = Field(default_factory=list)
    watermark: int | None = None


class Read(_Model):
    watermark: int | None = None
    mid: str | None = None  # Instagram's messaging_seen names the message


class Messaging(_Model):
    sender: Party = Field(default_factory=Party)
    recipient: Party = Field(default_factory=Party)
    timestamp: int | None = None
    message: Message | None = None
    postback: Postback | None = None
    delivery: Delivery | None = None
    read: Read | None = None


class Entry(_Model):
    id: str = ""
    time: int | None = None
    messaging: list[Messaging] = Field(default_factory=list)
    standby: list[dict[str, Any]] = Field(default_factory=list)
    changes: list[dict[str, Any]] = Field(default_factory=list)


class Notification(_Model):
    object: str = ""
    entry: list[Entry] = Field(default_factory=list)
