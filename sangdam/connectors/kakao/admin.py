"""알림톡 templates and consents in the Django admin (``/django-admin/``, for staff); the
console's own page for templates is :mod:`sangdam.connectors.kakao.console`.

A template is saved only when its text is one 알림톡 can carry (variables written
``#{name}``, at most 1000 characters with sample values); the page lists its variables and
shows a preview filled with sample values.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext_lazy

from sangdam.connectors.kakao.models import AlimTalkConsent, AlimTalkNotice, AlimTalkTemplate
from sangdam.connectors.kakao.template_form import TemplateForm, preview
from sangdam.connectors.kakao.template_text import TemplateMismatch, variables


@admin.register(AlimTalkTemplate)
class AlimTalkTemplateAdmin(admin.ModelAdmin[AlimTalkTemplate]):
    form = TemplateForm
    list_display = ("code", "name", "purpose", "channel", "fallback", "active")
    list_filter = ("purpose", "active")
    readonly_fields = ("template_variables", "template_preview")

    @admin.display(description=gettext_lazy("variables"))
    def template_variables(self, obj: AlimTalkTemplate) -> str:
        return ", ".join(f"#{{{n}}}" for n in variables(obj.body)) if obj.pk else ""

    @admin.display(description=gettext_lazy("preview"))
    def template_preview(self, obj: AlimTalkTemplate) -> Any:
        if not obj.pk:
            return ""
        try:
            text = preview(obj.body)
        except TemplateMismatch as exc:
            return str(exc)
        return format_html('<pre style="white-space: pre-wrap">{}</pre>', text)


@admin.register(AlimTalkConsent)
class AlimTalkConsentAdmin(admin.ModelAdmin[AlimTalkConsent]):
    list_display = ("customer", "phone", "source", "given_at", "withdrawn_at")
    search_fields = ("phone",)
    raw_id_fields = ("customer",)


@admin.register(AlimTalkNotice)
class AlimTalkNoticeAdmin(admin.ModelAdmin[AlimTalkNotice]):
    list_display = ("created_at", "template", "phone", "sent", "error")
    list_filter = ("sent",)
    readonly_fields = [f.name for f in AlimTalkNotice._meta.fields]
