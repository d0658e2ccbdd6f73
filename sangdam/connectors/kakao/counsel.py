"""상담톡 inbound: what a dealer posts to ``/hooks/kakao/<channel key>/counsel/<event>``.

The dealer is given ``https://<sangdam>/hooks/kakao/<channel key>/counsel`` as its
receiving domain and posts each event under it, as Kakao's hub-partner API does:

- ``…/message``: a customer message — ``user_key``, ``sender_key``, ``session_id``,
  ``serial_number`` (unique per message: a repeat is one message), ``time`` (ms),
  ``type`` (text, photo, video, audio, file) with ``content`` (the text) and, for media,
  ``attachment`` (``url``, optional ``name``, ``size``);
- ``…/reference``: the session starts (the consult button; Happytalk's "사용자 메타 정보
  수신": ``user_key``, ``session_id``, ``reference.extra``);
- ``…/expired_session``: the session ended (``user_key``, ``session_id``).

Field names follow Kakao's hub-partner 상담톡 spec as Happytalk relays it; a dealer whose
names differ needs only :func:`read_event` adapted.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _

from sangdam.connectors.base import (
    Ignored,
    InboundAttachment,
    InboundMessage,
    MalformedEvent,
    Parsed,
    SenderIdentity,
)
from sangdam.connectors.http import ProviderError, fetch_untrusted
from sangdam.connectors.kakao.models import CounselSession
from sangdam.connectors.models import Channel
from sangdam.tickets.attachments import AttachmentRejected, check_attachment
from sangdam.tickets.models import Status, Ticket

SESSION_LIFETIME = dt.timedelta(days=30)
MEDIA_TYPES = {"photo", "image", "video", "audio", "file"}
EVENTS = ("message", "reference", "expired_session")


@dataclass(frozen=True)
class CounselEvent:
    kind: str  # "message" | "reference" | "expired_session"
    user_key: str
    session_id: str
    data: dict[str, Any]

    @property
    def at(self) -> dt.datetime:
        ms = self.data.get("time")
        if isinstance(ms, int | float) and ms > 0:
            return dt.datetime.fromtimestamp(ms / 1000, tz=dt.UTC)
        return timezone.now()


def read_event(subpath: str, data: Any) -> CounselEvent:
    kind = subpath.rstrip("/").rsplit("/", 1)[-1]
    if kind not in EVENTS or not isinstance(data, dict):
        raise MalformedEvent(f"not a 상담톡 event: {subpath!r}")
    user_key = str(data.get("user_key") or "")
    if not user_key:
        raise MalformedEvent("no user_key")
    return CounselEvent(kind, user_key, str(data.get("session_id") or ""), data)


def event_id(event: CounselEvent) -> str:
    if event.kind == "message" and event.data.get("serial_number"):
        return f"counsel:{event.data['serial_number']}"
    return f"{event.kind}:{event.user_key}:{event.session_id}:{event.data.get('time', '')}"


# --- sessions -----------------------------------------------------------------------------


def note_session(channel: Channel, event: CounselEvent) -> None:
    """Keep the user's session as the dealer reports it (start, each message, end)."""
    session, _created = CounselSession.objects.get_or_create(
        channel=channel, user_key=event.user_key
    )
    fields = ["session_id"]
    session.session_id = event.session_id or session.session_id
    if event.kind == "expired_session":
        session.ended_at = event.at
        fields.append("ended_at")
    else:
        if session.ended_at is not None and session.ended_at <= event.at:
            session.ended_at = None
            fields.append("ended_at")
        if event.kind == "message" and (
            session.last_customer_at is None or session.last_customer_at < event.at
        ):
            session.last_customer_at = event.at
            fields.append("last_customer_at")
    session.save(update_fields=fields)


def session_ended_at(channel: Channel, user_keys: list[str]) -> dt.datetime | None:
    """When the customer's session was ended (by either side), if it is ended now."""
    ends = [
        s.ended_at
        for s in CounselSession.objects.filter(channel=channel, user_key__in=user_keys)
        if s.ended_at is not None
        and (s.last_customer_at is None or s.ended_at >= s.last_customer_at)
    ]
    return max(ends) if ends else None


# --- messages -----------------------------------------------------------------------------


def _media(event: CounselEvent) -> tuple[list[InboundAttachment], list[str]]:
    """The message's file fetched from Kakao's servers; (attachments, links not fetched)."""
    attachment = event.data.get("attachment")
    url = ""
    name = ""
    if isinstance(attachment, dict):
        url = str(attachment.get("url") or "")
        name = str(attachment.get("name") or "")
    elif isinstance(attachment, str):
        url = attachment
    if not url:
        return [], []
    name = name or url.rsplit("/", 1)[-1].split("?", 1)[0] or "file"
    try:
        response = fetch_untrusted(
            url, label="kakao 상담톡", max_bytes=settings.ATTACHMENT_MAX_BYTES
        )
        checked = check_attachment(name, response.content)
    except (ProviderError, AttachmentRejected):
        return [], [url]
    return [
        InboundAttachment(
            filename=checked.filename,
            content_type=checked.content_type,
            content=checked.content,
            sha256=checked.sha256,
        )
    ], []


def _open_ticket_of(channel: Channel, user_key: str) -> str:
    """The reference of the customer's newest open ticket on this channel (a chatbot
    inquiry handed over to an agent, or the 상담톡 conversation going on), else ""."""
    ticket = (
        Ticket.objects.filter(
            Q(channel=channel) | Q(messages__channel=channel),
            customer__identities__kind="kakao",
            customer__identities__value=user_key,
            status__in=[Status.NEW, Status.OPEN, Status.PENDING],
        )
        .order_by("-updated_at", "-id")
        .values_list("reference", flat=True)
        .first()
    )
    return ticket or ""


def parse(channel: Channel, event: CounselEvent) -> list[Parsed]:
    note_session(channel, event)
    if event.kind != "message":
        return [Ignored(f"상담톡 session {event.kind.replace('_', ' ')}: {event.session_id}")]
    kind = str(event.data.get("type") or "text").lower()
    text = str(event.data.get("content") or "").strip()
    attachments: list[InboundAttachment] = []
    if kind in MEDIA_TYPES:
        attachments, links = _media(event)
        if links:
            text = "\n".join([text, _("(file sent in KakaoTalk: %(url)s)") % {"url": links[0]}]).strip()  # fmt: skip
        if not text and not attachments:
            text = _("(a %(type)s message)") % {"type": kind}
    elif kind != "text" and not text:
        text = _("(a %(type)s message KakaoTalk sent that Sangdam cannot show)") % {"type": kind}
    return [
        InboundMessage(
            channel_id=channel.pk,
            external_id=f"counsel:{event.data.get('serial_number') or event_id(event)}",
            identities=(SenderIdentity("kakao", event.user_key),),
            text=text,
            attachments=tuple(attachments),
            ticket_reference=_open_ticket_of(channel, event.user_key),
            thread_key=f"kakao:{event.user_key}",
            received_at=event.at,
            message_metadata={"kakao_session": event.session_id},
        )
    ]
