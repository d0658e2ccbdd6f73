"""Request and response shapes of the app API (they become /api/app/v1/openapi.json).

Every JSON body forbids unknown fields: an app sending ``"txt"`` for ``"text"`` gets a
422 naming the field instead of a silently empty inquiry.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Literal

from django.conf import settings
from ninja import Field, Schema
from pydantic import ConfigDict, field_validator, model_validator

from sangdam.api.schemas import ERRORS, Problem
from sangdam.tickets.models import Message, Ticket

__all__ = ["ERRORS", "Problem"]

TEXT_MAX = 20_000
METADATA_MAX_ITEMS = 30
MAX_FILES = 5


class StrictIn(Schema):
    model_config = ConfigDict(extra="forbid")


class TopicFieldOut(Schema):
    """An extra question a topic asks (order number, ...), as admins defined it for the web form."""

    key: str
    label: str
    type: Literal["text", "number", "select", "date"]
    required: bool
    options: list[str]


class TopicOut(Schema):
    slug: str
    name: str
    fields: list[TopicFieldOut]


class SuggestIn(StrictIn):
    text: str = Field(..., min_length=1, max_length=TEXT_MAX)
    limit: int = Field(5, ge=1, le=20)


class ArticleOut(Schema):
    id: int
    title: str
    url: str
    snippet: str


class InquiryForm(Schema):
    """The multipart form fields of a new inquiry (plus up to 5 ``files``)."""

    text: str = Field(..., min_length=1, max_length=TEXT_MAX)
    topic: str = Field("", max_length=50, description="a topic slug from GET /topics")
    app_version: str = Field("", max_length=50)
    os: str = Field("", max_length=30, description="e.g. iOS, Android")
    os_version: str = Field("", max_length=30)
    device_model: str = Field("", max_length=80)
    locale: str = Field("", max_length=35, description="BCP 47, e.g. ko-KR")
    time_zone: str = Field("", max_length=64, description="IANA, e.g. Asia/Seoul")
    metadata: str = Field(
        "",
        max_length=20_000,
        description='JSON object of custom key/values shown to the agent, e.g. {"plan": "pro"}',
    )

    @field_validator("text")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value


class ReplyForm(Schema):
    text: str = Field(..., min_length=1, max_length=TEXT_MAX)

    @field_validator("text")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value


class InquiryCreated(Schema):
    id: int
    reference: str


class AttachmentOut(Schema):
    id: int
    filename: str
    content_type: str
    size: int


class ThreadMessageOut(Schema):
    id: int
    author: Literal["me", "agent"]
    author_name: str
    text: str
    created_at: dt.datetime
    attachments: list[AttachmentOut]

    @staticmethod
    def resolve_author(obj: Message) -> str:
        return "me" if obj.direction == "in" else "agent"

    @staticmethod
    def resolve_author_name(obj: Message) -> str:
        if obj.direction == "in" or obj.author_user is None:
            return ""
        return obj.author_user.name

    @staticmethod
    def resolve_attachments(obj: Message) -> list[Any]:
        return list(obj.attachments.all())


class InquiryOut(Schema):
    id: int
    reference: str
    subject: str
    status: Literal["new", "open", "pending", "solved", "closed"]
    topic: str | None
    unread_count: int
    created_at: dt.datetime
    last_activity_at: dt.datetime

    @staticmethod
    def resolve_topic(obj: Ticket) -> str | None:
        return obj.topic.slug if obj.topic_id and obj.topic else None

    @staticmethod
    def resolve_unread_count(obj: Ticket) -> int:
        return int(getattr(obj, "unread_count", 0))


class InquiryPageOut(Schema):
    items: list[InquiryOut]
    next_cursor: str | None


class ThreadOut(Schema):
    inquiry: InquiryOut
    messages: list[ThreadMessageOut]
    next_cursor: str | None


class ReplyCreated(Schema):
    id: int
    inquiry_id: int
    reference: str


class UnreadOut(Schema):
    unread_count: int


class CallbackIn(Schema):
    number: str = Field(..., max_length=32, description="The number to call (E.164 or local).")
    start: dt.datetime = Field(..., description="Start of the window, ISO 8601 with offset.")
    end: dt.datetime = Field(..., description="End of the window (the same opening span).")
    name: str = Field("", max_length=120)


class CallbackCreated(Schema):
    reference: str
    start: dt.datetime
    end: dt.datetime


def _schemes() -> tuple[str, ...]:
    # Browsers' push services are all https; tests point subscriptions at a local server.
    return ("https://", "http://") if settings.APP_PUSH_ALLOW_HTTP else ("https://",)


class PushTokenIn(StrictIn):
    kind: Literal["fcm", "apns", "webpush"]
    token: str = Field("", max_length=1000, description="FCM or APNs device token")
    subscription: dict[str, Any] | None = Field(
        None, description='Web Push: {"endpoint": ..., "keys": {"p256dh": ..., "auth": ...}}'
    )
    locale: str = Field("", max_length=35)

    @model_validator(mode="after")
    def _has_target(self) -> PushTokenIn:
        if self.kind == "webpush":
            sub = self.subscription or {}
            keys = sub.get("keys") if isinstance(sub.get("keys"), dict) else {}
            endpoint = sub.get("endpoint")
            if not (
                isinstance(endpoint, str)
                and endpoint.startswith(_schemes())
                and isinstance(keys, dict)
                and isinstance(keys.get("p256dh"), str)
                and isinstance(keys.get("auth"), str)
            ):
                raise ValueError("subscription needs an https endpoint and keys p256dh, auth")
            if len(endpoint) > 1000 or len(keys["p256dh"]) > 200 or len(keys["auth"]) > 100:
                raise ValueError("subscription endpoint or keys are too long")
        elif not self.token.strip():
            raise ValueError("token is required for fcm and apns")
        return self


def web_push_subscription(value: dict[str, Any]) -> dict[str, Any]:
    """Only what sending needs: endpoint and keys (browsers add other fields)."""
    keys = value["keys"]
    return {"endpoint": value["endpoint"], "keys": {"p256dh": keys["p256dh"], "auth": keys["auth"]}}


class PushTokenOut(Schema):
    id: int
    kind: str
