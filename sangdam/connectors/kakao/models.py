"""Where the chatbot desk keeps each user's half-finished inquiry between turns."""

from __future__ import annotations

import uuid

from django.db import models


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
