"""The center's own profile: who runs it, and whether its first admin finished setting it up."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class Company(models.Model):
    """One row (pk 1): the company this customer center answers for."""

    name = models.CharField(_("company name"), max_length=120)
    support_email = models.EmailField(_("support address"), blank=True)
    # Set when the first-run page was saved: from then on admins log in to the inbox.
    setup_done_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("company")
        verbose_name_plural = _("company")

    def __str__(self) -> str:
        return self.name
