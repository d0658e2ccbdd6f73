"""Emails to the customer from the portal: the confirmation and fresh status links.

Both are enqueued in the same transaction as what causes them, so a mail server that is
down delays the email instead of losing it: a failed send is retried with backoff like a
reply's delivery. The confirmation of a new inquiry is a listener of
:class:`~sangdam.portal.events.ConfirmationRequested` (it rides on the inquiry's one
dispatch task); a fresh status link is a task of its own.
"""

from __future__ import annotations

import logging
import smtplib

from django.conf import settings
from django.core.mail import EmailMessage
from django.template.loader import render_to_string
from django.utils import translation
from django_tasks import task

from sangdam.connectors.selectors import default_sender_address
from sangdam.core import backoff
from sangdam.core.compiled import MARKER, CompiledQuery
from sangdam.core.text import one_line
from sangdam.portal.events import ConfirmationRequested
from sangdam.portal.links import status_url
from sangdam.service import promise
from sangdam.tickets.dispatch import listener
from sangdam.tickets.models import Ticket

log = logging.getLogger(__name__)

KINDS = ("received", "link")


# Read for every inquiry from the web form: compiled once (core/compiled.py).
_TICKET = CompiledQuery(
    Ticket, lambda pk: Ticket.objects.select_related("customer").filter(pk=pk), MARKER
)


@listener(ConfirmationRequested, atomic=False)
def confirm_inquiry(event: ConfirmationRequested) -> None:
    if event.ticket_id is not None:
        send_portal_email.call(event.ticket_id, event.to, "received", event.language)


@task()
def send_portal_email(ticket_id: int, to: str, kind: str, language: str, attempt: int = 1) -> None:
    """Mail ``to`` the ticket's reference and a magic link to its status page."""
    ticket = next(iter(_TICKET.objects(ticket_id)), None)
    if ticket is None or kind not in KINDS:
        return
    with translation.override(language or ticket.language or settings.LANGUAGE_CODE):
        context = {
            "ticket": ticket,
            "url": status_url(ticket),
            "kind": kind,
            "max_age_days": settings.PORTAL_LINK_MAX_AGE // 86400,
            "promise": promise.for_ticket(ticket) if kind == "received" else "",
        }
        # The subject carries only our own words and the reference: the customer's subject
        # could be anything, and one line is all a header may hold.
        subject = one_line(render_to_string(f"portal/email/{kind}_subject.txt", context))
        body = render_to_string(f"portal/email/{kind}.txt", context)
    mail = EmailMessage(subject=subject, body=body, from_email=default_sender_address(), to=[to])
    try:
        mail.send(fail_silently=False)
    except (OSError, smtplib.SMTPException) as exc:
        if backoff.gave_up(attempt):
            log.error("portal email %s for %s failed for good: %s", kind, ticket.reference, exc)
            return
        retry_at = backoff.retry_at(attempt)
        log.warning(
            "portal email %s for %s failed (%s); retry at %s", kind, ticket.reference, exc, retry_at
        )
        send_portal_email.using(run_after=retry_at).enqueue(
            ticket_id, to, kind, language, attempt + 1
        )
