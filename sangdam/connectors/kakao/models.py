"""Where the chatbot desk keeps each user's half-finished inquiry between turns."""

from __future__ import annotations

import uuid

from django.db import models
from django.utils.translation import gettext_lazy as _


class Step(models.TextChoices):
    IDLE = "idle"
    TOPIC = "topic"  # topics offered, waiting for one
    DESCRIBE = "describe"  # waiting for the description
    PHOTO = "photo"  # waiting for optional photos
    CONFIRM = "confirm"  # summary shown, waiting for "접수하기"
    SUBMITTING = "submitting"  # callback mode: the task opens the ticket


class SkillConversation(models.Model):
    """One KakaoTalk user's conversation with the chatbot desk of a channel.

    ``user_key`` is the identity the desk knows the user by (the channel-wide
    ``plusfriendUserKey`` when Kakao sends one, which 상담톡 uses too; else the bot's
    ``botUserKey``). ``inquiry_id`` names the inquiry being written: it becomes the
    message's external id, so opening it twice (a retried task) opens one ticket.
    """

    channel = models.ForeignKey(
        "connectors.Channel", on_delete=models.CASCADE, related_name="kakao_conversations"
    )
    user_key = models.CharField(max_length=120)
    step = models.CharField(max_length=12, choices=Step.choices, default=Step.IDLE)
    inquiry_id = models.UUIDField(default=uuid.uuid4)
    topic_slug = models.CharField(max_length=50, blank=True)
    description = models.TextField(blank=True)
    photo_urls = models.JSONField(default=list, blank=True)
    language = models.CharField(max_length=8, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "user_key"], name="kakao_conversation_channel_user_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.channel_id}:{self.user_key} ({self.step})"


class CounselSession(models.Model):
    """A user's 상담톡 session with the channel, as the dealer reported it.

    Kakao's rule (hub-partner spec): a session opens when the customer writes or presses
    the consult button and lasts 30 days from the customer's last message unless an agent
    or the customer ends it; agents can write only inside it.
    """

    channel = models.ForeignKey(
        "connectors.Channel", on_delete=models.CASCADE, related_name="kakao_sessions"
    )
    user_key = models.CharField(max_length=120)
    session_id = models.CharField(max_length=64, blank=True)
    last_customer_at = models.DateTimeField(null=True, blank=True)
    ended_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "user_key"], name="kakao_session_channel_user_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.channel_id}:{self.user_key} ({self.session_id})"


class Purpose(models.TextChoices):
    ANSWERED = "answered", _("Your inquiry was answered")
    CALLBACK = "callback", _("We will call you back")
    OTHER = "other", _("Other")


class Fallback(models.TextChoices):
    NONE = "", _("No fallback")
    SMS = "SM", _("SMS")
    LMS = "LM", _("LMS")


class AlimTalkTemplate(models.Model):
    """An 알림톡 template as Kakao approved it: its code and its text with ``#{변수}``.

    Kakao sends only a message that matches an approved template, so the body here must
    be the approved text, character for character; variables are filled in at sending.
    """

    channel = models.ForeignKey(
        "connectors.Channel",
        on_delete=models.CASCADE,
        related_name="alimtalk_templates",
        limit_choices_to={"kind": "kakao"},
        verbose_name=_("channel"),
    )
    code = models.CharField(_("template code"), max_length=30)
    name = models.CharField(_("name"), max_length=120, blank=True)
    purpose = models.CharField(
        _("used for"), max_length=12, choices=Purpose.choices, default=Purpose.ANSWERED
    )
    body = models.TextField(
        _("approved text"),
        help_text=_(
            "Exactly as approved, with variables written #{name}; at most 1000 characters."
        ),
    )
    fallback = models.CharField(
        _("SMS/LMS fallback"), max_length=2, choices=Fallback.choices, blank=True, default=""
    )
    # Web-link buttons as approved: [{"name": "문의 확인", "url": "https://…/#{링크}"}].
    buttons = models.JSONField(_("buttons"), default=list, blank=True)
    active = models.BooleanField(_("active"), default=True)

    class Meta:
        verbose_name = _("AlimTalk template")
        verbose_name_plural = _("AlimTalk templates")
        constraints = [
            models.UniqueConstraint(
                fields=["channel", "code"], name="alimtalk_template_channel_code_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.code} {self.name}".strip()


class AlimTalkConsent(models.Model):
    """A customer agreed to receive 알림톡 notices at this number (E.164)."""

    customer = models.ForeignKey(
        "customers.Customer", on_delete=models.CASCADE, related_name="alimtalk_consents"
    )
    phone = models.CharField(_("phone"), max_length=32)
    source = models.CharField(_("where it was given"), max_length=120)
    given_at = models.DateTimeField(_("given at"), auto_now_add=True)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)

    class Meta:
        verbose_name = _("AlimTalk consent")
        verbose_name_plural = _("AlimTalk consents")

    def __str__(self) -> str:
        return f"{self.customer_id}: {self.phone}"


class AlimTalkNotice(models.Model):
    """One 알림톡 sent (or refused) to a customer, with what it said."""

    ticket = models.ForeignKey(
        "tickets.Ticket", on_delete=models.CASCADE, null=True, related_name="alimtalk_notices"
    )
    template = models.ForeignKey(AlimTalkTemplate, on_delete=models.PROTECT)
    # The reply whose failed delivery this notice stands in for (one notice per reply).
    source_message = models.OneToOneField(
        "tickets.Message", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    phone = models.CharField(max_length=32)
    text = models.TextField()
    serial = models.CharField(max_length=30, blank=True)
    sent = models.BooleanField(default=False)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"{self.template_id} → {self.phone} ({'sent' if self.sent else 'not sent'})"
