"""The customer-facing forms: inquiry, reply on the status page, find my inquiry.

Forms only check input and say what is wrong in the customer's language; the views hand
the clean values to the intake pipeline.
"""

from __future__ import annotations

from typing import Any

import phonenumbers
from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from sangdam.connectors.base import InboundAttachment
from sangdam.core.text import one_line
from sangdam.portal.models import TopicField
from sangdam.tickets.attachments import AttachmentRejected, check_attachment
from sangdam.tickets.models import Topic


class InquiryForm(forms.Form):
    name = forms.CharField(label=_("Name"), max_length=100)
    email = forms.EmailField(label=_("Email"), max_length=254)
    phone = forms.CharField(
        label=_("Phone (optional)"),
        max_length=32,
        required=False,
        help_text=_("Include the country code if you are outside Korea, e.g. +1 415 555 0100."),
    )
    # Shown only when 알림톡 is set up (``alimtalk=True``): the answer's notice by KakaoTalk.
    alimtalk = forms.BooleanField(
        label=_("Also tell me by KakaoTalk 알림톡 when my inquiry is answered."),
        help_text=_("Sent to the mobile number above (Korean mobiles only)."),
        required=False,
    )
    topic = forms.ChoiceField(label=_("Topic"))
    subject = forms.CharField(label=_("Subject"), max_length=200)
    description = forms.CharField(
        label=_("Description"), max_length=20000, widget=forms.Textarea(attrs={"rows": 8})
    )
    consent = forms.BooleanField(
        label=_("I agree that my inquiry and contact details are used to answer me."),
        error_messages={"required": _("Please agree to the use of your details so we can answer.")},
    )
    # A honeypot: hidden from people (CSS and aria-hidden), filled in by naive bots.
    website = forms.CharField(required=False, label=_("Leave this field empty"))
    nonce = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def __init__(
        self,
        *args: Any,
        topics: list[Topic],
        extra: list[TopicField],
        alimtalk: bool = False,
        **kw: Any,
    ):
        super().__init__(*args, **kw)
        if not alimtalk:
            del self.fields["alimtalk"]
        self.topics = topics
        self.extra = extra
        topic_field = self.fields["topic"]
        assert isinstance(topic_field, forms.ChoiceField)
        topic_field.choices = [("", gettext("Choose a topic"))] + [
            (t.slug, t.name()) for t in topics
        ]
        # A fresh install has no topics yet: the form then works without one.
        topic_field.required = bool(topics)
        for item in extra:
            self.fields[item.input_name] = forms.CharField(
                label=item.label(), max_length=200, required=False
            )

    def extra_groups(self) -> list[tuple[Topic, list[forms.BoundField]]]:
        """Per-topic questions, grouped for the template (shown for the chosen topic)."""
        groups: list[tuple[Topic, list[forms.BoundField]]] = []
        for topic in self.topics:
            bound = [self[f.input_name] for f in self.extra if f.topic_id == topic.pk]
            if bound:
                groups.append((topic, bound))
        return groups

    def clean_name(self) -> str:
        name = one_line(self.cleaned_data["name"])
        if not name:
            raise forms.ValidationError(gettext("Please enter your name."))
        return name

    def clean_subject(self) -> str:
        subject = one_line(self.cleaned_data["subject"])
        if not subject:
            raise forms.ValidationError(gettext("Please enter a subject."))
        return subject

    def clean_description(self) -> str:
        text = str(self.cleaned_data["description"]).replace("\x00", "").strip()
        if not text:
            raise forms.ValidationError(gettext("Please describe your inquiry."))
        return text

    def clean_phone(self) -> str:
        return clean_phone(self.cleaned_data.get("phone") or "")

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("alimtalk"):
            if not data.get("phone"):
                if "phone" not in self.errors:
                    self.add_error("phone", gettext("Enter your mobile number to receive 알림톡."))
            elif not is_korean_mobile(data["phone"]):
                self.add_error(
                    "phone", gettext("알림톡 can be sent only to a Korean mobile number.")
                )
        slug = data.get("topic")
        for item in self.extra:
            value = one_line(data.get(item.input_name) or "")
            data[item.input_name] = value
            if item.topic.slug == slug and item.required and not value:
                self.add_error(item.input_name, gettext("This field is required."))
        return data

    def answers(self) -> dict[str, str]:
        """The chosen topic's extra answers by key, for the ticket's metadata."""
        slug = self.cleaned_data.get("topic")
        return {
            f.key: self.cleaned_data[f.input_name]
            for f in self.extra
            if f.topic.slug == slug and self.cleaned_data.get(f.input_name)
        }


def is_korean_mobile(e164: str) -> bool:
    number = phonenumbers.parse(e164, "KR")
    return (
        number.country_code == 82
        and phonenumbers.number_type(number) == phonenumbers.PhoneNumberType.MOBILE
    )


def clean_phone(raw: str) -> str:
    """A phone number as E.164 ("+821012345678"); Korean numbers may omit +82."""
    raw = raw.strip()
    if not raw:
        return ""
    try:
        number = phonenumbers.parse(raw, "KR")
    except phonenumbers.NumberParseException as exc:
        raise forms.ValidationError(gettext("This is not a phone number.")) from exc
    if not phonenumbers.is_valid_number(number):
        raise forms.ValidationError(gettext("This is not a valid phone number."))
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


class ReplyForm(forms.Form):
    text = forms.CharField(
        label=_("Your reply"), max_length=20000, widget=forms.Textarea(attrs={"rows": 5})
    )
    website = forms.CharField(required=False, label=_("Leave this field empty"))
    nonce = forms.CharField(widget=forms.HiddenInput, max_length=64)

    def clean_text(self) -> str:
        text = str(self.cleaned_data["text"]).replace("\x00", "").strip()
        if not text:
            raise forms.ValidationError(gettext("Please write a message."))
        return text


class FindForm(forms.Form):
    email = forms.EmailField(label=_("Email"), max_length=254)
    reference = forms.CharField(
        label=_("Reference number"),
        max_length=24,
        help_text=_("It looks like SD-100123 and is in the confirmation email."),
    )

    def clean_reference(self) -> str:
        return one_line(self.cleaned_data["reference"]).upper()


def check_files(files: list[UploadedFile]) -> tuple[list[InboundAttachment], list[str]]:
    """Checked attachments, or the reasons they were refused (none stored on refusal).

    The size is checked before a file is read, so a 50 MB upload is never held in memory.
    The type comes from the content (``check_attachment``), not the name or declared type.
    """
    errors: list[str] = []
    files = [f for f in files if f.name]
    if len(files) > settings.PORTAL_MAX_FILES:
        return [], [
            gettext("You can attach at most %(count)d files.")
            % {"count": settings.PORTAL_MAX_FILES}
        ]
    limit_mb = settings.ATTACHMENT_MAX_BYTES // (1024 * 1024)
    accepted: list[InboundAttachment] = []
    for upload in files:
        name = str(upload.name)
        if (upload.size or 0) > settings.ATTACHMENT_MAX_BYTES:
            errors.append(
                gettext("%(name)s is larger than %(limit)d MB.") % {"name": name, "limit": limit_mb}
            )
            continue
        content = upload.read()
        try:
            checked = check_attachment(name, content)
        except AttachmentRejected as exc:
            errors.append(_file_error(exc, name, limit_mb))
            continue
        accepted.append(
            InboundAttachment(
                checked.filename, checked.content_type, content, sha256=checked.sha256
            )
        )
    return ([], errors) if errors else (accepted, [])


def _file_error(exc: AttachmentRejected, name: str, limit_mb: int) -> str:
    # Re-worded here so the customer reads it in their language with the portal's catalog.
    if exc.code == "attachment_empty":
        return gettext("%(name)s is empty.") % {"name": name}
    if exc.code == "attachment_too_large":
        return gettext("%(name)s is larger than %(limit)d MB.") % {"name": name, "limit": limit_mb}
    return gettext(
        "%(name)s is not a file type we accept (images, videos, audio, PDF, text, "
        "Office documents, ZIP)."
    ) % {"name": name}
