"""The chat's transcript by email, sent by a worker (never from the socket's event loop)."""

from __future__ import annotations

import datetime as dt

from django.core.mail import EmailMessage
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django_tasks import task

from sangdam.connectors.livechat import conversation
from sangdam.connectors.models import Channel
from sangdam.connectors.selectors import default_sender_address


def transcript_text(channel: Channel, visitor: str) -> str:
    lines = []
    for item in conversation.history(channel=channel, visitor=visitor):
        when = timezone.localtime(dt.datetime.fromisoformat(item["at"]))
        who = _("You") if item["from"] == "visitor" else (item.get("author") or _("Agent"))
        files = ", ".join(a["name"] for a in item.get("attachments", []))
        text = item["text"] + (f" [{files}]" if files else "")
        lines.append(f"[{when:%Y-%m-%d %H:%M}] {who}: {text}")
    return "\n".join(lines)


@task()
def send_transcript(channel_id: int, visitor: str, address: str, language: str) -> None:
    channel = Channel.objects.filter(pk=channel_id).first()
    if channel is None:
        return
    with translation.override(language or "ko"):
        body = transcript_text(channel, visitor)
        if not body:
            return
        mail = EmailMessage(
            subject=_("Your chat with %(name)s") % {"name": channel.name},
            body=body + "\n",
            from_email=default_sender_address(),
            to=[address],
            # RFC 3834: an autoresponder must not answer it.
            headers={"Auto-Submitted": "auto-generated"},
        )
        mail.send()
