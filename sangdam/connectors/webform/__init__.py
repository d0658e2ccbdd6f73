"""The homepage form channel: turning a checked form submission into an InboundMessage.

The form itself (validation, CSRF, rate limits) lives in :mod:`sangdam.portal`; this
module owns only the mapping onto the pipeline's contract, like every other connector.
Replies to web-form tickets go out by email (:mod:`sangdam.connectors.email.by_email`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sangdam.connectors.base import InboundAttachment, InboundMessage, SenderIdentity
from sangdam.connectors.models import Channel, ChannelKind
from sangdam.core.memo import Memo

_channels = Memo(Channel)


@dataclass(frozen=True)
class Submission:
    """What a customer sent through the form, already validated."""

    nonce: str  # one per rendered form: a double submit of the same form is one inquiry
    name: str
    email: str
    text: str
    subject: str = ""
    phone: str = ""  # E.164
    topic_slug: str = ""
    language: str = ""
    ticket_reference: str = ""  # set for a reply from the status page
    files: tuple[InboundAttachment, ...] = ()
    metadata: dict[str, Any] = field(default_factory=dict)


def webform_channel() -> Channel | None:
    """The enabled web-form channel (None when an admin switched the form off).

    A fresh install has none yet: one is created on first use so the form just works.
    """
    channels = _channels.get(
        "webform", lambda: list(Channel.objects.filter(kind=ChannelKind.WEBFORM).order_by("id"))
    )
    if not channels:
        channel, _ = Channel.objects.get_or_create(
            kind=ChannelKind.WEBFORM, defaults={"name": "Web form"}
        )
        return channel
    return next((c for c in channels if c.enabled), None)


def to_inbound(submission: Submission, channel: Channel) -> InboundMessage:
    identities = [SenderIdentity("email", submission.email)]
    if submission.phone:
        identities.append(SenderIdentity("phone", submission.phone))
    return InboundMessage(
        channel_id=channel.pk,
        external_id=f"webform:{submission.nonce}",
        identities=tuple(identities),
        # One line each: names and subjects end up in mail headers and list rows.
        sender_name=" ".join(submission.name.split())[:200],
        subject=" ".join(submission.subject.split())[:300],
        text=submission.text,
        attachments=submission.files,
        ticket_reference=submission.ticket_reference,
        topic_slug=submission.topic_slug,
        language=submission.language,
        metadata=dict(submission.metadata),
    )
