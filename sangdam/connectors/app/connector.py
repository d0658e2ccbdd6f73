"""The app channel's connector: an agent's reply becomes a push to the customer's devices.

Every registered token of the customer gets the notification (FCM, APNs or Web Push,
with that app's credentials). Tokens the provider calls dead are deleted. When no token
exists or every push failed for good, the reply goes by email if the customer has an
address; with neither, the delivery fails permanently and the agent sees why.
"""

from __future__ import annotations

import logging
from dataclasses import replace

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from sangdam.connectors.app import selectors
from sangdam.connectors.app.models import PushKind, PushToken
from sangdam.connectors.app.push import apns, fcm, webpush
from sangdam.connectors.app.push.common import Notification, PushResult, refused
from sangdam.connectors.base import Connector, DeliveryError, OutboundMessage
from sangdam.connectors.email.by_email import ByEmailConnector
from sangdam.connectors.models import Channel, ChannelKind
from sangdam.connectors.registry import register
from sangdam.connectors.selectors import default_email_channel
from sangdam.customers.models import Customer, Identity
from sangdam.tickets.models import Ticket

log = logging.getLogger(__name__)
BODY_CHARS = 180


def _language(token: PushToken, customer: Customer) -> str:
    return (token.locale or customer.language or settings.LANGUAGE_CODE).split("-")[0].lower()


def notification(
    message: OutboundMessage, ticket: Ticket, badge: int, language: str
) -> Notification:
    with translation.override(language):
        title = _("You have a reply from customer support")
    text = " ".join(message.text.split())
    body = text if len(text) <= BODY_CHARS else text[: BODY_CHARS - 1] + "…"
    data = {
        "type": "inquiry_reply",
        "inquiry_id": str(ticket.pk),
        "reference": ticket.reference,
        "message_id": str(message.message_id),
    }
    return Notification(title=title, body=body, badge=badge, data=data)


def push_one(token: PushToken, note: Notification) -> PushResult:
    creds = token.app.secrets
    if token.kind == PushKind.FCM:
        account = creds.get("fcm_service_account")
        return fcm.send(account, token.token, note) if account else refused("FCM not configured")
    if token.kind == PushKind.APNS:
        apns_creds = creds.get("apns")
        if not apns_creds:
            return refused("APNs not configured")
        return apns.send(apns_creds, token.token, note)
    vapid = creds.get("vapid")
    return (
        webpush.send(vapid, token.subscription, note) if vapid else refused("VAPID not configured")
    )


@register
class AppConnector(Connector):
    kind = ChannelKind.APP
    identity_kind = "app_user"

    def send(self, channel: Channel, message: OutboundMessage) -> str:
        identity = (
            Identity.objects.select_related("customer")
            .filter(kind=self.identity_kind, value=message.recipient)
            .first()
        )
        ticket = Ticket.objects.filter(reference=message.ticket_reference).first()
        if identity is None or ticket is None:
            raise DeliveryError("the app user or the inquiry no longer exists", permanent=True)
        customer = identity.customer
        tokens = list(PushToken.objects.filter(customer=customer).select_related("app"))
        badge = selectors.total_unread(customer=customer)
        results = [
            (t, push_one(t, notification(message, ticket, badge, _language(t, customer))))
            for t in tokens
        ]
        dead = [t.pk for t, r in results if r.remove_token]
        if dead:
            PushToken.objects.filter(pk__in=dead).delete()
        sent = [(t, r) for t, r in results if r.ok]
        if sent:
            PushToken.objects.filter(pk__in=[t.pk for t, _ in sent]).update(
                last_used_at=timezone.now()
            )
            return "push:" + ",".join(r.provider_id or str(t.pk) for t, r in sent)[:290]
        errors = "; ".join(r.error for _, r in results)
        if any(not r.permanent for _, r in results):
            raise DeliveryError(f"push failed, will retry: {errors}")
        return self._by_email(customer, message, errors or "no push token")

    def _by_email(self, customer: Customer, message: OutboundMessage, why: str) -> str:
        email = (
            Identity.objects.filter(customer=customer, kind="email")
            .order_by("-created_at")
            .values_list("value", flat=True)
            .first()
        )
        if not email:
            raise DeliveryError(f"{why}, and the customer has no email address", permanent=True)
        log.info("app reply %s falls back to email: %s", message.message_id, why)
        return ByEmailConnector().send(default_email_channel(), replace(message, recipient=email))
