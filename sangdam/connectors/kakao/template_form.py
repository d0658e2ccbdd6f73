"""Checking an 알림톡 template as an admin writes it, for the console page and the admin.

A template is saved only when 알림톡 can carry it: variables written ``#{name}`` and
closed, at most 1000 characters once filled with sample values, at most five web-link
buttons with a name of at most 14 characters and an http(s) address. The preview fills
the text and the buttons with the same sample values.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from sangdam.connectors.kakao.models import AlimTalkTemplate
from sangdam.connectors.kakao.template_text import VARIABLE, TemplateMismatch, render, variables
from sangdam.connectors.models import Channel, ChannelKind

MAX_BUTTONS = 5
BUTTON_NAME_MAX = 14

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
    "일시": "12월 3일 오후 2시",
}


def sample_values(*texts: str) -> dict[str, str]:
    return {name: SAMPLE.get(name, f"[{name}]") for text in texts for name in variables(text)}


def preview(body: str) -> str:
    return render(body, sample_values(body))


@dataclass(frozen=True)
class Preview:
    text: str
    buttons: list[dict[str, str]]
    variables: list[str]


def preview_of(body: str, buttons: list[dict[str, str]]) -> Preview:
    """The message and its buttons as the customer would read them, with sample values."""
    values = sample_values(body, *(b["url"] for b in buttons))
    return Preview(
        text=render(body, values),
        buttons=[{"name": b["name"], "url": render(b["url"], values)} for b in buttons],
        variables=variables(body + "".join(b["url"] for b in buttons)),
    )


def check_body(body: str) -> str:
    if body.count("#{") != len(VARIABLE.findall(body)):
        raise forms.ValidationError(_("Write variables as #{name}, closed with }."))
    try:
        preview(body)
    except TemplateMismatch as exc:
        raise forms.ValidationError(str(exc)) from exc
    return body


def parse_buttons(text: str) -> list[dict[str, str]]:
    """``이름 | https://…`` per line → buttons; a :class:`ValidationError` says what is wrong."""
    buttons: list[dict[str, str]] = []
    errors: list[str] = []
    for n, line in enumerate(text.splitlines(), start=1):
        if not line.strip():
            continue
        name, sep, url = (part.strip() for part in line.partition("|"))
        if not sep or not name or not url:
            errors.append(_("Line %(n)d: write the button as name | https://address.") % {"n": n})
        elif len(name) > BUTTON_NAME_MAX:
            errors.append(
                _("Line %(n)d: a button name has at most %(max)d characters.")
                % {"n": n, "max": BUTTON_NAME_MAX}
            )
        elif not url.startswith(("https://", "http://", "#{")):
            errors.append(_("Line %(n)d: the address must start with https://.") % {"n": n})
        else:
            buttons.append({"name": name, "url": url})
    if len(buttons) > MAX_BUTTONS:
        errors.append(_("알림톡 allows at most %(max)d buttons.") % {"max": MAX_BUTTONS})
    if errors:
        raise forms.ValidationError(errors)
    return buttons


def buttons_text(buttons: list[dict[str, str]]) -> str:
    return "\n".join(f"{b['name']} | {b['url']}" for b in buttons)


class TemplateForm(forms.ModelForm[AlimTalkTemplate]):
    button_lines = forms.CharField(
        label=gettext_lazy("Buttons"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=gettext_lazy(
            "Web-link buttons exactly as approved, one per line: name | https://address "
            "(variables allowed; at most 5, names up to 14 characters)."
        ),
    )

    class Meta:
        model = AlimTalkTemplate
        fields = ["channel", "code", "name", "purpose", "body", "fallback", "active"]
        widgets = {"body": forms.Textarea(attrs={"rows": 6})}

    field_order = ["channel", "code", "name", "purpose", "body", "button_lines", "fallback"]

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        channel = self.fields["channel"]
        assert isinstance(channel, forms.ModelChoiceField)
        channel.queryset = Channel.objects.filter(kind=ChannelKind.KAKAO).order_by("name")
        if self.instance.pk and not self.is_bound:
            self.initial["button_lines"] = buttons_text(self.instance.buttons or [])

    def clean_body(self) -> str:
        return check_body(str(self.cleaned_data.get("body") or ""))

    def clean_button_lines(self) -> list[dict[str, str]]:
        return parse_buttons(str(self.cleaned_data.get("button_lines") or ""))

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        buttons = data.get("button_lines")
        if isinstance(buttons, list):
            self.instance.buttons = buttons
        return data
