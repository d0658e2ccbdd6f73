"""``{% load email_html %}{% email_html message %}``: a mail's HTML as the agent sees it.

Inline (cid:) images point at their stored attachments; remote images stay out unless
``allow_remote`` is true (the agent clicked "show images").
"""

from __future__ import annotations

from typing import Any

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from sangdam.connectors.email.htmlbody import render_html
from sangdam.tickets.models import Message

register = template.Library()


@register.simple_tag
def email_html(message: Message, allow_remote: bool = False) -> SafeString:
    meta: dict[str, Any] = (message.metadata or {}).get("email") or {}
    inline: dict[str, str] = meta.get("inline_images") or {}
    by_name = {a.filename: a.pk for a in message.attachments.all()}

    def inline_url(content_id: str) -> str | None:
        pk = by_name.get(inline.get(content_id, ""))
        return reverse("console:attachment", args=[pk]) if pk else None

    html = render_html(
        message.html,
        remote_images=list(meta.get("remote_images") or []),
        inline_url=inline_url,
        allow_remote=allow_remote,
    )
    return mark_safe(html)  # noqa: S308 (sanitized by nh3 in render_html)
