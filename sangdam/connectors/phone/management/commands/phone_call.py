"""``sangdam phone-call``: call the phone channel as Twilio would, step by step.

Posts the incoming-call webhook (signed with the channel's auth token), prints what the
caller hears, presses the menu key, then follows the TwiML: the queue answered or hung
up on, a voicemail left (the recording is served by ``sangdam fake-providers``), a call
back asked for while closed; ends with the status callback. Needs the server running
(``sangdam run``); the worker then turns the call into timeline entries.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import Any

import httpx
from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from sangdam.connectors.models import Channel
from sangdam.connectors.phone.config import phone_config, phone_secrets
from sangdam.connectors.phone.fake import new_sid, signature

OUTCOMES = ("answered", "hangup", "voicemail", "callback")


class Command(BaseCommand):
    help = "Call the phone channel as Twilio would (menu, queue, voicemail, call back)."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--channel", type=int, help="channel id (default: the first)")
        parser.add_argument("--caller", default="+821012345678", help="the caller's number")
        parser.add_argument(
            "--press",
            default="1",
            help="the menu keys, one per menu heard ('91': English, then 1; '' presses nothing)",
        )
        parser.add_argument(
            "--agent-line",
            default="+821020000001",
            help="with --then answered: the agent's phone that takes the call (the demo admin's)",
        )
        parser.add_argument("--then", choices=OUTCOMES, default="voicemail")
        parser.add_argument("--url", default="", help="server root (default: SITE_URL)")

    def handle(self, *args: Any, **options: Any) -> None:
        channels = Channel.objects.filter(kind="phone", enabled=True).order_by("pk")
        if options["channel"]:
            channels = channels.filter(pk=options["channel"])
        channel = channels.first()
        if channel is None:
            raise CommandError("no enabled phone channel (add one under Admin > Messengers)")
        self.token = phone_secrets(channel).auth_token
        self.root = (options["url"] or settings.SITE_URL).rstrip("/")
        self.hook = f"{self.root}/hooks/phone/{channel.key}"
        self.call = {
            "CallSid": new_sid("CA"),
            "AccountSid": phone_secrets(channel).account_sid,
            "From": options["caller"],
            "To": phone_config(channel).number or channel.address,
            "Direction": "inbound",
        }
        then = options["then"]
        keys = list(options["press"])
        self.stdout.write(f"{options['caller']} calls {channel.name} ({self.hook})")
        root = self._post(self.hook, {"CallStatus": "ringing"})
        recorded: tuple[str, dict[str, str]] | None = None
        for _ in range(10):  # a call is a handful of steps; never loop forever
            # A Gather comes first: the closed message's Hangup is for a caller who
            # presses nothing.
            if (gather := root.find("Gather")) is not None:
                closed = gather.get("action", "").split("?")[0].endswith("/closed")
                if closed and keys and keys[0] == phone_config(channel).language_key:
                    digit = keys.pop(0)
                else:
                    menu_key = keys.pop(0) if keys else ""
                    digit = (
                        {"voicemail": "1", "callback": "2"}.get(then, "") if closed else menu_key
                    )
                self.stdout.write(f"  [presses {digit or 'nothing'}]")
                root = self._post(gather.get("action", ""), {"Digits": digit} if digit else {})
            elif (queue := root.find("Enqueue")) is not None or (
                queue := root.find("Dial")
            ) is not None:
                result = {
                    "answered": {
                        "QueueResult": "bridged",
                        "QueueTime": "15",
                        "DialCallStatus": "completed",
                        "DialCallDuration": "95",
                    },
                    "hangup": {"QueueResult": "hangup", "QueueTime": "40"},
                }.get(
                    then,
                    {"QueueResult": "leave", "QueueTime": "120", "DialCallStatus": "no-answer"},
                )
                if then == "answered":
                    recorded = self._agent_answers(queue, options["agent_line"])
                else:
                    self.stdout.write("  [no agent]")
                root = self._post(queue.get("action", ""), result)
            elif (record := root.find("Record")) is not None:
                recording = {"RecordingSid": new_sid("RE"), "RecordingDuration": "12"}
                self.stdout.write("  [leaves a 12-second message]")
                root = self._post(record.get("action", ""), recording)
                self._post(
                    record.get("recordingStatusCallback", ""),
                    {**recording, "RecordingStatus": "completed"},
                )
            elif root.find("Reject") is not None or root.find("Hangup") is not None:
                break
            elif (redirect := root.find("Redirect")) is not None:
                root = self._post(redirect.text or "", {})
            else:
                break
        self._post(f"{self.hook}/status", {"CallStatus": "completed", "CallDuration": "130"})
        if recorded:
            # The provider reports a recording once it is processed, after the call ended.
            self._recorded(*recorded)
        self.stdout.write("call ended; the worker turns it into timeline entries")

    def _agent_answers(self, ringing: ET.Element, line: str) -> tuple[str, dict[str, str]] | None:
        """An agent's phone takes the call: from the queue (the agent's call to the line's
        ``/agent`` URL, then the queue's ``/bridged``), or a dialled leg picking up. When
        the line records calls: the recording callback's URL and the recorded call."""
        caller = self.call
        if ringing.tag == "Enqueue":
            self.stdout.write(f"  [the agent at {line} takes the call from the queue]")
            agent_call = {**caller, "CallSid": new_sid("CA"), "From": line}
            self.call = agent_call
            taken = self._post(f"{self.hook}/agent", {})
            self.call = caller
            queue = taken.find("Dial/Queue")
            bridged = queue.get("url", "") if queue is not None else ""
            self._post(bridged, {"DequeingCallSid": agent_call["CallSid"], "QueueSid": "QU1"})
            dial = taken.find("Dial")
            recording = dial.get("recordingStatusCallback", "") if dial is not None else ""
            return (recording, agent_call) if recording else None
        leg = next(iter(ringing), None)
        if leg is None:
            return None
        target = ("client:" if leg.tag == "Client" else "") + (leg.text or "")
        self.stdout.write(f"  [{target} picks up]")
        self.call = {**caller, "CallSid": new_sid("CA"), "To": target}
        self._post(
            leg.get("statusCallback", ""),
            {"ParentCallSid": caller["CallSid"], "CallStatus": "in-progress"},
        )
        self.call = caller
        recording = ringing.get("recordingStatusCallback", "")
        return (recording, caller) if recording else None

    def _recorded(self, url: str, call: dict[str, str]) -> None:
        """The provider reports the answered call's recording (served by the fake)."""
        self.stdout.write("  [the call was recorded]")
        caller, self.call = self.call, call
        recording = {"RecordingSid": new_sid("RE"), "RecordingDuration": "95"}
        self._post(url, {**recording, "RecordingStatus": "completed"})
        self.call = caller

    def _post(self, url: str, extra: dict[str, str]) -> ET.Element:
        if not url:
            raise CommandError("the TwiML named no URL to call")
        params = {**self.call, **extra}
        response = httpx.post(
            url,
            data=params,
            headers={"X-Twilio-Signature": signature(self.token, url, params)},
            timeout=10,
        )
        if response.status_code != 200:
            raise CommandError(f"{url}: HTTP {response.status_code}")
        root = ET.fromstring(response.content)  # noqa: S314 (our own server's TwiML)
        for say in root.iter("Say"):
            self.stdout.write(f"  ♪ {say.text}")
        return root
