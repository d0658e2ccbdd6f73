"""The phone connector: Twilio's voice webhooks in, TwiML out (the twilio package).

Twilio calls one URL per step of a call, all under the channel's hook URL:
``/hooks/phone/<key>`` (a call comes in), ``/menu`` and ``/closed`` (the key pressed),
``/wait`` (while queued), ``/rung`` (after the queue or the agents' phones), ``/voicemail``
and ``/recording`` (a message left), ``/transcription``, ``/status`` (the call's status
callback), ``/connect`` (the customer's leg of a click-to-call), ``/answered`` (a dialled
agent's leg picked up: its To names the agent's line), ``/agent`` (an agent's phone calls
in to take the next queued caller), ``/bridged`` (the queue hands a caller to that
agent: DequeingCallSid names the agent's call) and ``/recorded`` (an answered call's
recording, when the line records calls). Every call is verified
(X-Twilio-Signature), stored unique on ``<CallSid>:<step>[:<detail>]`` and answered with
TwiML kept on the event (``keeps_answer``): a retry hears the same. The task then turns
the final status, the recordings and the transcription into timeline entries
(:mod:`sangdam.connectors.phone.calls`).
"""

from __future__ import annotations

from typing import ClassVar
from urllib.parse import urlencode, urlsplit

from django.conf import settings
from django.utils import timezone
from pydantic import ValidationError
from twilio.request_validator import RequestValidator

from sangdam.connectors.base import (
    Capabilities,
    Ignored,
    Parsed,
    WebhookAnswer,
    WebhookConnector,
    WebhookRejected,
    WebhookRequest,
)
from sangdam.connectors.models import Channel, InboundEvent
from sangdam.connectors.phone import calls, rest, twiml
from sangdam.connectors.phone.config import PhoneConfig, PhoneSecrets, phone_config, phone_secrets
from sangdam.connectors.registry import register
from sangdam.connectors.webhooks.store import kept_answer
from sangdam.core.memo import Memo
from sangdam.customers.actions import normalize_identity
from sangdam.customers.models import Identity
from sangdam.service.hours import WeeklyHours, next_opening
from sangdam.service.models import Schedule
from sangdam.service.selectors import schedule_book

SIGNATURE = "X-Twilio-Signature"
# Read for every call: kept per process for a few seconds (core/memo.py).
_schedules = Memo(Schedule)
STEPS = frozenset(
    {
        "",
        "menu",
        "closed",
        "wait",
        "rung",
        "voicemail",
        "recording",
        "transcription",
        "status",
        "connect",
        "answered",
        "agent",
        "bridged",
        "recorded",
    }
)
# The detail that makes a repeated step of one call a different event.
_DETAIL = {
    "menu": "Digits",
    "closed": "Digits",
    "wait": "QueueTime",
    "recording": "RecordingSid",
    "recorded": "RecordingSid",
    "transcription": "RecordingSid",
    "status": "CallStatus",
}


def hook_url(channel: Channel, step: str = "", **query: str) -> str:
    """The absolute URL Twilio is told to call for ``step`` (from ``SITE_URL``)."""
    url = f"{settings.SITE_URL.rstrip('/')}/hooks/phone/{channel.key}"
    if step:
        url += f"/{step}"
    return f"{url}?{urlencode(query)}" if query else url


def hours_for_channel(channel_id: int) -> WeeklyHours | None:
    return _schedules.get("book", schedule_book).hours_for(channel_id=channel_id)


def _twiml(body: str) -> WebhookAnswer:
    return WebhookAnswer(content_type="text/xml; charset=utf-8", body=body.encode())


def caller_language(config: PhoneConfig, caller: str) -> str:
    """A known caller's own language (ko/en), else the number's."""
    if not caller:
        return config.language
    # One column, no model built: this runs for every call that comes in.
    known = (
        Identity.objects.filter(kind="phone", value=normalize_identity("phone", caller))
        .values_list("customer__language", flat=True)
        .first()
        or ""
    )[:2]
    return known if known in ("ko", "en") else config.language


@register
class PhoneConnector(WebhookConnector):
    kind = "phone"
    identity_kind = "phone"
    config_class = PhoneConfig
    secrets_class = PhoneSecrets
    # A call cannot be answered in writing: agents call back (click-to-call) instead.
    capabilities: ClassVar[Capabilities] = Capabilities(attachments=True, replies=False)
    accepts_subpaths = True
    keeps_answer = True

    # --- in -----------------------------------------------------------------------------

    def verify(self, channel: Channel, request: WebhookRequest) -> None:
        given = request.headers.get(SIGNATURE, "")
        if not given:
            raise WebhookRejected("no X-Twilio-Signature", status=403)
        try:
            token = phone_secrets(channel).auth_token
        except ValidationError as exc:
            raise WebhookRejected("the channel has no auth token yet", status=403) from exc
        validator = RequestValidator(token)
        # Twilio signs the URL it was given: what reached us, or the public SITE_URL one
        # when a proxy in front changed the scheme or host.
        parts = urlsplit(request.url)
        public = (
            settings.SITE_URL.rstrip("/") + parts.path + (f"?{parts.query}" if parts.query else "")
        )
        params = dict(request.form)
        # The package's validate() compares in constant time. The URL received first: it
        # is the signed one unless a proxy in front changed it.
        urls = [request.url] + ([public] if public != request.url else [])
        if not any(validator.validate(url, params, given) for url in urls):
            raise WebhookRejected("bad X-Twilio-Signature", status=403)
        if request.subpath not in STEPS:
            raise WebhookRejected(f"unknown step {request.subpath!r}", status=404)

    def event_id(self, channel: Channel, request: WebhookRequest) -> str:
        form = request.form
        step = request.subpath or "call"
        detail = form.get(_DETAIL.get(step, ""), "") if step in _DETAIL else ""
        if step == "bridged":
            # Which agent's call took the caller: how a recording of the agent's call
            # (calls.caller_of) finds the caller's call.
            detail = form.get("DequeingCallSid") or form.get("DequeueingCallSid") or ""
        # A dialled agent's leg is a call of its own: kept under the caller's call.
        sid = form.get("ParentCallSid") if step == "answered" else ""
        return f"{sid or form['CallSid']}:{step}" + (f":{detail}" if detail else "")

    def answer(self, channel: Channel, request: WebhookRequest) -> WebhookAnswer:
        config = phone_config(channel)
        form = request.form
        step = request.subpath
        if step in ("status", "recording", "recorded", "transcription", "answered", "bridged"):
            return WebhookAnswer(content_type="text/xml; charset=utf-8", body=b"<Response/>")
        caller = form.get("From", "")
        if step == "":
            if config.blocks(caller):
                return _twiml(twiml.reject())
            language = caller_language(config, caller)
        else:
            language = request.query.get("lang") or config.language

        call_language = language

        def url(step: str, language: str = "") -> str:  # twiml.UrlMaker
            return hook_url(channel, step, lang=language or call_language)

        now = timezone.now()
        if step == "":
            hours = hours_for_channel(channel.pk)
            return _twiml(
                twiml.incoming(config=config, language=language, hours=hours, now=now, url=url)
            )
        if step == "menu":
            return _twiml(
                twiml.menu_choice(
                    config=config, language=language, digits=form.get("Digits", ""), url=url
                )
            )
        if step == "closed":
            hours = hours_for_channel(channel.pk)
            opening = next_opening(hours, now) if hours else None
            return _twiml(
                twiml.closed_choice(
                    config=config,
                    language=language,
                    digits=form.get("Digits", ""),
                    opening=opening,
                    hours=hours,
                    now=now,
                    url=url,
                )
            )
        if step == "wait":
            return _twiml(
                twiml.waiting(
                    config=config,
                    language=language,
                    position=int(form.get("QueuePosition") or 0),
                    waited_seconds=int(form.get("QueueTime") or 0),
                )
            )
        if step == "rung":
            # A caller who hung up in the queue hears nothing more.
            done = calls.answered(form) or form.get("QueueResult") == "hangup"
            return _twiml(
                twiml.after_ring(config=config, language=language, answered=done, url=url)
            )
        if step == "voicemail":
            return _twiml(twiml.after_voicemail(config=config, language=language))
        if step == "agent":
            # An agent's phone (or softphone) calls in: the next caller in the queue.
            return _twiml(twiml.take_from_queue(config=config, url=url))
        # "connect": the agent took the first leg of a click-to-call.
        return _twiml(
            twiml.connect(
                number=request.query.get("to", ""),
                caller_id=config.number or channel.address,
                language=language,
                config=config,
            )
        )

    def needs_task(self, request: WebhookRequest, answer: WebhookAnswer) -> bool:
        """Only what makes a timeline entry or rings agents (a screen pop) is processed;
        the other steps are stored for the call's history and need no task."""
        step = request.subpath
        if step in ("status", "recording", "recorded", "transcription"):
            return True
        if step in ("", "menu"):
            from sangdam.connectors.phone.screenpop import rung_lines

            return rung_lines(answer.body.decode()) is not None
        return False

    def parse(self, channel: Channel, event: InboundEvent) -> list[Parsed]:
        form = calls.form_of(event)
        step = calls.step_of(event.event_id)
        if step == "status":
            return calls.after_status(channel, form)
        if step == "recording":
            return calls.after_recording(
                channel, form, lambda sid: rest.download_recording(channel, sid)
            )
        if step == "recorded":
            return calls.after_call_recording(
                channel, form, lambda sid: rest.download_recording(channel, sid)
            )
        if step == "transcription":
            return calls.after_transcription(channel, form)
        if step in ("call", "menu"):
            from sangdam.connectors.phone.screenpop import pop_for_call

            rung = pop_for_call(channel, form, kept_answer(event))
            return [Ignored(f"call step {step}: {rung}")]
        return [Ignored(f"call step {step}: answered in the door")]
