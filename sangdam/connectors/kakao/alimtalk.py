"""알림톡 (AlimTalk): template notices to a customer's Korean mobile number.

Kakao delivers an 알림톡 only when its text matches a template it approved (through the
dealer), so a template is stored as approved, with ``#{변수}`` placeholders, and a message
is refused *before* it is sent when a variable has no value or the result is too long.
Numbers go out in the domestic format dealers expect (``01012345678``); SMS/LMS fallback
is the template's setting, passed through.

The notification step: when an agent's reply cannot reach the customer on its channel
(its delivery failed for good: a chatbot without 상담톡, a closed 상담톡 session, a web-form
inquiry that left only a phone number), and the customer agreed to 알림톡 at a Korean
mobile number, the channel's "answered" template goes out with the status link instead,
and the ticket gets a note saying so.
"""

from __future__ import annotations

import logging
from collections.abc import Mapping

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import translation
from django.utils.translation import gettext as _

from sangdam.connectors.base import DeliveryReceipt, MalformedEvent
from sangdam.connectors.http import ProviderError
from sangdam.connectors.kakao.consent import (
    NotKoreanMobile,
    consented_mobile,
    domestic_mobile,
    record_consent,
    template_for,
)
from sangdam.connectors.kakao.models import (
    AlimTalkNotice,
    AlimTalkTemplate,
    Purpose,
)
from sangdam.connectors.kakao.template_text import TemplateMismatch, render, variables
from sangdam.portal.links import status_url
from sangdam.tickets import actions
from sangdam.tickets.actor import Actor
from sangdam.tickets.models import DeliveryState, Message, Ticket

log = logging.getLogger(__name__)

# Consent and numbers live in consent.py, a template's text in template_text.py; callers
# know them as alimtalk.<name> too.
__all__ = [
    "NotKoreanMobile",
    "TemplateMismatch",
    "consented_mobile",
    "domestic_mobile",
    "record_consent",
    "render",
    "variables",
]

ACTOR = Actor("system:alimtalk")


class NoConsent(ValueError):
    pass


def send(
    *,
    template: AlimTalkTemplate,
    phone: str,
    values: Mapping[str, str],
    ticket: Ticket | None = None,
    source_message: Message | None = None,
) -> AlimTalkNotice:
    """Fill ``template`` and send it to ``phone``; the notice records what happened.

    :class:`TemplateMismatch` / :class:`NotKoreanMobile` are raised before anything is
    sent; a dealer's refusal is kept on the notice (``sent`` False, ``error``).
    """
    from sangdam.connectors.kakao.connector import KakaoSkillConnector

    text = render(template.body, values)
    buttons = [{"name": b["name"], "url": render(b["url"], values)} for b in template.buttons or []]
    number = domestic_mobile(phone)
    dealer = KakaoSkillConnector().dealer(template.channel)
    if dealer is None:
        raise TemplateMismatch(_("The template's channel has no 상담톡/알림톡 dealer."))
    try:
        with transaction.atomic():
            notice = AlimTalkNotice.objects.create(
                ticket=ticket,
                template=template,
                source_message=source_message,
                phone=phone,
                text=text,
            )
    except IntegrityError:
        # One notice per reply: a repeated event sends nothing twice.
        return AlimTalkNotice.objects.get(source_message=source_message)
    notice.serial = f"at{notice.pk}"
    try:
        dealer.send_alimtalk(
            phone=number,
            template_code=template.code,
            text=text,
            serial=notice.serial,
            fallback=template.fallback,
            buttons=buttons,
        )
    except ProviderError as exc:
        notice.error = str(exc)[:2000]
    else:
        notice.sent = True
    notice.save(update_fields=["serial", "sent", "error"])
    return notice


def notify_answer(message: Message) -> AlimTalkNotice | None:
    """The reply ``message`` could not be delivered: tell the customer by 알림톡 that
    their inquiry was answered (when they agreed to it and a template is set up)."""
    if (message.metadata or {}).get("automatic"):
        return None
    ticket = message.ticket
    phone = consented_mobile(ticket.customer_id)
    template = template_for(Purpose.ANSWERED)
    if not phone or template is None:
        return None
    if AlimTalkNotice.objects.filter(source_message=message).exists():
        return None  # the event came twice: one notice per reply
    with translation.override(ticket.language or settings.LANGUAGE_CODE):
        values = {
            name: value
            for names, value in (
                (("reference", "접수번호", "문의번호"), ticket.reference),
                (("name", "고객명", "이름"), ticket.customer.name or _("customer")),
                (("link", "url", "링크", "주소"), status_url(ticket)),
                (("subject", "제목"), ticket.subject[:60]),
            )
            for name in names
        }
        notice: AlimTalkNotice | None = None
        try:
            sent = send(
                template=template,
                phone=phone,
                values=values,
                ticket=ticket,
                source_message=message,
            )
        except (TemplateMismatch, NotKoreanMobile) as exc:
            note = _("알림톡 not sent: %(reason)s") % {"reason": exc}
        else:
            notice = sent
            if sent.sent:
                note = _("The reply could not be delivered on its channel; an 알림톡 (%(code)s) told the customer at %(phone)s that it was answered.") % {"code": template.code, "phone": phone}  # fmt: skip
            else:
                note = _("알림톡 not sent: %(reason)s") % {"reason": sent.error}
        _note(ticket, note, notice)
    return notice


def _note(ticket: Ticket, text: str, notice: AlimTalkNotice | None) -> Message:
    """The ticket's note about an 알림톡; a sent one carries its delivery state, which
    the dealer's result (:func:`read_result`) moves on through the receipt action."""
    with transaction.atomic():
        message = actions.do_reply(
            ticket=ticket,
            actor=ACTOR,
            text=text,
            note=True,
            metadata={"alimtalk": notice.template.code} if notice else None,
        )
        if notice is not None and notice.sent:
            actions.do_record_delivery(
                message=message,
                state=DeliveryState.SENT,
                external_id=notice.serial,
                channel=notice.template.channel,
                actor=ACTOR,
            )
    return message


def notify_callback(*, ticket: Ticket, when: str) -> AlimTalkNotice:
    """Tell the customer by 알림톡 when we will call them back (the "callback" template).

    Raises :class:`TemplateMismatch` (no template, a missing value) or
    :class:`NotKoreanMobile` / :class:`NoConsent` before anything is sent.
    """
    phone = consented_mobile(ticket.customer_id)
    if not phone:
        raise NoConsent(_("The customer has not agreed to 알림톡 at a Korean mobile number."))
    template = template_for(Purpose.CALLBACK)
    if template is None:
        raise TemplateMismatch(_("No active 알림톡 template is set up for call-backs."))
    values = {
        "reference": ticket.reference,
        "접수번호": ticket.reference,
        "name": ticket.customer.name or _("customer"),
        "고객명": ticket.customer.name or _("customer"),
        "time": when,
        "시간": when,
        "일시": when,
    }
    notice = send(template=template, phone=phone, values=values, ticket=ticket)
    _note(
        ticket,
        _("알림톡 (%(code)s) sent to %(phone)s: %(text)s")
        % {"code": template.code, "phone": phone, "text": notice.text}
        if notice.sent
        else _("알림톡 not sent: %(reason)s") % {"reason": notice.error},
        notice,
    )
    return notice


# --- delivery results --------------------------------------------------------------------

# How the dealer finally delivered an 알림톡: itself, or its SMS/LMS fallback.
_SENT_AS = {"AT": "", "SM": "SMS", "LM": "LMS", "MM": "MMS"}
_OK = {"0000", "0", "1000", "OK"}


def read_result(data: object, *, channel_id: int) -> DeliveryReceipt:
    """A dealer's 알림톡 delivery result (``…/alimtalk/result``) as a delivery receipt.

    The body names the 알림톡 by the ``cid`` Sangdam gave it, says how it was finally
    sent (``sent_type`` AT, or SM/LM when the dealer fell back to a text message) and
    whether it arrived (``result_code`` "0000", else ``result_message`` says why)."""
    if not isinstance(data, dict) or not str(data.get("cid") or "").strip():
        raise MalformedEvent("an 알림톡 result needs the cid")
    code = str(data.get("result_code", "")).strip()
    sent_as = _SENT_AS.get(str(data.get("sent_type") or "AT").upper(), "")
    if code in _OK:
        remark = (
            _("KakaoTalk did not reach the customer; the dealer sent it as %(kind)s.")
            % {"kind": sent_as}
            if sent_as
            else ""
        )
        return DeliveryReceipt(
            channel_id=channel_id, external_id=str(data["cid"]), state="delivered", error=remark
        )
    reason = f"{code} {data.get('result_message') or ''}".strip() or "no result code"
    return DeliveryReceipt(
        channel_id=channel_id, external_id=str(data["cid"]), state="failed", error=reason
    )


def result_event_id(data: object) -> str:
    fields = data if isinstance(data, dict) else {}
    return "alimtalk:" + ":".join(
        str(fields.get(k, "")) for k in ("cid", "sent_type", "result_code")
    )
