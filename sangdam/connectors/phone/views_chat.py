"""A live chat visitor asks to be called back (the chat's "Call me back" form).

Authenticated like the chat's uploads, by the signed visitor token in the form (the chat
runs in a frame on another site, where our cookies are withheld; a token an attacker's
page cannot read needs no CSRF check). The request is the contact page's
(:func:`sangdam.connectors.phone.callbacks.request_callback`: a one-hour window within the
phone line's hours), carrying the visitor's chat identity, so it lands with the customer
who is chatting.
"""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.http import HttpRequest, JsonResponse
from django.utils import translation
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_exempt
from django.views.decorators.http import require_POST

from sangdam.connectors.base import SenderIdentity
from sangdam.connectors.livechat.config import BadToken, visitor_from_token
from sangdam.connectors.livechat.conversation import find_channel
from sangdam.connectors.phone.callbacks import request_callback
from sangdam.connectors.phone.connector import hours_for_channel
from sangdam.connectors.phone.services import phone_channel
from sangdam.connectors.phone.views_public import WINDOW, CallbackRequestForm
from sangdam.core import ratelimit
from sangdam.tickets.errors import DomainError


def _refuse(code: str, detail: str, status: int = 422) -> JsonResponse:
    return JsonResponse({"type": "error", "code": code, "detail": detail}, status=status)


@csrf_exempt
@require_POST
def chat_callback_request(request: HttpRequest, key: str) -> JsonResponse:
    chat = find_channel(key)
    if chat is None:
        return _refuse("unknown_channel", "no such chat", status=404)
    language = str(request.POST.get("lang") or "ko")[:2]
    with translation.override(language if language in ("ko", "en") else "ko"):
        try:
            visitor = visitor_from_token(chat, str(request.POST.get("token") or ""))
        except BadToken:
            return _refuse("bad_token", "the visitor token is not valid", status=403)
        line = phone_channel()
        if line is None:
            return _refuse("no_phone", _("Call backs are not offered at the moment."), 404)
        ip = ratelimit.client_ip(request)
        limit = settings.PORTAL_RATE_LIMIT_PER_IP
        if not (
            ratelimit.hit("callback-ip", ip, limit=limit, window=3600)
            and ratelimit.hit("callback-visitor", visitor, limit=limit, window=3600)
        ):
            return _refuse(
                "rate_limited",
                _("Too many requests from your address; please try again later."),
                status=429,
            )
        form = CallbackRequestForm(request.POST)
        if not form.is_valid():
            return _refuse("bad_request", _("Please fill in your number, the day and the time."))
        data = form.cleaned_data
        hours = hours_for_channel(line.pk)
        zone = hours.zone if hours else dt.UTC
        start = dt.datetime.combine(data["day"], dt.time(data["hour"]), zone)
        try:
            ticket = request_callback(
                channel=line,
                hours=hours,
                number=data["number"],
                name=data["name"],
                start=start,
                end=start + WINDOW,
                language=language,
                source="livechat",
                also=(SenderIdentity("livechat", visitor),),
            )
        except DomainError as exc:
            return _refuse(exc.code, exc.message)
        detail = _("Thank you. We will call you on %(day)s between %(start)s and %(end)s.") % {
            "day": data["day"].isoformat(),
            "start": start.strftime("%H:%M"),
            "end": (start + WINDOW).strftime("%H:%M"),
        }
    return JsonResponse({"type": "ok", "reference": ticket.reference, "detail": detail})
