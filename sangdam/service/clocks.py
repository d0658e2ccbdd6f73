"""The SLA clocks applied to tickets: per event (the listener) and set-wise (a recompute).

Due times are derived data, kept on the ticket's clock row (:class:`SlaClock`), never on
the ticket: they cannot overwrite an agent's concurrent change, and they do not count as
activity on the ticket (no ``updated_at`` bump, no audit row).
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Sequence
from typing import Any

from django.db import transaction
from django.db.models import Exists, Min, OuterRef
from django.utils import timezone

from sangdam.core.compiled import MARKER, CompiledQuery
from sangdam.core.memo import Memo
from sangdam.service.due_writer import DUE_COLUMNS, write_due
from sangdam.service.hours import Timeline, WeeklyHours
from sangdam.service.models import SlaBreach, SlaClock, SlaMetric, SlaPolicy
from sangdam.service.selectors import ScheduleBook, load_schedule_book, schedule_book
from sangdam.service.sla import (
    OPEN_STATUSES,
    RUNNING_STATUSES,
    ClockInput,
    DueTimes,
    PolicyRule,
    Targets,
    choose_policy,
    due_times,
)
from sangdam.tickets.actor import Actor
from sangdam.tickets.dispatch import record
from sangdam.tickets.events import (
    AgentReplied,
    CustomerReplied,
    DomainEvent,
    SlaBreached,
    StatusChanged,
)
from sangdam.tickets.models import Message, Ticket

log = logging.getLogger(__name__)

ACTOR = Actor("system:sla")
PAUSING = ("pending", "solved", "closed")
# What the SLA listener reads of a ticket.
_TICKET_FIELDS = (
    "id",
    "created_at",
    "status",
    "priority",
    "topic_id",
    "channel_id",
    "team_id",
    "customer__tier",
    "first_responded_at",
    "merged_into_id",
)
# Both reads run for every event of every ticket: compiled once (core/compiled.py).
_LOCKED_TICKET = CompiledQuery(
    Ticket,
    lambda pk: (
        Ticket.objects.select_for_update(of=("self",))
        .select_related("customer")
        # What the clocks read: a narrower SELECT is a cheaper one to build.
        .only(*_TICKET_FIELDS)
        .filter(pk=pk)
    ),
    MARKER,
)
# Every reply moves the clock by its message's time (and an automatic answer does not).
_MESSAGE_TIMES = CompiledQuery(
    Message, lambda pk: Message.objects.filter(pk=pk).only("metadata", "created_at"), MARKER
)
_LOCKED_CLOCK = CompiledQuery(
    SlaClock, lambda pk: SlaClock.objects.select_for_update().filter(ticket_id=pk), MARKER
)


_rules = Memo(SlaPolicy, SlaPolicy.topics.through, SlaPolicy.channels.through)


def active_rules() -> list[PolicyRule]:
    """:func:`load_rules`, kept per process for a few seconds (core/memo.py)."""
    return _rules.get("rules", load_rules)


def load_rules() -> list[PolicyRule]:
    """Active policies in order, as plain rules, read now."""
    rules = []
    for policy in SlaPolicy.objects.filter(active=True).prefetch_related("topics", "channels"):
        rules.append(
            PolicyRule(
                policy_id=policy.pk,
                name=policy.name,
                targets=Targets(
                    first_response=policy.first_response_minutes,
                    next_response=policy.next_response_minutes,
                    resolution=policy.resolution_minutes,
                ),
                priorities=frozenset(policy.priorities or []),
                tiers=frozenset(policy.tiers or []),
                topic_ids=frozenset(t.pk for t in policy.topics.all()),
                channel_ids=frozenset(c.pk for c in policy.channels.all()),
            )
        )
    return rules


class Context:
    """Policies and schedules loaded once, with one timeline per schedule."""

    def __init__(self, rules: list[PolicyRule] | None = None, book: ScheduleBook | None = None):
        self.rules = active_rules() if rules is None else rules
        self.book = schedule_book() if book is None else book
        self._timelines: dict[int, Timeline] = {}
        # A recompute asks the same few questions 100,000 times: remember the answers.
        self._rules: dict[tuple[str, str, int | None, int | None], PolicyRule | None] = {}
        self._by_place: dict[tuple[int | None, int | None], Timeline | None] = {}

    def timeline(
        self, *, channel_id: int | None, team_id: int | None, start: dt.datetime
    ) -> Timeline | None:
        key = (channel_id, team_id)
        if key in self._by_place:
            return self._by_place[key]
        found = self._by_place[key] = self._timeline(channel_id, team_id, start)
        return found

    def _timeline(
        self, channel_id: int | None, team_id: int | None, start: dt.datetime
    ) -> Timeline | None:
        schedule = self.book.schedule_for(channel_id=channel_id, team_id=team_id)
        if schedule is None:
            return None
        found = self._timelines.get(schedule.pk)
        if found is None:
            hours = self.book.hours_of(schedule)
            assert hours is not None
            found = self._timelines[schedule.pk] = Timeline(hours, start)
        return found

    def start_at(self, start: dt.datetime) -> None:
        """Build every schedule's timeline from ``start`` (a recompute's oldest ticket)."""
        for schedule in [
            self.book.default,
            *self.book.by_channel.values(),
            *self.book.by_team.values(),
        ]:
            if schedule is not None and schedule.pk not in self._timelines:
                hours = self.book.hours_of(schedule)
                assert hours is not None
                self._timelines[schedule.pk] = Timeline(hours, start)

    def hours(self, *, channel_id: int | None, team_id: int | None) -> WeeklyHours | None:
        return self.book.hours_for(channel_id=channel_id, team_id=team_id)

    def rule_for(
        self, *, priority: str, tier: str, topic_id: int | None, channel_id: int | None
    ) -> PolicyRule | None:
        key = (priority, tier, topic_id, channel_id)
        if key not in self._rules:
            self._rules[key] = choose_policy(
                self.rules, priority=priority, tier=tier, topic_id=topic_id, channel_id=channel_id
            )
        return self._rules[key]


# --- one ticket, from its events --------------------------------------------------------


def apply_events(
    ticket_id: int, events: Sequence[DomainEvent], *, context: Context | None = None
) -> None:
    """Move the ticket's clocks by its new events and write its due times (idempotent).

    Writes only what changed: a new ticket under no policy costs two reads and no write
    (its clock would hold the defaults, its due times are empty already).
    """
    context = context or Context()
    # No savepoint of its own: on a failure the dispatch runs each listener alone.
    with transaction.atomic(savepoint=False):
        found = _LOCKED_TICKET.objects(ticket_id)
        if not found:
            return
        ticket = found[0]
        stored = next(iter(_LOCKED_CLOCK.objects(ticket_id)), None)
        clock = stored or SlaClock(ticket=ticket)
        before = _state(clock)
        timeline = context.timeline(
            channel_id=ticket.channel_id, team_id=ticket.team_id, start=ticket.created_at
        )
        for event in sorted(events, key=lambda e: e.meta.event_id if e.meta else 0):
            meta = event.meta
            if meta is None or meta.event_id <= clock.last_event_id:
                continue  # applied already (a retried listener)
            _apply(clock, ticket, event, meta.occurred_at, timeline)
            clock.last_event_id = meta.event_id
        rule = context.rule_for(
            priority=ticket.priority,
            tier=ticket.customer.tier,
            topic_id=ticket.topic_id,
            channel_id=ticket.channel_id,
        )
        clock.policy_id = rule.policy_id if rule else None
        due = _due(ticket, clock, rule, timeline).as_tuple()
        for column, value in zip(DUE_COLUMNS, due, strict=True):
            setattr(clock, column, value)
        if _state(clock) != before:
            # An event that changed nothing may apply again: it changes nothing again.
            clock.save(force_insert=stored is None)


def _state(clock: SlaClock) -> tuple[object, ...]:
    return (
        clock.policy_id,
        clock.waiting_since,
        clock.paused_since,
        clock.paused_seconds,
        *(getattr(clock, column) for column in DUE_COLUMNS),
    )


def _apply(
    clock: SlaClock,
    ticket: Ticket,
    event: DomainEvent,
    when: dt.datetime,
    timeline: Timeline | None,
) -> None:
    if isinstance(event, CustomerReplied) and not event.automatic:
        if ticket.first_responded_at is None or clock.waiting_since is not None:
            return  # not answered yet, or waiting already: nothing moves
        message = next(iter(_MESSAGE_TIMES.objects(event.message_id)), None)
        at = message.created_at if message else when
        answered = ticket.first_responded_at is not None and ticket.first_responded_at <= at
        if answered and clock.waiting_since is None:
            clock.waiting_since = at
    elif isinstance(event, AgentReplied):
        message = next(iter(_MESSAGE_TIMES.objects(event.message_id)), None)
        # The outside-hours answer is no agent's reply: the customer still waits.
        if message is None or (message.metadata or {}).get("automatic"):
            return
        if clock.waiting_since is None or clock.waiting_since <= message.created_at:
            clock.waiting_since = None
    elif isinstance(event, StatusChanged):
        if event.new in PAUSING and clock.paused_since is None:
            clock.paused_since = when
        elif event.new in RUNNING_STATUSES and clock.paused_since is not None:
            clock.paused_seconds += _business_seconds(timeline, clock.paused_since, when)
            clock.paused_since = None


def _business_seconds(timeline: Timeline | None, start: dt.datetime, end: dt.datetime) -> float:
    if timeline is None:
        return max(0.0, (end - start).total_seconds())
    return timeline.seconds_between(start, end)


def _due(
    ticket: Ticket, clock: SlaClock | None, rule: PolicyRule | None, timeline: Timeline | None
) -> DueTimes:
    if rule is None or ticket.merged_into_id:
        return DueTimes()
    return due_times(
        ClockInput(
            created_at=ticket.created_at,
            status=ticket.status,
            first_responded_at=ticket.first_responded_at,
            waiting_since=clock.waiting_since if clock else None,
            paused_seconds=clock.paused_seconds if clock else 0.0,
        ),
        rule.targets,
        timeline,
    )


# --- every open ticket, after a schedule or policy change -------------------------------

# The recompute's columns, in the order it unpacks them: the same with the clock's own.
_FIELDS = (
    *_TICKET_FIELDS,
    "sla_clock__waiting_since",
    "sla_clock__paused_seconds",
    "sla_clock__last_event_id",
    "sla_clock__policy_id",
    *(f"sla_clock__{column}" for column in DUE_COLUMNS),
)


def recompute_open_tickets(*, batch_size: int = 5000) -> int:
    """Recompute the due times of every open ticket; returns how many changed.

    Keyset batches by id: each batch is one read (a join with the clocks and customers)
    and one upsert of the clock rows whose due times moved. The policies and
    schedules are read once, and each schedule's timeline answers for all its tickets.
    """
    # Read now, not from the memory: a recompute follows a change of policies or hours.
    context = Context(rules=load_rules(), book=load_schedule_book())
    # Start every timeline at the oldest open ticket: built once, never rebuilt backwards.
    oldest = Ticket.objects.filter(status__in=OPEN_STATUSES).aggregate(first=Min("created_at"))
    if oldest["first"] is not None:
        context.start_at(oldest["first"])
    changed = 0
    last_id = 0
    while True:
        rows = list(
            Ticket.objects.filter(status__in=OPEN_STATUSES, id__gt=last_id)
            .order_by("id")
            .values_list(*_FIELDS)[:batch_size]
        )
        if not rows:
            break
        last_id = rows[-1][0]
        updates = _moved(context, rows)
        if updates:
            write_due(updates)
            changed += len(updates)
    return changed


def _moved(context: Context, rows: list[tuple[Any, ...]]) -> list[tuple[Any, ...]]:
    """The tickets whose due times or policy changed, as :func:`write_due` takes them."""
    updates: list[tuple[Any, ...]] = []
    for row in rows:
        (pk, created, status, priority, topic_id, channel_id, team_id, tier, responded,
         merged, waiting, paused, seen, old_policy, *old) = row  # fmt: skip
        rule = context.rule_for(
            priority=priority, tier=tier, topic_id=topic_id, channel_id=channel_id
        )
        policy = rule.policy_id if rule else None
        if rule is None or merged:
            due = DueTimes()
        else:
            timeline = context.timeline(channel_id=channel_id, team_id=team_id, start=created)
            due = due_times(
                ClockInput(
                    created_at=created,
                    status=status,
                    first_responded_at=responded,
                    waiting_since=waiting,
                    paused_seconds=paused or 0.0,
                ),
                rule.targets,
                timeline,
            )
        new = due.as_tuple()
        if tuple(old) != new or old_policy != policy:
            # (No clock row yet: written with last_event_id 0, the default's.)
            updates.append((pk, policy, seen or 0, *new))
    return updates


# --- breaches ----------------------------------------------------------------------------

_METRIC_COLUMNS = (
    (SlaMetric.FIRST_RESPONSE, "first_response_due_at"),
    (SlaMetric.NEXT_RESPONSE, "next_response_due_at"),
    (SlaMetric.RESOLUTION, "resolution_due_at"),
)


def detect_breaches(*, now: dt.datetime | None = None, limit: int = 500) -> int:
    """Write a breach row and raise :class:`SlaBreached` for each target newly missed."""
    now = now or timezone.now()
    context = Context()
    found = 0
    for metric, column in _METRIC_COLUMNS:
        missed = Ticket.objects.filter(
            status__in=RUNNING_STATUSES,
            sla_clock__sla_due_at__lte=now,  # the indexed prefilter: some target has passed
            **{f"sla_clock__{column}__lte": now},
        ).exclude(
            Exists(
                SlaBreach.objects.filter(
                    ticket=OuterRef("pk"), metric=metric, due_at=OuterRef(f"sla_clock__{column}")
                )
            )
        )
        if metric == SlaMetric.NEXT_RESPONSE:
            # Before the first response the next reply owed *is* the first response.
            missed = missed.filter(first_responded_at__isnull=False)
        for ticket_id in list(missed.values_list("id", flat=True)[:limit]):
            if _record_breach(ticket_id, metric, column, now, context):
                found += 1
    return found


def _record_breach(
    ticket_id: int, metric: str, column: str, now: dt.datetime, context: Context
) -> bool:
    with transaction.atomic():
        ticket = Ticket.objects.select_for_update().filter(pk=ticket_id).first()
        clock = SlaClock.objects.filter(ticket_id=ticket_id).first()
        due = getattr(clock, column) if clock else None
        if ticket is None or due is None or due > now or ticket.status not in RUNNING_STATUSES:
            return False
        if metric == SlaMetric.NEXT_RESPONSE and clock and clock.waiting_since:
            started = clock.waiting_since
            paused = 0.0
        else:
            started = ticket.created_at
            paused = clock.paused_seconds if clock else 0.0
        timeline = context.timeline(
            channel_id=ticket.channel_id, team_id=ticket.team_id, start=started
        )
        business = max(0.0, _business_seconds(timeline, started, now) - paused)
        _breach, created = SlaBreach.objects.get_or_create(
            ticket=ticket,
            metric=metric,
            due_at=due,
            defaults={
                "policy_id": clock.policy_id if clock else None,
                "started_at": started,
                "breached_at": now,
                "wall_seconds": (now - started).total_seconds(),
                "business_seconds": business,
                "team_id": ticket.team_id,
                "assignee_id": ticket.assignee_id,
            },
        )
        if created:
            record(
                [SlaBreached(ticket_id=ticket.pk, metric=metric, due_at=due.isoformat())],
                actor=ACTOR,
            )
        return created
