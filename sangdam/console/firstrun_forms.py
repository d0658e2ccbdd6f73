"""The first-run page's form: company, support address, opening hours, channels, topics."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from sangdam.center.actions import FirstRun
from sangdam.connectors.models import ChannelKind

WEEKDAYS = [
    ("0", _("Monday")),
    ("1", _("Tuesday")),
    ("2", _("Wednesday")),
    ("3", _("Thursday")),
    ("4", _("Friday")),
    ("5", _("Saturday")),
    ("6", _("Sunday")),
]
CHANNELS = [
    (ChannelKind.WEBFORM.value, _("Inquiry form on your homepage")),
    (ChannelKind.EMAIL.value, _("Email to the support address")),
    (ChannelKind.LIVECHAT.value, _("Live chat on your website")),
]


class FirstRunForm(forms.Form):
    company_name = forms.CharField(label=_("Company name"), max_length=120)
    support_email = forms.EmailField(
        label=_("Support address"),
        help_text=_("Customers write to it; confirmations and email replies are sent from it."),
    )
    time_zone = forms.ChoiceField(label=_("Time zone"))
    open_days = forms.MultipleChoiceField(
        label=_("Open on"),
        choices=WEEKDAYS,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        initial=["0", "1", "2", "3", "4"],
        help_text=_("Public holidays are closed days; change it and add more hours later."),
    )
    opens = forms.TimeField(
        label=_("Opens at"),
        initial=dt.time(9),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    closes = forms.TimeField(
        label=_("Closes at"),
        initial=dt.time(18),
        widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
    )
    channels = forms.MultipleChoiceField(
        label=_("How customers reach you"),
        choices=CHANNELS,
        widget=forms.CheckboxSelectMultiple,
        required=False,
        initial=[ChannelKind.WEBFORM.value, ChannelKind.EMAIL.value],
        help_text=_("KakaoTalk, LINE, Telegram, Facebook and your app are connected later."),
    )
    default_topics = forms.BooleanField(
        label=_("Start with the default topics"), required=False, initial=True
    )

    def __init__(self, *args: Any, topics_exist: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        zones = sorted(zoneinfo.available_timezones() - {"localtime"})
        time_zone = self.fields["time_zone"]
        assert isinstance(time_zone, forms.ChoiceField)
        time_zone.choices = [(z, z) for z in zones]
        time_zone.initial = settings.TIME_ZONE
        if topics_exist:
            del self.fields["default_topics"]

    def clean(self) -> dict[str, Any] | None:
        data = super().clean() or {}
        opens, closes = data.get("opens"), data.get("closes")
        if opens and closes and closes != dt.time(0) and closes <= opens:
            self.add_error("closes", _("Closing time must be after opening time."))
        return data

    def choices(self) -> FirstRun:
        data = self.cleaned_data
        return FirstRun(
            company_name=data["company_name"].strip(),
            support_email=data["support_email"],
            time_zone=data["time_zone"],
            open_days=frozenset(int(day) for day in data["open_days"]),
            opens=data["opens"],
            closes=data["closes"],
            channels=frozenset(data["channels"]),
            default_topics=bool(data.get("default_topics")),
        )
