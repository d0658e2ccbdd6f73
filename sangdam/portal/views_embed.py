"""For admins: the snippets that put the inquiry form on the company's website."""

from __future__ import annotations

from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.html import format_html

from sangdam.console.permissions import admin_required
from sangdam.portal.common import page
from sangdam.tickets import selectors


@admin_required
def embed(request: HttpRequest) -> HttpResponse:
    topics = selectors.topic_list()
    topic = str(request.GET.get("topic") or "")
    lang = str(request.GET.get("form_lang") or "")
    params = {k: v for k, v in (("topic", topic), ("lang", lang)) if v}
    base = settings.SITE_URL.rstrip("/") + reverse("portal:new")
    link = base + (f"?{urlencode(params)}" if params else "")
    framed = base + "?" + urlencode({**params, "embed": "1"})
    # Valid HTML to paste: the URLs' "&" are escaped inside the attributes.
    iframe = format_html(
        '<iframe src="{}" title="Customer inquiry form" '
        'style="width:100%;max-width:760px;height:1400px;border:0" loading="lazy"></iframe>',
        framed,
    )
    anchor = format_html('<a href="{}" target="_blank" rel="noopener">Contact us</a>', link)
    context = {
        "topics": topics,
        "topic": topic,
        "form_lang": lang,
        "link": link,
        "iframe": iframe,
        "anchor": anchor,
        "hidden_fields": settings.PORTAL_HIDDEN_FIELDS,
    }
    return page(request, "portal/embed.html", context)
