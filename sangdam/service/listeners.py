"""The service levels' reactions to ticket events: SLA clocks and breach notices."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.conf import settings
from django.core.mail import send_mail
from django.urls import reverse
from django.utils import formats, timezone, translation
from django.utils.translation import gettext as _

from sangdam.accounts.models import User
from sangdam.service import clocks
from sangdam.service.models import SlaMetric
from sangdam.tickets.dispatch import listener
from sangdam.tickets.events import (
    AgentReplied,
    Assigned,
    CustomerReplied,
    DomainEvent,
    FieldsChanged,
    MergedInto,
    SlaBreached,
    StatusChanged,
    TicketOpened,
)
from sangdam.tickets.models import Ticket

CLOCK_EVENTS = (
    TicketOpened,
    CustomerReplied,
    AgentReplied,
    StatusChanged,
    # Priority, topic and team choose the policy and the schedule.
    FieldsChanged,
    Assigned,
    MergedInto,
)


@listener(*CLOCK_EVENTS, batch=True)
def run_sla_clocks(events: Sequence[DomainEvent]) -> None:
    """Move each ticket's SLA clocks and rewrite its due times."""
    by_ticket: dict[int, list[DomainEvent]] = {}
    for event in events:
        if event.ticket_id is not None:
            by_ticket.setdefault(event.ticket_id, []).append(event)
    if not by_ticket:
        return
    context = clocks.Context()
    for ticket_id, mine in by_ticket.items():
        clocks.apply_events(ticket_id, mine, context=context)


@listener(SlaBreached)
def notify_breach(event: SlaBreached) -> None:
    """Tell the assignee and the team lead, by email, in their own language."""
    if event.ticket_id is None:
        return
    ticket = (
        Ticket.objects.select_related("assignee", "team__lead").filter(pk=event.ticket_id).first()
    )
    if ticket is None:
        return
    people: dict[int, User] = {}
    for person in (ticket.assignee, ticket.team.lead if ticket.team else None):
        if person is not None and person.is_active and person.email:
            people[person.pk] = person
    link = settings.SITE_URL.rstrip("/") + reverse("console:ticket", args=[ticket.pk])
    for person in people.values():
        with translation.override(person.language or settings.LANGUAGE_CODE):
            metric = str(SlaMetric(event.metric).label)
            due = dt.datetime.fromisoformat(event.due_at)
            subject = _("[%(reference)s] %(metric)s target missed") % {
                "reference": ticket.reference,
                "metric": metric,
            }
            body = _(
                "The %(metric)s target of %(reference)s (%(subject)s) was due at %(due)s.\n\n%(link)s"
            ) % {
                "metric": metric.lower() if translation.get_language() == "en" else metric,
                "reference": ticket.reference,
                "subject": ticket.subject,
                "due": formats.date_format(timezone.localtime(due), "DATETIME_FORMAT"),
                "link": link,
            }
        # A failed send raises: the dispatcher retries this listener with backoff.
        send_mail(subject, body, None, [person.email])
