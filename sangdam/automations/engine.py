"""Running triggers after events, and time rules from the scheduler.

**Loop safety.** Triggers react to what people and channels do (customers, agents, the
API, connectors), never to changes made by a trigger, a time rule or routing: those
events do not start a trigger pass. Within one pass each trigger runs at most once, in
order, each seeing the changes of the ones before it. A trigger fires at most
``MAX_FIRINGS_PER_DAY`` times on one ticket in 24 hours whatever happens (a belt over the
braces: a customer's auto-responder answering our auto-reply). Messages marked automatic
(out-of-office, mailing lists) start no pass either.

**Idempotency.** A firing is a :class:`TriggerRun` unique on (trigger, ticket, the event
that caused it), written in the same transaction as its actions; a retried task finds it
and does nothing. A time rule fires once per ticket and *stretch* (the instant the ticket
entered the state it counts from): :class:`TimeRuleRun` is unique on that.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from django.db import IntegrityError, transaction
from django.db.models import DateTimeField, Exists, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils import timezone

from sangdam.automations.events import TimeRuleFired, TriggerFired
from sangdam.automations.models import Since, TimeRule, TimeRuleRun, Trigger, TriggerRun, When
from sangdam.automations.rules import Facts, all_hold, run_actions
from sangdam.core.memo import Memo
from sangdam.tickets.actor import Actor
from sangdam.tickets.dispatch import record
from sangdam.tickets.events import (
    AgentReplied,
    Assigned,
    CustomerReplied,
    DomainEvent,
    FieldsChanged,
    NoteAdded,
    StatusChanged,
    TicketOpened,
)
from sangdam.tickets.models import Direction, Event, Message, Status, Ticket

MAX_FIRINGS_PER_DAY = 5
AUTOMATED_ACTORS = ("trigger:", "time-rule:", "routing")
UPDATE_EVENTS = (
    CustomerReplied,
    AgentReplied,
    NoteAdded,
    StatusChanged,
    Assigned,
    FieldsChanged,
)


def _by_people(event: DomainEvent) -> bool:
    label = event.meta.actor_label if event.meta else ""
    return not label.startswith(AUTOMATED_ACTORS)


def moments(events: Sequence[DomainEvent]) -> dict[int, tuple[set[str], int, int | None]]:
    """Per ticket: which trigger moments these events make, the first event's id (the
    firing's key) and the customer message (if any) whose text conditions read."""
    found: dict[int, tuple[set[str], int, int | None]] = {}
    for event in events:
        if event.ticket_id is None or event.meta is None or not _by_people(event):
            continue
        if isinstance(event, CustomerReplied) and event.automatic:
            continue
        whens, first, message = found.get(event.ticket_id, (set(), event.meta.event_id, None))
        if isinstance(event, TicketOpened):
            whens.add(When.CREATED)
        elif isinstance(event, UPDATE_EVENTS):
            whens.add(When.UPDATED)
            if isinstance(event, CustomerReplied):
                whens.add(When.MESSAGE)
                message = event.message_id
        found[event.ticket_id] = (whens, first, message)
    for ticket_id, (whens, first, message) in found.items():
        if When.CREATED in whens:
            # A new ticket's first message is part of its creation, not an update.
            found[ticket_id] = ({When.CREATED}, first, message)
    return found


def _message_text(ticket: Ticket, message_id: int | None) -> str:
    qs = Message.objects.filter(ticket=ticket, direction=Direction.IN)
    if message_id is not None:
        qs = qs.filter(pk=message_id)
    text = qs.order_by("-created_at", "-id").values_list("text", flat=True).first()
    return text or ""


# Read on every ticket event; kept per process for a few seconds (core/memo.py).
_triggers = Memo(Trigger)


def active_triggers() -> list[Trigger]:
    return _triggers.get("active", lambda: list(Trigger.objects.filter(active=True)))


def fire_triggers(events: Sequence[DomainEvent], now: dt.datetime | None = None) -> int:
    """One pass of the active triggers over each ticket the events touched."""
    now = now or timezone.now()
    fired = 0
    triggers = active_triggers()
    moments_wanted = {trigger.when for trigger in triggers}
    for ticket_id, (whens, source, message_id) in moments(events).items():
        if not whens & moments_wanted:
            continue  # no trigger listens for what happened to this ticket
        # No savepoint of its own: on a failure the dispatch runs each listener alone.
        with transaction.atomic(savepoint=False):
            ticket = (
                Ticket.objects.select_for_update(of=("self",))
                .select_related("channel", "topic", "team", "assignee", "customer")
                .filter(pk=ticket_id)
                .first()
            )
            if ticket is None:
                continue
            facts = Facts(text=_message_text(ticket, message_id), now=now)
            for trigger in triggers:
                if trigger.when not in whens or not all_hold(trigger.conditions, ticket, facts):
                    continue
                if _fired_today(trigger, ticket, now) >= MAX_FIRINGS_PER_DAY:
                    continue
                try:
                    with transaction.atomic():
                        TriggerRun.objects.create(
                            trigger=trigger, ticket=ticket, source_event=source, fired_at=now
                        )
                except IntegrityError:
                    continue  # a retry: this trigger already fired for this event
                actor = Actor(f"trigger:{trigger.pk}")
                done = run_actions(trigger.actions, ticket=ticket, actor=actor)
                record(
                    [
                        TriggerFired(
                            ticket_id=ticket.pk,
                            trigger=trigger.pk,
                            name=trigger.name,
                            actions=tuple(done),
                        )
                    ],
                    actor=actor,
                )
                fired += 1
                ticket = Ticket.objects.select_related(
                    "channel", "topic", "team", "assignee", "customer"
                ).get(pk=ticket.pk)
    return fired


def _fired_today(trigger: Trigger, ticket: Ticket, now: dt.datetime) -> int:
    return TriggerRun.objects.filter(
        trigger=trigger, ticket=ticket, fired_at__gt=now - dt.timedelta(days=1)
    ).count()


# --- time rules ---------------------------------------------------------------------------


def _last_event_time(kinds: Sequence[str]) -> Subquery:
    return Subquery(
        Event.objects.filter(ticket=OuterRef("pk"), kind__in=kinds)
        .order_by("-created_at", "-id")
        .values("created_at")[:1],
        output_field=DateTimeField(),
    )


def due_tickets(
    rule: TimeRule, now: dt.datetime, limit: int = 200
) -> list[tuple[int, dt.datetime]]:
    """(ticket id, since) of tickets the rule applies to now, oldest first."""
    cutoff = now - dt.timedelta(minutes=rule.minutes)
    qs = Ticket.objects.filter(merged_into__isnull=True)
    if rule.since == Since.STATUS:
        qs = qs.filter(status=rule.status).annotate(
            since=Coalesce(_last_event_time(["status_changed"]), "created_at")
        )
    else:
        # Since it was opened, or since its assignee or team last changed.
        qs = qs.filter(status__in=[Status.NEW, Status.OPEN], assignee__isnull=True).annotate(
            since=Coalesce(_last_event_time(["assigned"]), "created_at")
        )
    done = TimeRuleRun.objects.filter(rule=rule, ticket=OuterRef("pk"), since=OuterRef("since"))
    qs = qs.filter(since__lte=cutoff).exclude(Exists(done))
    return [
        (pk, since) for pk, since in qs.order_by("since", "id").values_list("pk", "since")[:limit]
    ]


def run_time_rules(now: dt.datetime | None = None) -> int:
    """Fire every active time rule on the tickets it applies to; idempotent."""
    now = now or timezone.now()
    fired = 0
    for rule in TimeRule.objects.filter(active=True):
        for ticket_id, since in due_tickets(rule, now):
            fired += _fire_time_rule(rule, ticket_id, since, now)
    return fired


def _fire_time_rule(rule: TimeRule, ticket_id: int, since: dt.datetime, now: dt.datetime) -> bool:
    with transaction.atomic():
        ticket = (
            Ticket.objects.select_for_update(of=("self",))
            .select_related("channel", "topic", "team", "assignee", "customer")
            .filter(pk=ticket_id)
            .first()
        )
        if ticket is None or not all_hold(rule.conditions, ticket, Facts(now=now)):
            return False
        try:
            with transaction.atomic():
                TimeRuleRun.objects.create(rule=rule, ticket=ticket, since=since, fired_at=now)
        except IntegrityError:
            return False
        actor = Actor(f"time-rule:{rule.pk}")
        done = run_actions(rule.actions, ticket=ticket, actor=actor)
        record(
            [TimeRuleFired(ticket_id=ticket.pk, rule=rule.pk, name=rule.name, actions=tuple(done))],
            actor=actor,
        )
    return True
