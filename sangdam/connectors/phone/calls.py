"""Turning a call's stored webhook events into timeline entries (run in the webhook task).

A call's history is its stored events (``InboundEvent`` ids start with the CallSid), so
no table of calls is needed: when the final status arrives, the menu key, the queue or
dial result and any voicemail are read back from the events of that call.

- answered by an agent → a call-log message (``phone:<number>`` conversation);
- missed, abandoned in the queue, or a call back asked for while closed → the caller's
  "call back" ticket (``callback:<number>``: a second missed call joins the open one);
- voicemail → its own ticket with the recording attached (and the transcription);
- an answered call's recording (the line records calls) → next to its call log, on the
  same ``phone:<number>`` conversation.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from urllib.parse import parse_qsl

from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from sangdam.accounts.models import User
from sangdam.connectors.base import (
    Ignored,
    InboundAttachment,
    InboundMessage,
    Parsed,
    SenderIdentity,
)
from sangdam.connectors.models import Channel, InboundEvent
from sangdam.connectors.phone.config import PhoneConfig, phone_config

FINAL_STATUSES = frozenset({"completed", "busy", "no-answer", "canceled", "failed"})
ANSWERED_QUEUE = frozenset({"bridged", "bridging-in-process"})


def answered(rung: Mapping[str, str]) -> bool:
    """Whether the queue or the agents' phones (Enqueue/Dial action parameters) connected
    the caller to someone."""
    return rung.get("DialCallStatus") == "completed" or rung.get("QueueResult") in ANSWERED_QUEUE


def form_of(event: InboundEvent) -> dict[str, str]:
    return _form(event.body)


def _form(body: bytes | memoryview) -> dict[str, str]:
    return dict(parse_qsl(bytes(body).decode("utf-8", "replace"), keep_blank_values=True))


def step_of(event_id: str) -> str:
    """ "CA…:menu:1" → "menu"."""
    parts = event_id.split(":")
    return parts[1] if len(parts) > 1 else ""


@dataclass(frozen=True)
class CallHistory:
    """What the stored events of one call say."""

    sid: str
    caller: str
    called: str
    caller_name: str
    steps: dict[str, list[dict[str, str]]]

    def last(self, step: str) -> dict[str, str]:
        return (self.steps.get(step) or [{}])[-1]

    @property
    def answered(self) -> bool:
        return answered(self.last("rung"))

    @property
    def topic(self) -> str:
        return next(
            (
                form.get("Digits", "")
                for form in reversed(self.steps.get("menu", []))
                if form.get("Digits")
            ),
            "",
        )

    @property
    def callback_asked(self) -> bool:
        from sangdam.connectors.phone.twiml import CALLBACK_DIGIT

        return any(form.get("Digits") == CALLBACK_DIGIT for form in self.steps.get("closed", []))

    @property
    def left_voicemail(self) -> bool:
        return bool(self.steps.get("voicemail") or self.steps.get("recording"))

    def answering_line(self, channel: Channel) -> str:
        """The agent's line that took the call: a dialled leg that picked up (its To), or
        the agent's call that took the caller from the queue (its From)."""
        if picked := self.last("answered").get("To"):
            return picked
        bridged = self.last("bridged")
        agent_call = bridged.get("DequeingCallSid") or bridged.get("DequeueingCallSid")
        if agent_call:
            return history(channel, agent_call).last("agent").get("From", "")
        return ""


def history(channel: Channel, sid: str) -> CallHistory:
    steps: dict[str, list[dict[str, str]]] = {}
    caller = called = name = ""
    if not sid:
        return CallHistory(sid=sid, caller="", called="", caller_name="", steps={})
    # The (channel, event id) unique index serves the prefix scan.
    # Two columns: the kept answers, headers and status are not needed here.
    for event_id, body in (
        InboundEvent.objects.filter(channel=channel, event_id__startswith=f"{sid}:")
        .order_by("id")
        .values_list("event_id", "body")
    ):
        form = _form(body)
        steps.setdefault(step_of(event_id), []).append(form)
        caller = caller or form.get("From", "")
        called = called or form.get("To", "")
        name = name or form.get("CallerName", "")
    return CallHistory(sid=sid, caller=caller, called=called, caller_name=name, steps=steps)


def _agent(config: PhoneConfig, line: str) -> User | None:
    email = config.agent_of_line(line) if line else ""
    return User.objects.filter(email=email).first() if email else None


def _minutes(seconds: str | int) -> str:
    total = int(seconds or 0)
    return f"{total // 60}:{total % 60:02d}"


_SUBJECTS = {
    "phone": gettext_noop("Phone call from %(number)s"),
    "callback": gettext_noop("Call back %(number)s"),
    "voicemail": gettext_noop("Voicemail from %(number)s"),
}


@dataclass(frozen=True)
class _Call:
    """A call worth a timeline entry: its channel, settings and history."""

    channel: Channel
    config: PhoneConfig
    history: CallHistory

    def message(
        self,
        *,
        external_id: str,
        thread: str,
        text: str,
        details: dict[str, object],
        attachments: tuple[InboundAttachment, ...] = (),
    ) -> InboundMessage:
        """An entry on the caller's ``thread`` conversation (phone, callback or
        voicemail); call it with the config's language active (the subject's)."""
        call = self.history
        item = self.config.menu_item(call.topic) if call.topic else None
        key = call.sid if thread == "voicemail" else call.caller
        return InboundMessage(
            channel_id=self.channel.pk,
            external_id=external_id,
            identities=(SenderIdentity("phone", call.caller),),
            sender_name=call.caller_name,
            subject=_(_SUBJECTS[thread]) % {"number": call.caller},
            text=text,
            thread_key=f"{thread}:{key}",
            topic_slug=item.topic if item else "",
            language=self.config.language,
            attachments=attachments,
            message_metadata={"call": {"sid": call.sid, **details}},
        )


def _call(channel: Channel, form: Mapping[str, str], what: str) -> _Call | Ignored:
    """The call a callback is about, or why it makes no entry."""
    config = phone_config(channel)
    call = history(channel, form.get("CallSid", ""))
    if not call.caller:
        return Ignored(f"no caller number for this {what}")
    if config.blocks(call.caller):
        return Ignored(f"{what} of a blocked caller")
    if "agent" in call.steps:
        return Ignored(f"{what} of an agent's call into the queue")
    return _Call(channel, config, call)


def after_status(channel: Channel, form: Mapping[str, str]) -> list[Parsed]:
    """The call's status callback: the final one turns the call into a timeline entry."""
    status = form.get("CallStatus", "")
    if status not in FINAL_STATUSES:
        return [Ignored(f"call {status or 'status'}: nothing to record yet")]
    if form.get("Direction", "inbound") != "inbound":
        return [Ignored("an outbound call (click-to-call) is logged by the agent")]
    found = _call(channel, form, "status")
    if isinstance(found, Ignored):
        return [found]
    call = found.history
    if call.left_voicemail:
        return [Ignored("voicemail: its recording makes the ticket")]
    duration = form.get("CallDuration", "0")
    with translation.override(found.config.language):
        if call.answered:
            return [_answered(found, status, duration)]
        waited = call.last("rung").get("QueueTime", "")
        if call.callback_asked:
            text = _("%(number)s called while we were closed and asked to be called back.") % {
                "number": call.caller
            }
            outcome = "callback_requested"
        elif waited:
            text = _("Missed call from %(number)s: hung up or left the queue after %(waited)s.") % {
                "number": call.caller,
                "waited": _minutes(waited),
            }
            outcome = "abandoned"
        else:
            text = _("Missed call from %(number)s (%(status)s, %(duration)s).") % {
                "number": call.caller,
                "status": status,
                "duration": _minutes(duration),
            }
            outcome = "missed"
        return [
            found.message(
                external_id=f"{call.sid}:missed",
                thread="callback",
                text=text,
                details={"outcome": outcome, "duration": int(duration or 0), "status": status},
            )
        ]


def _answered(found: _Call, status: str, duration: str) -> InboundMessage:
    """The call log of an answered call, naming the agent whose line took it."""
    call = found.history
    talked = call.last("rung").get("DialCallDuration") or duration
    line = call.answering_line(found.channel)
    agent = _agent(found.config, line)
    who = {"number": call.caller, "duration": _minutes(talked)}
    text = (
        _("Answered call from %(number)s, %(duration)s, by %(agent)s.")
        % {**who, "agent": agent.name}
        if agent
        else _("Answered call from %(number)s, %(duration)s.") % who
    )
    details: dict[str, object] = {"outcome": "answered", "duration": int(talked or 0)}
    details["status"] = status
    if line:
        details["line"] = line
    if agent:
        details |= {"agent_id": agent.pk, "agent": agent.name}
    return found.message(external_id=f"{call.sid}:call", thread="phone", text=text, details=details)


def after_recording(
    channel: Channel, form: Mapping[str, str], download: Callable[[str], bytes]
) -> list[Parsed]:
    """A finished voicemail: downloaded from the provider into an attachment of its ticket."""
    if form.get("RecordingStatus", "completed") != "completed":
        return [Ignored(f"recording {form.get('RecordingStatus')}")]
    found = _call(channel, form, "recording")
    if isinstance(found, Ignored):
        return [found]
    recording = form.get("RecordingSid", "")
    content = download(recording)
    duration = form.get("RecordingDuration", "0")
    caller = found.history.caller
    with translation.override(found.config.language):
        return [
            found.message(
                external_id=recording,
                thread="voicemail",
                text=_("Voicemail from %(number)s, %(duration)s.")
                % {"number": caller, "duration": _minutes(duration)},
                details={
                    "outcome": "voicemail",
                    "duration": int(duration or 0),
                    "recording": recording,
                },
                attachments=(
                    InboundAttachment(
                        filename=f"voicemail-{recording}.mp3",
                        content_type="audio/mpeg",
                        content=content,
                    ),
                ),
            )
        ]


def caller_of(channel: Channel, sid: str) -> str:
    """The caller's CallSid for a call recording's: a call taken from the queue is recorded
    on the agent's call, whose ``/bridged`` event (``<caller>:bridged:<agent>``) names it."""
    if "agent" not in history(channel, sid).steps:
        return sid
    bridged = (
        InboundEvent.objects.filter(channel=channel, event_id__endswith=f":bridged:{sid}")
        .values_list("event_id", flat=True)
        .first()
    )
    return bridged.split(":", 1)[0] if bridged else sid


def after_call_recording(
    channel: Channel, form: Mapping[str, str], download: Callable[[str], bytes]
) -> list[Parsed]:
    """An answered call's recording (the line records calls): downloaded into an
    attachment of an entry on the call's conversation, beside its call log."""
    if form.get("RecordingStatus", "completed") != "completed":
        return [Ignored(f"call recording {form.get('RecordingStatus')}")]
    found = _call(channel, {"CallSid": caller_of(channel, form.get("CallSid", ""))}, "recording")
    if isinstance(found, Ignored):
        return [found]
    recording = form.get("RecordingSid", "")
    content = download(recording)
    duration = form.get("RecordingDuration", "0")
    agent = _agent(found.config, found.history.answering_line(channel))
    who = {"number": found.history.caller, "duration": _minutes(duration)}
    details: dict[str, object] = {
        "outcome": "recorded",
        "duration": int(duration or 0),
        "recording": recording,
    }
    with translation.override(found.config.language):
        if agent:
            text = _("Recording of the call from %(number)s with %(agent)s, %(duration)s.") % {
                **who,
                "agent": agent.name,
            }
            details |= {"agent_id": agent.pk, "agent": agent.name}
        else:
            text = _("Recording of the call from %(number)s, %(duration)s.") % who
        return [
            found.message(
                external_id=recording,
                thread="phone",
                text=text,
                details=details,
                attachments=(
                    InboundAttachment(
                        filename=f"call-{recording}.mp3",
                        content_type="audio/mpeg",
                        content=content,
                    ),
                ),
            )
        ]


def after_transcription(channel: Channel, form: Mapping[str, str]) -> list[Parsed]:
    """The provider's transcription of a voicemail joins the voicemail's ticket."""
    text = form.get("TranscriptionText", "").strip()
    if form.get("TranscriptionStatus", "completed") != "completed" or not text:
        return [Ignored("no transcription text")]
    found = _call(channel, form, "transcription")
    if isinstance(found, Ignored):
        return [found]
    recording = form.get("RecordingSid", "")
    with translation.override(found.config.language):
        return [
            found.message(
                external_id=f"{recording}:transcription",
                thread="voicemail",
                text=_("Transcription of the voicemail: %(text)s") % {"text": text},
                details={"outcome": "transcription", "recording": recording},
            )
        ]
