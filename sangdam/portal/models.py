"""Extra questions admins add to the inquiry form for one topic (e.g. an order number)."""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


class TopicField(models.Model):
    topic = models.ForeignKey(
        "tickets.Topic",
        on_delete=models.CASCADE,
        related_name="form_fields",
        verbose_name=_("topic"),
    )
    # The key the answer is stored under in the ticket's metadata.
    key = models.SlugField(_("key"), max_length=40)
    label_ko = models.CharField(_("label (Korean)"), max_length=120)
    label_en = models.CharField(_("label (English)"), max_length=120)
    required = models.BooleanField(_("required"), default=False)
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["topic", "position", "id"]
        constraints = [
            models.UniqueConstraint(fields=["topic", "key"], name="topic_field_key_unique")
        ]

    def __str__(self) -> str:
        return f"{self.topic.slug}.{self.key}"

    def label(self, language: str | None = None) -> str:
        language = (language or get_language() or "ko")[:2]
        return self.label_ko if language == "ko" else (self.label_en or self.label_ko)

    @property
    def input_name(self) -> str:
        return f"x_{self.topic.slug}_{self.key}"
