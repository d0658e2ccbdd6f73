"""Who agreed to 알림톡, and whether this installation can send one at all.

Consent is a row per customer and number (E.164) with where and when it was given; the
notification step sends 알림톡 only to a Korean mobile number the customer agreed to.
The homepage form offers the checkbox only when an "answered" template is set up on a
channel with a dealer (:func:`offered`, kept per process as it is read on every form).
"""

from __future__ import annotations

import phonenumbers

from sangdam.connectors.kakao.config import skill_config
from sangdam.connectors.kakao.models import AlimTalkConsent, AlimTalkTemplate, Purpose
from sangdam.connectors.models import Channel
from sangdam.core.memo import Memo


class NotKoreanMobile(ValueError):
    pass


_offered = Memo(AlimTalkTemplate, Channel)


def domestic_mobile(number: str) -> str:
    """``+821012345678`` (or ``010-1234-5678``) → ``01012345678``; Korean mobiles only."""
    try:
        parsed = phonenumbers.parse(number, "KR")
    except phonenumbers.NumberParseException as exc:
        raise NotKoreanMobile(str(exc)) from exc
    if (
        parsed.country_code != 82
        or not phonenumbers.is_valid_number(parsed)
        or phonenumbers.number_type(parsed) != phonenumbers.PhoneNumberType.MOBILE
    ):
        raise NotKoreanMobile(f"{number} is not a Korean mobile number")
    return f"0{parsed.national_number}"


def record_consent(*, customer_id: int, phone: str, source: str) -> AlimTalkConsent:
    """The customer agreed to 알림톡 at ``phone`` (kept in E.164), given at ``source``."""
    parsed = phonenumbers.parse(phone, "KR")
    e164 = phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)
    return AlimTalkConsent.objects.create(customer_id=customer_id, phone=e164, source=source[:120])


def consented_mobile(customer_id: int) -> str:
    """The newest Korean mobile number the customer agreed to 알림톡 at ("" when none)."""
    for consent in AlimTalkConsent.objects.filter(
        customer_id=customer_id, withdrawn_at__isnull=True
    ).order_by("-given_at", "-id"):
        try:
            domestic_mobile(consent.phone)
        except NotKoreanMobile:
            continue
        return consent.phone
    return ""


def template_for(purpose: str) -> AlimTalkTemplate | None:
    """An active template for ``purpose`` on an enabled KakaoTalk channel with a dealer."""
    for template in AlimTalkTemplate.objects.filter(
        purpose=purpose, active=True, channel__enabled=True, channel__kind="kakao"
    ).select_related("channel"):
        if skill_config(template.channel).dealer:
            return template
    return None


def offered(purpose: str = Purpose.ANSWERED) -> bool:
    """Whether a template for ``purpose`` is set up (the homepage form offers "answer me by
    알림톡" when the answered one is; the call-back notice looks before reading anything)."""
    return _offered.get(str(purpose), lambda: template_for(purpose) is not None)
