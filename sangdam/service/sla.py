"""SLA clocks: which policy applies to a ticket, and when its answers are due.

The rules are plain functions over plain values (:func:`due_times`, :func:`choose_policy`);
:mod:`sangdam.service.clocks` applies them to tickets, one at a time from the listener
and set-wise after a schedule or policy change.

The clocks:

* **first response** runs from the ticket's creation until the first agent reply;
* **next response** runs from the first customer message an agent has not answered yet
  (after the first response) until the next agent reply;
* **resolution** runs from creation until the ticket is solved.

All count business time on the ticket's schedule (its team's, else its channel's, else
the company default). While the ticket waits on the customer (pending) or is solved, the
first-response and resolution clocks are paused: that business time is added to their
targets when the ticket opens again. ``next_response_due_at`` is the next reply owed to
the customer, the first response included, so the inbox's due sort reads one column;
``sla_due_at`` is the earliest running due time, which the inbox badges and sorts on.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

from sangdam.service.hours import Timeline

RUNNING_STATUSES = ("new", "open")
PAUSED_STATUSES = ("pending",)
OPEN_STATUSES = ("new", "open", "pending")
# "Due soon" in the inbox: this close to the due time.
DUE_SOON = dt.timedelta(minutes=60)


@dataclass(frozen=True)
class Targets:
    """Business minutes allowed for each clock (None: no target)."""

    first_response: int | None = None
    next_response: int | None = None
    resolution: int | None = None


@dataclass(frozen=True)
class ClockInput:
    created_at: dt.datetime
    status: str
    first_responded_at: dt.datetime | None = None
    waiting_since: dt.datetime | None = None
    paused_seconds: float = 0.0


@dataclass(frozen=True)
class DueTimes:
    first_response: dt.datetime | None = None
    next_response: dt.datetime | None = None
    resolution: dt.datetime | None = None

    @property
    def earliest(self) -> dt.datetime | None:
        found = [d for d in (self.next_response, self.resolution) if d is not None]
        return min(found) if found else None

    def as_tuple(self) -> tuple[dt.datetime | None, ...]:
        return (self.first_response, self.next_response, self.resolution, self.earliest)


NO_DUE = DueTimes()


def _add(timeline: Timeline | None, start: dt.datetime, minutes: float) -> dt.datetime | None:
    if timeline is None:  # no schedule at all: every hour counts
        return start + dt.timedelta(minutes=minutes)
    found = timeline.add_seconds(start, minutes * 60)
    return found.astimezone(dt.UTC) if found else None


def due_times(clock: ClockInput, targets: Targets, timeline: Timeline | None) -> DueTimes:
    """When each running clock is due (None for a clock that is stopped or paused)."""
    if clock.status not in RUNNING_STATUSES:
        return NO_DUE
    paused_minutes = clock.paused_seconds / 60
    first = None
    if clock.first_responded_at is None and targets.first_response is not None:
        first = _add(timeline, clock.created_at, targets.first_response + paused_minutes)
    if clock.first_responded_at is None:
        following = first
    elif clock.waiting_since is not None and targets.next_response is not None:
        following = _add(timeline, clock.waiting_since, targets.next_response)
    else:
        following = None
    resolution = None
    if targets.resolution is not None:
        resolution = _add(timeline, clock.created_at, targets.resolution + paused_minutes)
    return DueTimes(first_response=first, next_response=following, resolution=resolution)


@dataclass(frozen=True)
class PolicyRule:
    """A policy's conditions and targets as plain values (empty condition: any)."""

    policy_id: int
    name: str
    targets: Targets
    priorities: frozenset[str] = frozenset()
    tiers: frozenset[str] = frozenset()
    topic_ids: frozenset[int] = frozenset()
    channel_ids: frozenset[int] = frozenset()

    def matches(
        self, *, priority: str, tier: str, topic_id: int | None, channel_id: int | None
    ) -> bool:
        return (
            (not self.priorities or priority in self.priorities)
            and (not self.tiers or tier in self.tiers)
            and (not self.topic_ids or topic_id in self.topic_ids)
            and (not self.channel_ids or channel_id in self.channel_ids)
        )


def choose_policy(
    rules: Sequence[PolicyRule],
    *,
    priority: str,
    tier: str,
    topic_id: int | None,
    channel_id: int | None,
) -> PolicyRule | None:
    """The first rule (in order) whose conditions all match."""
    for rule in rules:
        if rule.matches(priority=priority, tier=tier, topic_id=topic_id, channel_id=channel_id):
            return rule
    return None


def sla_state(
    *, status: str, due: dt.datetime | None, now: dt.datetime, has_policy: bool = True
) -> str:
    """What the inbox badge says: breached, due_soon, ok, paused or none."""
    if status in PAUSED_STATUSES and has_policy:
        return "paused"
    if status not in RUNNING_STATUSES or due is None:
        return "none"
    if due <= now:
        return "breached"
    if due - now <= DUE_SOON:
        return "due_soon"
    return "ok"
