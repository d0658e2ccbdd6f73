"""The contact page's "call me back" form: a window within the phone line's hours.

Customer-facing like the portal's inquiry form (CSRF, a per-address rate limit); it lives
with the phone channel, whose catalog holds its words, and hands the request to
:func:`sangdam.connectors.phone.callbacks.request_callback`.
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.utils.translation import get_language, gettext_lazy
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from sangdam.connectors.phone.callbacks import request_callback
from sangdam.connectors.phone.connector import hours_for_channel
from sangdam.connectors.phone.services import phone_channel
from sangdam.core.ratelimit import client_ip, hit
from sangdam.tickets.errors import DomainError

WINDOW = dt.timedelta(hours=1)


class CallbackRequestForm(forms.Form):
    name = forms.CharField(label=gettext_lazy("Your name"), max_length=120, required=False)
    number = forms.CharField(label=gettext_lazy("Phone number"), max_length=32)
    day = forms.DateField(label=gettext_lazy("Day"), widget=forms.DateInput(attrs={"type": "date"}))
    hour = forms.TypedChoiceField(
        label=gettext_lazy("Between"),
        coerce=int,
        choices=[(h, f"{h:02d}:00–{h + 1:02d}:00") for h in range(7, 22)],
    )


@require_POST
def callback_request(request: HttpRequest) -> HttpResponse:
    channel = phone_channel()
    if channel is None:
        messages.error(request, _("Call backs are not offered at the moment."))
        return redirect("portal:contact")
    if not hit(
        "callback-ip", client_ip(request), limit=settings.PORTAL_RATE_LIMIT_PER_IP, window=3600
    ):
        messages.error(request, _("Too many requests from your address; please try again later."))
        return redirect("portal:contact")
    form = CallbackRequestForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("Please fill in your number, the day and the time."))
        return redirect("portal:contact")
    data = form.cleaned_data
    hours = hours_for_channel(channel.pk)
    zone = hours.zone if hours else dt.UTC
    start = dt.datetime.combine(data["day"], dt.time(data["hour"]), zone)
    try:
        request_callback(
            channel=channel,
            hours=hours,
            number=data["number"],
            name=data["name"],
            start=start,
            end=start + WINDOW,
            language=(get_language() or "ko")[:2],
            source="contact",
        )
    except DomainError as exc:
        messages.error(request, exc.message)
        return redirect("portal:contact")
    messages.success(
        request,
        _("Thank you. We will call you on %(day)s between %(start)s and %(end)s.")
        % {
            "day": data["day"].isoformat(),
            "start": start.strftime("%H:%M"),
            "end": (start + WINDOW).strftime("%H:%M"),
        },
    )
    return redirect("portal:contact")
