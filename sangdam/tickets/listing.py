"""Inbox rows as plain values: the few columns a list shows, without model instances.

A 50-row page read through the ORM built six model instances a row (ticket, customer,
channel, topic, assignee, clock), ~300 a page and a fifth of the selector's CPU; a row
here is one tuple from ``values_list`` and small frozen objects. Channels, topics and
agents come from a per-process memo (core/memo.py), not from joins: with five joins
PostgreSQL spent 3.1 ms planning the page's query (and 0.7 ms running it), with the two
left (customer, clock) 0.25 ms (0.2 ms). A row whose channel, topic or agent the memo
does not know yet (made seconds ago in another process) reloads it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

from sangdam.accounts.models import User
from sangdam.connectors.models import Channel
from sangdam.core.memo import Memo
from sangdam.tickets.models import Status, Ticket, Topic, localized_name

COLUMNS = (
    "id",
    "reference",
    "subject",
    "status",
    "priority",
    "language",
    "last_activity_at",
    "sla_clock__sla_due_at",
    "customer__id",
    "customer__name",
    "customer__contact",
    "channel_id",
    "topic_id",
    "assignee_id",
)
_OPEN = frozenset((Status.NEW, Status.OPEN, Status.PENDING))


@dataclass(frozen=True, slots=True)
class ListedCustomer:
    pk: int
    name: str
    contact: str

    def __str__(self) -> str:  # as Customer's
        return self.name or self.contact or f"#{self.pk}"


@dataclass(frozen=True, slots=True)
class ListedChannel:
    pk: int
    kind: str
    name: str


@dataclass(frozen=True, slots=True)
class ListedTopic:
    pk: int
    slug: str
    names: dict[str, str]

    def name(self, language: str | None = None) -> str:
        return localized_name(self.names, self.slug, language)


@dataclass(frozen=True, slots=True)
class ListedAgent:
    pk: int
    display_name: str
    email: str

    @property
    def name(self) -> str:  # as User's
        return self.display_name or self.email


@dataclass(frozen=True, slots=True)
class ListedTicket:
    pk: int
    reference: str
    subject: str
    status: str
    priority: str
    language: str
    last_activity_at: dt.datetime
    sla_due_at: dt.datetime | None  # the earliest running SLA due time
    customer: ListedCustomer
    channel: ListedChannel
    topic: ListedTopic | None
    assignee: ListedAgent | None

    @property
    def is_open(self) -> bool:
        return self.status in _OPEN


def listed(qs: QuerySet[Ticket], count: int) -> list[ListedTicket]:
    """The first ``count`` tickets of ``qs`` (ordered already) as inbox rows."""
    rows = list(qs.values_list(*COLUMNS)[:count])
    known = _known.get("all", _load)
    if not known.has_all(rows):
        _known.clear()
        known = _known.get("all", _load)
    return [_row(values, known) for values in rows]


@dataclass(frozen=True)
class _Known:
    channels: dict[int, ListedChannel]
    topics: dict[int, ListedTopic]
    agents: dict[int, ListedAgent]

    def has_all(self, rows: list[tuple[Any, ...]]) -> bool:
        return all(
            v[11] in self.channels
            and (v[12] is None or v[12] in self.topics)
            and (v[13] is None or v[13] in self.agents)
            for v in rows
        )


_known = Memo(Channel, Topic, User)


def channel_ids(kind: str) -> list[int]:
    """The channels of a kind (from the memo: the inbox filters by id, without a join)."""
    return [pk for pk, channel in _known.get("all", _load).channels.items() if channel.kind == kind]


def topic_ids(slug: str) -> list[int]:
    return [pk for pk, topic in _known.get("all", _load).topics.items() if topic.slug == slug]


def _load() -> _Known:
    return _Known(
        channels={
            pk: ListedChannel(pk, kind, name)
            for pk, kind, name in Channel.objects.values_list("pk", "kind", "name")
        },
        topics={
            pk: ListedTopic(pk, slug, names or {})
            for pk, slug, names in Topic.objects.values_list("pk", "slug", "names")
        },
        agents={
            pk: ListedAgent(pk, display_name, email)
            for pk, display_name, email in User.objects.values_list("pk", "display_name", "email")
        },
    )


def _row(v: tuple[Any, ...], known: _Known) -> ListedTicket:
    return ListedTicket(
        pk=v[0],
        reference=v[1],
        subject=v[2],
        status=v[3],
        priority=v[4],
        language=v[5],
        last_activity_at=v[6],
        sla_due_at=v[7],
        customer=ListedCustomer(v[8], v[9], v[10]),
        channel=known.channels[v[11]],
        topic=known.topics.get(v[12]) if v[12] is not None else None,
        assignee=known.agents.get(v[13]) if v[13] is not None else None,
    )
