"""What the caller hears: TwiML built with the twilio package, as pure functions.

No database here: the connector passes the channel's config, the schedule's hours, the
moment and a function that makes this channel's hook URLs, so every answer (open, closed,
holiday, menu choices, queue timeout, voicemail) is tested without a server.
"""

from __future__ import annotations

import datetime as dt
from itertools import groupby
from typing import Protocol

from django.utils import formats, translation
from django.utils.dates import WEEKDAYS
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop
from twilio.twiml.voice_response import Gather, VoiceResponse

from sangdam.connectors.phone.config import PhoneConfig
from sangdam.service.hours import WeeklyHours, is_open, next_opening


class UrlMaker(Protocol):
    """url("menu") → the absolute URL of /hooks/phone/<key>/menu (Twilio calls it back),
    carrying the call's language; url("menu", "en") after the caller switched language."""

    def __call__(self, step: str, language: str = "") -> str: ...


# Menu keys while closed.
VOICEMAIL_DIGIT = "1"
CALLBACK_DIGIT = "2"
# Offered in the other language, in its own voice (the caller may not understand ours).
_SWITCH_OFFER = {
    "en": gettext_noop("To continue in English, press %(digit)s."),
    "ko": gettext_noop("To continue in Korean, press %(digit)s."),
}


def other_language(language: str) -> str:
    return "en" if language == "ko" else "ko"


class _Speaker:
    """Says things in the call's language with the channel's voice."""

    def __init__(self, config: PhoneConfig, language: str) -> None:
        self.language = language
        self.attrs = (
            {"language": "ko-KR", "voice": config.voice_ko}
            if language == "ko"
            else {"language": "en-US", "voice": config.voice_en}
        )

    def say(self, node: VoiceResponse | Gather, text: str) -> None:
        node.say(text, **self.attrs)


def _xml(response: VoiceResponse) -> str:
    return str(response.to_xml())


def incoming(
    *,
    config: PhoneConfig,
    language: str,
    hours: WeeklyHours | None,
    now: dt.datetime,
    url: UrlMaker,
) -> str:
    """The answer to a new call: greeting and menu (or straight to the agents) when open;
    when closed, the hours, the next opening and what the caller can do now."""
    if hours is not None and not is_open(hours, now):
        return _closed(config=config, language=language, hours=hours, now=now, url=url)
    return _welcome(config=config, language=language, url=url)


def _welcome(*, config: PhoneConfig, language: str, url: UrlMaker) -> str:
    """Open: the greeting, then the menu (and the other language's key), or the agents."""
    with translation.override(language):
        speaker = _Speaker(config, language)
        response = VoiceResponse()
        greeting = (config.greeting_ko if language == "ko" else config.greeting_en) or _(
            "Thank you for calling. This call may be recorded to serve you better."
        )
        if not config.menu and not config.language_key:
            speaker.say(response, greeting)
            _ring(response, speaker, config, url)
            return _xml(response)
        gather = response.gather(num_digits=1, action=url("menu", language), timeout=6)
        speaker.say(gather, greeting)
        if config.menu:
            speaker.say(gather, _menu_text(config, language))
        _offer_switch(gather, config, language)
        # No key pressed: the menu answer without digits rings the agents.
        response.redirect(url("menu", language))
        return _xml(response)


def _offer_switch(gather: Gather, config: PhoneConfig, language: str) -> None:
    """ "To continue in English, press 9." in English (or the Korean offer in Korean)."""
    if not config.language_key:
        return
    other = other_language(language)
    with translation.override(other):
        _Speaker(config, other).say(
            gather, _(_SWITCH_OFFER[other]) % {"digit": config.language_key}
        )


def _menu_text(config: PhoneConfig, language: str) -> str:
    return " ".join(
        _("For %(label)s, press %(digit)s.") % {"label": item.label(language), "digit": item.digit}
        for item in config.menu
    )


def menu_choice(*, config: PhoneConfig, language: str, digits: str, url: UrlMaker) -> str:
    """After the menu: a known key (or none) rings the agents; an unknown key hears the
    menu again; the language key starts over in the other language."""
    if config.language_key and digits == config.language_key:
        return _welcome(config=config, language=other_language(language), url=url)
    with translation.override(language):
        speaker = _Speaker(config, language)
        response = VoiceResponse()
        if digits and config.menu and config.menu_item(digits) is None:
            gather = response.gather(num_digits=1, action=url("menu", language), timeout=6)
            speaker.say(gather, _("Sorry, that is not one of the choices."))
            speaker.say(gather, _menu_text(config, language))
            _offer_switch(gather, config, language)
            response.redirect(url("menu", language))
            return _xml(response)
        _ring(response, speaker, config, url)
        return _xml(response)


def _ring(response: VoiceResponse, speaker: _Speaker, config: PhoneConfig, url: UrlMaker) -> None:
    speaker.say(response, _("Please hold, we are connecting you to an agent."))
    language = speaker.language
    if config.ring == "dial" and config.dial:
        dial = response.dial(
            action=url("rung", language),
            timeout=min(config.max_wait_seconds, 600),
            **_recorded(config, url),
        )
        # The leg that answers reports itself (its To names the agent's line).
        answered = {"status_callback_event": "answered", "status_callback": url("answered")}
        for target in config.dial:
            if target.startswith("sip:"):
                dial.sip(target, **answered)
            elif target.startswith("client:"):
                dial.client(target.removeprefix("client:"), **answered)
            else:
                dial.number(target, **answered)
        return
    response.enqueue(
        config.queue_name, action=url("rung", language), wait_url=url("wait", language)
    )


def _recorded(config: PhoneConfig, url: UrlMaker) -> dict[str, str]:
    """The <Dial> attributes that record an answered call (both parties, each on its own
    channel, from the moment someone answers) when the line records calls."""
    if not config.record_calls:
        return {}
    return {
        "record": "record-from-answer-dual",
        "recording_status_callback": url("recorded"),
        "recording_status_callback_event": "completed",
    }


def waiting(*, config: PhoneConfig, language: str, position: int, waited_seconds: int) -> str:
    """Played over and over while the caller waits in the queue: the position, the hold
    music, and leaving the queue once the maximum wait is reached."""
    with translation.override(language):
        response = VoiceResponse()
        if waited_seconds >= config.max_wait_seconds:
            response.leave()
            return _xml(response)
        speaker = _Speaker(config, language)
        if position:
            speaker.say(
                response,
                _("You are number %(position)s in line. Thank you for waiting.")
                % {"position": position},
            )
        response.play(config.hold_music_url)
        return _xml(response)


def after_ring(*, config: PhoneConfig, language: str, answered: bool, url: UrlMaker) -> str:
    """After the queue or the agents' phones: done when someone answered; else voicemail
    (when on) or an apology."""
    with translation.override(language):
        response = VoiceResponse()
        if answered:
            response.hangup()
            return _xml(response)
        speaker = _Speaker(config, language)
        if config.voicemail:
            speaker.say(
                response,
                _(
                    "Sorry, all our agents are busy. Please leave a message after the tone "
                    "and we will call you back."
                ),
            )
            _record(response, config, url, language)
            return _xml(response)
        speaker.say(response, _("Sorry, all our agents are busy. We will call you back."))
        response.hangup()
        return _xml(response)


def _record(response: VoiceResponse, config: PhoneConfig, url: UrlMaker, language: str) -> None:
    extra: dict[str, object] = {}
    if config.transcribe:
        extra = {"transcribe": True, "transcribe_callback": url("transcription")}
    response.record(
        action=url("voicemail", language),
        max_length=180,
        play_beep=True,
        recording_status_callback=url("recording"),
        recording_status_callback_event="completed",
        **extra,
    )


def _closed(
    *, config: PhoneConfig, language: str, hours: WeeklyHours, now: dt.datetime, url: UrlMaker
) -> str:
    with translation.override(language):
        return _closed_in_language(config=config, language=language, hours=hours, now=now, url=url)


def _closed_in_language(
    *, config: PhoneConfig, language: str, hours: WeeklyHours, now: dt.datetime, url: UrlMaker
) -> str:
    speaker = _Speaker(config, language)
    response = VoiceResponse()
    today = hours.local_date(now)
    holiday = hours.holiday_name(today, language) if hours.is_closed_day(today) else ""
    parts = [
        _("Thank you for calling. Today is %(holiday)s and we are closed.") % {"holiday": holiday}
        if holiday
        else _("Thank you for calling. We are closed at the moment.")
    ]
    if week := describe_week(hours):
        parts.append(_("Our hours are %(hours)s.") % {"hours": week})
    opening = next_opening(hours, now)
    if opening is not None:
        parts.append(_("We open again on %(when)s.") % {"when": speak_when(opening, hours)})
    choices = []
    if config.voicemail:
        choices.append(_("To leave a message, press %(digit)s.") % {"digit": VOICEMAIL_DIGIT})
    if config.callback and opening is not None:
        choices.append(
            _("To be called back when we open, press %(digit)s.") % {"digit": CALLBACK_DIGIT}
        )
    if not choices:
        speaker.say(response, " ".join(parts))
        response.hangup()
        return _xml(response)
    gather = response.gather(num_digits=1, action=url("closed", language), timeout=8)
    speaker.say(gather, " ".join(parts + choices))
    _offer_switch(gather, config, language)
    speaker.say(response, _("Goodbye."))
    response.hangup()
    return _xml(response)


def closed_choice(
    *,
    config: PhoneConfig,
    language: str,
    digits: str,
    opening: dt.datetime | None,
    hours: WeeklyHours | None,
    now: dt.datetime,
    url: UrlMaker,
) -> str:
    """The caller's key after the closed message: voicemail, or a call back promised; the
    language key hears the closed message again in the other language."""
    if config.language_key and digits == config.language_key and hours is not None:
        return _closed(
            config=config, language=other_language(language), hours=hours, now=now, url=url
        )
    with translation.override(language):
        speaker = _Speaker(config, language)
        response = VoiceResponse()
        if digits == VOICEMAIL_DIGIT and config.voicemail:
            speaker.say(response, _("Please leave your message after the tone."))
            _record(response, config, url, language)
            return _xml(response)
        if digits == CALLBACK_DIGIT and config.callback and opening is not None and hours:
            speaker.say(
                response,
                _("Thank you. We will call you back at this number after %(when)s. Goodbye.")
                % {"when": speak_when(opening, hours)},
            )
        else:
            speaker.say(response, _("Goodbye."))
        response.hangup()
        return _xml(response)


def after_voicemail(*, config: PhoneConfig, language: str) -> str:
    with translation.override(language):
        response = VoiceResponse()
        _Speaker(config, language).say(
            response, _("Thank you, we received your message and will call you back. Goodbye.")
        )
        response.hangup()
        return _xml(response)


def connect(*, number: str, caller_id: str, language: str, config: PhoneConfig) -> str:
    """Click-to-call: the agent answered the first leg; now ring the customer."""
    with translation.override(language):
        response = VoiceResponse()
        _Speaker(config, language).say(response, _("Connecting you to the customer."))
        response.dial(caller_id=caller_id or None).number(number)
        return _xml(response)


def reject() -> str:
    response = VoiceResponse()
    response.reject()
    return _xml(response)


def describe_week(hours: WeeklyHours) -> str:
    """The weekly hours in words, days with the same hours together ("Monday to Friday,
    09:00 to 18:00"); "" when the week has no hours."""
    parts = []
    days = [(day, tuple(hours.week.get(day, []))) for day in range(7)]
    for spans, group in groupby(days, key=lambda item: item[1]):
        if not spans:
            continue
        members = [day for day, _spans in group]
        first, last = str(WEEKDAYS[members[0]]), str(WEEKDAYS[members[-1]])
        when = (
            first if first == last else _("%(first)s to %(last)s") % {"first": first, "last": last}
        )
        times = ", ".join(
            _("%(opens)s to %(closes)s")
            % {"opens": opens.strftime("%H:%M"), "closes": closes.strftime("%H:%M")}
            for opens, closes in spans
        )
        parts.append(f"{when} {times}")
    return "; ".join(parts)


def speak_when(moment: dt.datetime, hours: WeeklyHours) -> str:
    """A moment as the caller should hear it, in the schedule's zone ("Monday, December 7
    at 09:00")."""
    local = moment.astimezone(hours.zone)
    return _("%(weekday)s, %(date)s at %(time)s") % {
        "weekday": str(WEEKDAYS[local.weekday()]),
        "date": formats.date_format(local, "MONTH_DAY_FORMAT"),
        "time": local.strftime("%H:%M"),
    }


def take_from_queue(*, config: PhoneConfig, url: UrlMaker) -> str:
    """An agent called in to take a caller: bridged to the first in the channel's queue
    (``/bridged`` is told which agent's call took which caller). A recording of it is
    the agent's call's: ``/recorded`` finds the caller through ``/bridged``."""
    response = VoiceResponse()
    response.dial(**_recorded(config, url)).queue(config.queue_name, url=url("bridged"))
    return _xml(response)
