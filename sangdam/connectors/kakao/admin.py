"""알림톡 templates and consents in the admin (``/django-admin/``, behind the console login).

A template is saved only when its text is one 알림톡 can carry (variables written
``#{name}``, at most 1000 characters with sample values); the page lists its variables and
shows a preview filled with sample values.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.utils.html import format_html
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sangdam.connectors.kakao.alimtalk import VARIABLE, TemplateMismatch, render, variables
from sangdam.connectors.kakao.models import AlimTalkConsent, AlimTalkNotice, AlimTalkTemplate

SAMPLE = {
    "reference": "SD-240123",
    "접수번호": "SD-240123",
    "문의번호": "SD-240123",
    "name": "김민지",
    "고객명": "김민지",
    "이름": "김민지",
    "link": "https://help.example.com/s/…",
    "url": "https://help.example.com/s/…",
    "링크": "https://help.example.com/s/…",
    "주소": "https://help.example.com/s/…",
    "subject": "결제가 두 번 되었어요",
    "제목": "결제가 두 번 되었어요",
    "time": "12월 3일 오후 2시",
    "시간": "12월 3일 오후 2시",
}


def preview(body: str) -> str:
    values = {name: SAMPLE.get(name, f"[{name}]") for name in variables(body)}
    return render(body, values)


class TemplateForm(forms.ModelForm[AlimTalkTemplate]):
    class Meta:
        model = AlimTalkTemplate
        fields = ["channel", "code", "name", "purpose", "body", "fallback", "active"]

    def clean_body(self) -> str:
        body = str(self.cleaned_data.get("body") or "")
        if body.count("#{") != len(VARIABLE.findall(body)):
            raise forms.ValidationError(_("Write variables as #{name}, closed with }."))
        try:
            preview(body)
        except TemplateMismatch as exc:
            raise forms.ValidationError(str(exc)) from exc
        return body


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
