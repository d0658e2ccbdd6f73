"""Agents (the people who answer), their teams, roles and API tokens."""

from __future__ import annotations

import hashlib
import secrets

from django.contrib.auth.models import AbstractUser, UserManager
from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    ADMIN = "admin", _("Admin")
    AGENT = "agent", _("Agent")
    READONLY = "readonly", _("Read-only")


class Presence(models.TextChoices):
    ONLINE = "online", _("Online")
    AWAY = "away", _("Away")
    OFFLINE = "offline", _("Offline")


class AgentManager(UserManager["User"]):
    def create_user(  # type: ignore[override]
        self, email: str, password: str | None = None, **extra: object
    ) -> User:
        extra.setdefault("username", email.lower())
        return super().create_user(email=email.lower(), password=password, **extra)  # type: ignore[arg-type]

    def create_superuser(  # type: ignore[override]
        self, email: str, password: str | None = None, **extra: object
    ) -> User:
        extra.setdefault("username", email.lower())
        extra.setdefault("role", Role.ADMIN)
        return super().create_superuser(email=email.lower(), password=password, **extra)  # type: ignore[arg-type]


class User(AbstractUser):
    """An agent or admin. Customers never have a User: they live in customers.Customer."""

    email = models.EmailField(_("email"), unique=True)
    display_name = models.CharField(_("display name"), max_length=120, blank=True)
    role = models.CharField(_("role"), max_length=16, choices=Role.choices, default=Role.AGENT)
    language = models.CharField(_("interface language"), max_length=8, blank=True)
    languages = models.JSONField(_("languages spoken"), default=list, blank=True)
    skills = models.JSONField(_("skills"), default=list, blank=True)
    # How many open tickets routing gives the agent at once: e-mail-like tickets and chats
    # (live chat and messengers, answered while the customer waits) count separately.
    capacity = models.PositiveSmallIntegerField(_("ticket capacity"), default=10)
    chat_capacity = models.PositiveSmallIntegerField(_("chat capacity"), default=3)
    presence = models.CharField(
        _("presence"), max_length=16, choices=Presence.choices, default=Presence.OFFLINE
    )
    presence_changed_at = models.DateTimeField(null=True, blank=True)
    # A picture customers see next to the agent's answers in the chat (type-sniffed and
    # small: see the agent form); without one they see initials on a colour.
    avatar = models.FileField(_("picture"), upload_to="avatars/", blank=True)

    USERNAME_FIELD = "email"
    REQUIRED_FIELDS = ["username"]

    objects = AgentManager()  # type: ignore[misc]

    class Meta:
        ordering = ["display_name", "email"]

    def __str__(self) -> str:
        return self.display_name or self.email

    @property
    def name(self) -> str:
        return self.display_name or self.email

    @property
    def is_admin(self) -> bool:
        return self.role == Role.ADMIN or self.is_superuser

    @property
    def can_write(self) -> bool:
        return self.role in (Role.ADMIN, Role.AGENT) or self.is_superuser


class Team(models.Model):
    name = models.CharField(_("name"), max_length=120, unique=True)
    members = models.ManyToManyField(User, related_name="teams", blank=True)
    # Told when the team's tickets miss their SLA targets (with the assignee).
    lead = models.ForeignKey(
        User,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="led_teams",
        verbose_name=_("team lead"),
    )

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


def hash_token(raw: str) -> str:
    return hashlib.sha256(raw.encode()).hexdigest()


class ApiToken(models.Model):
    """A per-agent Bearer token. Only its hash is stored; the raw token is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(max_length=120)
    prefix = models.CharField(max_length=12)
    token_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_used_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"

    @staticmethod
    def generate() -> str:
        return "sd_" + secrets.token_urlsafe(32)
