"""``{% load email_html %}{% email_html message %}``: a mail's HTML as the agent sees it.

Inline (cid:) images point at their stored attachments; remote images stay out unless
``allow_remote`` is true (the agent clicked "show images").
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import template
from django.urls import reverse
from django.utils.safestring import SafeString, mark_safe

from sangdam.connectors.email.htmlbody import render_html
from sangdam.tickets.models import Message

register = template.Library()


def _meta(message: Message) -> dict[str, Any]:
    metadata = message.metadata if isinstance(message.metadata, dict) else {}
    meta = metadata.get("email")
    return meta if isinstance(meta, dict) else {}


@register.simple_tag
def email_html(message: Message, allow_remote: bool = False, full: bool = False) -> SafeString:
    """``full``: the whole mail kept in the metadata (quotes and signature included)."""
    meta = _meta(message)
    inline: dict[str, str] = meta.get("inline_images") or {}
    by_name = {a.filename: a.pk for a in message.attachments.all()}

    def inline_url(content_id: str) -> str | None:
        pk = by_name.get(inline.get(content_id, ""))
        return reverse("console:attachment", args=[pk]) if pk else None

    html = render_html(
        str(meta.get("full_html") or "") if full else message.html,
        remote_images=list(meta.get("remote_images") or []),
        inline_url=inline_url,
        allow_remote=allow_remote,
    )
    return mark_safe(html)  # noqa: S308 (sanitized by nh3 in render_html)


@dataclass(frozen=True)
class AuthBadge:
    method: str  # "DKIM", "SPF", "DMARC"
    result: str  # "pass", "fail", "none", ...
    passed: bool


@dataclass(frozen=True)
class AuthSummary:
    badges: tuple[AuthBadge, ...]
    trusted: bool
    server: str


@register.simple_tag
def email_auth(message: Message) -> AuthSummary | None:
    """The DKIM/SPF/DMARC verdicts recorded for an inbound mail (authresults.py), or None.

    ``trusted`` is False when the verdicts come from a header the operator did not name
    as their own server's: the sender could have written it.
    """
    auth = _meta(message).get("authentication")
    if not isinstance(auth, dict):
        return None
    badges = tuple(
        AuthBadge(method.upper(), str(auth[method]), str(auth[method]) == "pass")
        for method in ("dkim", "spf", "dmarc")
        if auth.get(method)
    )
    if not badges:
        return None
    return AuthSummary(
        badges=badges, trusted=bool(auth.get("trusted")), server=str(auth.get("authserv_id", ""))
    )
