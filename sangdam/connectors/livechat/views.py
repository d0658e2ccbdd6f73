"""The hosted chat page (``/chat/<key>``: links, the app's webview, the widget's frame),
the embeddable ``/chat/widget.js`` and the widget's settings (``/chat/<key>/widget.json``)."""

from __future__ import annotations

from functools import cache
from pathlib import Path

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils.html import strip_tags
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_GET

from sangdam.connectors.livechat import conversation
from sangdam.connectors.livechat.config import MAX_TEXT, LivechatConfig, channel_config
from sangdam.connectors.models import Channel
from sangdam.portal.common import use_language
from sangdam.routing.waits import channel_waits
from sangdam.service.promise import expected_first_response
from sangdam.tickets.selectors import topic_list

WIDGET_JS = Path(__file__).parents[1] / "static" / "livechat" / "widget.js"


def _channel(key: str) -> Channel:
    channel = conversation.find_channel(key)
    if channel is None:
        raise Http404(_("This chat does not exist or is switched off."))
    return channel


def _strings() -> dict[str, str]:
    """Every text the chat's script shows, in the page's language (gettext, no JS catalog)."""
    return {
        "connecting": _("Connecting…"),
        "reconnecting": _("Connection lost. Reconnecting…"),
        "connected": _("Connected"),
        "sending": _("Sending…"),
        "sent": _("Sent"),
        "read": _("Read"),
        "failed": _("Not sent yet: it will be sent when the connection is back."),
        "agent": _("Agent"),
        "you": _("You"),
        "typing": _("%(name)s is typing…"),
        "online": _("Agents are available now."),
        "offline": _("No one is available right now. Leave a message and we will answer by email."),
        "opens": _("We are back at %(time)s."),
        "thanks_offline": _("Thank you. We will answer by email at %(email)s."),
        "rate_limited": _("You are sending messages too fast. Please wait a moment."),
        "too_long": _("This message is too long."),
        "email_needed": _("Please give your email address so that we can answer."),
        "email_required": _("Email (required: we answer there)"),
        "transcript_sent": _("The conversation is on its way to %(email)s."),
        "no_chat": _("This chat has already ended."),
    }


def _frame_ancestors(config: LivechatConfig) -> list[str] | None:
    """Who may frame the chat (CSP frame-ancestors); None: any site."""
    origins = [
        o.rstrip("/") for o in config.allowed_origins if o.startswith(("https://", "http://"))
    ]
    return ["'self'", *origins] if origins else None


def _expectation(channel: Channel) -> str:
    """What to expect, under "agents are available" or not: with someone online, the
    honest wait now ("Wait now: about 3 minutes"); with nobody (the answer then comes by
    email), the promised first answer and today's hours, as the thank-you page says them."""
    waits = channel_waits(channel_ids=[channel.pk])
    live = [w for w in waits if not w.reason]
    if live:
        html = render_to_string("routing/wait_line.html", {"wait": live[0]})
        return strip_tags(html).strip()
    return expected_first_response(channel_id=channel.pk)


@xframe_options_exempt
@require_GET
def chat_page(request: HttpRequest, key: str) -> HttpResponse:
    channel = _channel(key)
    lang = use_language(request)
    config = channel_config(channel)
    language = (lang or get_language() or "ko")[:2]
    context = {
        "channel": channel,
        "config": config,
        "lang": language,
        "embedded": request.GET.get("embed") == "1",
        "greeting": config.greeting or _("Hello! Ask us anything."),
        "topics": [(t.slug, t.name(language)) for t in topic_list()],
        "max_text": MAX_TEXT,
        "strings": _strings(),
        "expectation": _expectation(channel),
        "socket_path": f"/ws/chat/{channel.key}/",
        "page_url": str(request.GET.get("page") or "")[:500],
        # Checked by the socket, not here: the page only passes them on.
        "user_id": str(request.GET.get("user_id") or "")[:200],
        "user_hash": str(request.GET.get("user_hash") or "")[:128],
    }
    response = render(request, "livechat/chat.html", context)
    response._csp_replace = {  # type: ignore[attr-defined]
        "frame-ancestors": _frame_ancestors(config)
    }
    return response


@require_GET
def widget_settings(request: HttpRequest, key: str) -> JsonResponse:
    """What widget.js needs before it draws the launcher (read cross-site: CORS open)."""
    channel = _channel(key)
    use_language(request)
    config = channel_config(channel)
    response = JsonResponse(
        {
            "color": config.color,
            "position": config.position,
            "label": _("Chat with us"),
            "close": _("Close the chat"),
            "title": channel.name,
            "available": conversation.availability(channel).available,
        }
    )
    response["Access-Control-Allow-Origin"] = "*"
    response["Cache-Control"] = "public, max-age=30"
    return response


@cache
def _widget_source() -> bytes:
    return WIDGET_JS.read_bytes()


@require_GET
def widget_js(request: HttpRequest) -> HttpResponse:
    response = HttpResponse(_widget_source(), content_type="text/javascript; charset=utf-8")
    response["Cache-Control"] = "public, max-age=300"
    response["Access-Control-Allow-Origin"] = "*"
    return response
