"""Automation's tasks: time rules (scheduled) and notification mails to agents."""

from __future__ import annotations

from django.conf import settings
from django.core.mail import EmailMessage
from django.utils import translation
from django.utils.translation import gettext as _
from django_tasks import task

from sangdam.accounts.models import User
from sangdam.automations import engine
from sangdam.tickets.models import Ticket


@task()
def run_time_rules() -> int:
    """Run by the scheduler every five minutes; a rule fires once per ticket and stretch."""
    return engine.run_time_rules()


@task()
def notify_agents(ticket_id: int, user_ids: list[int], by: str) -> int:
    """Mail each agent a line about the ticket, in their interface language."""
    from sangdam.connectors.selectors import default_sender_address

    ticket = Ticket.objects.filter(pk=ticket_id).first()
    if ticket is None:
        return 0
    sent = 0
    base = getattr(settings, "SITE_URL", "").rstrip("/")
    for agent in User.objects.filter(pk__in=user_ids, is_active=True):
        with translation.override(agent.language or settings.LANGUAGE_CODE):
            subject = _("[%(ref)s] needs your attention") % {"ref": ticket.reference}
            body = _("%(ref)s “%(subject)s” — an automation (%(by)s) asks you to look at it.") % {
                "ref": ticket.reference,
                "subject": ticket.subject,
                "by": by,
            }
        if base:
            body += f"\n\n{base}/tickets/{ticket.pk}/"
        EmailMessage(
            subject=subject, body=body, from_email=default_sender_address(), to=[agent.email]
        ).send()
        sent += 1
    return sent
