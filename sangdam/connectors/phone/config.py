"""A phone channel's settings (``Channel.config``) and secrets (``Channel.secrets``)."""

from __future__ import annotations

from typing import Literal

from django.utils.translation import gettext_noop
from pydantic import BaseModel, Field, field_validator, model_validator

from sangdam.connectors.models import Channel

# Twilio's own hold music (what <Enqueue> plays when no waitUrl is given).
DEFAULT_HOLD_MUSIC = "http://com.twilio.sounds.music.s3.amazonaws.com/MARKOVICHAMP-Borghestral.mp3"


class MenuItem(BaseModel):
    digit: str = Field(
        ..., pattern=r"^[0-9]$", description=gettext_noop("The key the caller presses.")
    )
    topic: str = Field("", description=gettext_noop("Topic slug the call's ticket gets."))
    label_ko: str = Field(
        ..., description=gettext_noop("What the menu says in Korean (e.g. 결제 및 환불).")
    )
    label_en: str = Field(
        ..., description=gettext_noop("What the menu says in English (e.g. payment).")
    )

    def label(self, language: str) -> str:
        return self.label_ko if language == "ko" else self.label_en


class PhoneConfig(BaseModel):
    number: str = Field(
        "",
        description=gettext_noop(
            "This channel's phone number (E.164, e.g. +8215881234): caller ID of call backs."
        ),
    )
    language: Literal["ko", "en"] = Field(
        "ko",
        description=gettext_noop("Greeting language of this number (a known caller's own wins)."),
    )
    language_key: str = Field(
        "",
        pattern=r"^[0-9]?$",
        description=gettext_noop(
            "A key that switches the rest of the call to the other language "
            '("For English, press 9"); empty: none. Must not be a menu key.'
        ),
    )
    greeting_ko: str = Field(
        "", description=gettext_noop("Korean greeting; empty: the standard one.")
    )
    greeting_en: str = Field(
        "", description=gettext_noop("English greeting; empty: the standard one.")
    )
    menu: list[MenuItem] = Field(
        default_factory=list,
        description=gettext_noop("IVR menu by topic; empty: straight to the agents."),
    )
    ring: Literal["queue", "dial"] = Field(
        "queue",
        description=gettext_noop("queue: the provider's call queue; dial: ring the numbers below."),
    )
    queue_name: str = Field("support", description=gettext_noop("The provider queue's name."))
    dial: list[str] = Field(
        default_factory=list,
        description=gettext_noop(
            "Agents' phone numbers (E.164), SIP addresses (sip:...) or Twilio Client "
            "identities (client:...), rung together."
        ),
    )
    agent_lines: dict[str, str] = Field(
        default_factory=dict,
        description=gettext_noop(
            'Whose line is whose: {"+8210...": "agent@example.com", "sip:...": ..., '
            '"client:...": ...}. The screen pop goes to the agents rung; the call log names '
            "the agent who answered."
        ),
    )
    team: str = Field(
        "",
        description=gettext_noop(
            "The team answering this line (its name): a queued call pops up for its online "
            "agents; empty: for every online agent."
        ),
    )
    max_wait_seconds: int = Field(
        120,
        ge=10,
        le=600,
        description=gettext_noop("After this long unanswered: voicemail or goodbye."),
    )
    voicemail: bool = Field(
        True, description=gettext_noop("Offer voicemail when closed or nobody answers.")
    )
    callback: bool = Field(
        True, description=gettext_noop("Offer a call back at the next opening when closed.")
    )
    transcribe: bool = Field(
        False, description=gettext_noop("Ask the provider to transcribe voicemail.")
    )
    record_calls: bool = Field(
        False,
        description=gettext_noop(
            "Record answered calls (from the moment an agent answers): the recording is "
            "kept with the call's log entry, playable in the ticket page."
        ),
    )
    hold_music_url: str = Field(
        DEFAULT_HOLD_MUSIC, description=gettext_noop("Played while callers wait.")
    )
    voice_ko: str = Field(
        "Polly.Seoyeon", description=gettext_noop("Text-to-speech voice for Korean.")
    )
    voice_en: str = Field(
        "Polly.Joanna", description=gettext_noop("Text-to-speech voice for English.")
    )
    blocked_numbers: list[str] = Field(
        default_factory=list,
        description=gettext_noop("Callers (E.164) that are rejected without a word."),
    )

    def menu_item(self, digit: str) -> MenuItem | None:
        return next((item for item in self.menu if item.digit == digit), None)

    def blocks(self, caller: str) -> bool:
        """Whether ``caller`` is on this line's blocking list."""
        from sangdam.customers.actions import normalize_identity

        return bool(caller) and normalize_identity("phone", caller) in {
            normalize_identity("phone", n) for n in self.blocked_numbers
        }

    def agent_of_line(self, line: str) -> str:
        """The agent's email for a dialled line ("" when the line is nobody's)."""
        return self.agent_lines.get(normalize_line(line), "")

    @field_validator("agent_lines", mode="before")
    @classmethod
    def _empty_lines(cls, value: object) -> object:
        return value or {}  # an empty box on the admin page

    @model_validator(mode="after")
    def _lines_normalised(self) -> PhoneConfig:
        self.agent_lines = {
            normalize_line(k): v.strip().lower() for k, v in self.agent_lines.items()
        }
        if self.language_key and self.menu_item(self.language_key) is not None:
            raise ValueError("the language key is also a menu key")
        return self


def normalize_line(line: str) -> str:
    """A dialled target as Twilio reports it back: E.164 numbers, sip:/client: as given
    (Twilio's To of a SIP leg may carry ;transport=... parameters: dropped)."""
    line = line.strip()
    if line.startswith(("sip:", "client:")):
        return line.split(";", 1)[0].lower()
    from sangdam.customers.actions import normalize_identity

    return normalize_identity("phone", line)


class PhoneSecrets(BaseModel):
    account_sid: str = Field(..., description=gettext_noop("Twilio Account SID (AC...)."))
    auth_token: str = Field(
        ..., description=gettext_noop("Twilio Auth Token: signs webhooks, authorises API calls.")
    )


def phone_config(channel: Channel) -> PhoneConfig:
    config = channel.config if isinstance(channel.config, dict) else {}
    return PhoneConfig.model_validate(
        {k: v for k, v in config.items() if k in PhoneConfig.model_fields}
    )


def phone_secrets(channel: Channel) -> PhoneSecrets:
    return PhoneSecrets.model_validate(channel.secrets or {})
