"""Honest wait times: how long a customer writing now waits for the first answer.

The model (docs/service-levels.md, "Honest wait times"), per channel:

* ``p``: inquiries on the channel still waiting for their first answer (new or open,
  nobody answered yet) — those being worked on count too;
* ``c``: agents online with room for that kind of conversation (chat or ticket capacity);
* ``h``: recent mean handle time — the mean gap between an agent's consecutive first
  answers on that kind of channel over the last 7 days (gaps over an hour are breaks and
  left out), or a default when there are fewer than 5 gaps.

With ``p`` ahead and ``c`` agents each taking ``h`` per inquiry, a newcomer waits for
``max(0, p - c + 1)`` inquiries to be handled at ``c`` per ``h``, then for their own
answer, whose typical (median) handling is ``ln 2 * h`` when handle times vary like an
exponential: ``wait = ln2 * h + max(0, p - c + 1) * h / c``. The median, not the mean,
because a customer is best served by the figure half of them beat (it also minimises the
mean absolute error; see ``bench/wait_estimate.py``). The wait is counted in business time:
the reply is expected at ``now + wait`` *business* minutes (a closed channel says when it
opens). ``c = 0`` while open means nobody is online: we say so rather than guess.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterable
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Count, Q
from django.utils import timezone

from sangdam.accounts.models import Presence, Role, User
from sangdam.connectors.models import Channel
from sangdam.routing.engine import WORKING, agent_loads
from sangdam.routing.models import CHAT_KINDS
from sangdam.service.hours import add_business_minutes, is_open, next_opening
from sangdam.service.selectors import schedule_book
from sangdam.tickets.models import Ticket

DEFAULT_HANDLE_MINUTES = {True: 4.0, False: 20.0}  # chat, ticket
# The median of an exponential handle time, as a share of its mean.
OWN_SHARE = math.log(2)
MIN_SAMPLES = 5
BREAK_MINUTES = 60
LOOKBACK_DAYS = 7


def estimate_minutes(*, waiting: int, agents: int, handle_minutes: float) -> float | None:
    """The model above; None when no agent can take it."""
    if agents <= 0:
        return None
    ahead = max(0, waiting - agents + 1)
    return OWN_SHARE * handle_minutes + ahead * handle_minutes / agents


def handle_minutes(*, chat: bool, now: dt.datetime) -> float:
    """Recent mean handle time for chats or for tickets (see the module's docstring)."""
    kinds = Q(channel__kind__in=CHAT_KINDS)
    rows = (
        Ticket.objects.filter(
            kinds if chat else ~kinds,
            first_responded_at__gte=now - dt.timedelta(days=LOOKBACK_DAYS),
            assignee__isnull=False,
        )
        .order_by("assignee_id", "first_responded_at")
        .values_list("assignee_id", "first_responded_at")[:5000]
    )
    gaps: list[float] = []
    last: dict[int, dt.datetime] = {}
    for agent_id, answered in rows:
        if agent_id is None or answered is None:
            continue
        before = last.get(agent_id)
        if before is not None:
            gap = (answered - before).total_seconds() / 60
            if 0 < gap <= BREAK_MINUTES:
                gaps.append(gap)
        last[agent_id] = answered
    if len(gaps) < MIN_SAMPLES:
        return DEFAULT_HANDLE_MINUTES[chat]
    return sum(gaps) / len(gaps)


@dataclass(frozen=True)
class ChannelWait:
    channel: Channel
    open_now: bool | None  # None: no hours published (always answered)
    opens_at: dt.datetime | None
    waiting: int
    agents: int
    minutes: float | None  # business minutes to the first answer; None: see ``reason``
    reply_by: dt.datetime | None
    reason: str  # "", "closed", "nobody_online"
    zone: str = "UTC"  # the channel's hours' time zone, to show times in

    @property
    def whole_minutes(self) -> int:
        return max(1, round(self.minutes)) if self.minutes is not None else 0

    def as_json(self) -> dict[str, object]:
        return {
            "channel": self.channel.kind,
            "name": self.channel.name,
            "open": self.open_now,
            "opens_at": self.opens_at.isoformat() if self.opens_at else None,
            "waiting": self.waiting,
            "agents_available": self.agents,
            "minutes": round(self.minutes) if self.minutes is not None else None,
            "reply_by": self.reply_by.isoformat() if self.reply_by else None,
            "reason": self.reason,
        }


def channel_waits(
    now: dt.datetime | None = None, *, channel_ids: Iterable[int] | None = None
) -> list[ChannelWait]:
    """The estimate for each enabled channel, or for ``channel_ids`` (a handful of queries
    however many tickets)."""
    now = now or timezone.now()
    book = schedule_book()
    online = list(
        User.objects.filter(is_active=True, presence=Presence.ONLINE).exclude(role=Role.READONLY)
    )
    loads = agent_loads(u.pk for u in online)
    room = {
        True: sum(1 for u in online if loads[u.pk].chats < u.chat_capacity),
        False: sum(1 for u in online if loads[u.pk].tickets < u.capacity),
    }
    handle = {chat: handle_minutes(chat=chat, now=now) for chat in (True, False)}
    unanswered = Ticket.objects.filter(
        status__in=WORKING, first_responded_at__isnull=True, merged_into__isnull=True
    )
    if channel_ids is not None:
        channel_ids = list(channel_ids)
        unanswered = unanswered.filter(channel_id__in=channel_ids)
    waiting_by_channel: dict[int, int] = dict(
        unanswered.values("channel_id").annotate(n=Count("id")).values_list("channel_id", "n")
    )
    result = []
    channels = Channel.objects.filter(enabled=True).exclude(kind="api").defer("secrets")
    if channel_ids is not None:
        channels = channels.filter(pk__in=channel_ids)
    for channel in channels.order_by("kind", "name"):
        chat = channel.kind in CHAT_KINDS
        hours = book.hours_for(channel_id=channel.pk)
        open_now = is_open(hours, now) if hours else None
        waiting = waiting_by_channel.get(channel.pk, 0)
        agents = room[chat]
        minutes = estimate_minutes(waiting=waiting, agents=agents, handle_minutes=handle[chat])
        opens_at = next_opening(hours, now) if hours and not open_now else None
        reason = ""
        if open_now is False:
            reason = "closed"
            # Nobody answers before the opening: the queue is handled from then on, by as
            # many agents as are online now, or one.
            minutes = estimate_minutes(
                waiting=waiting, agents=max(agents, 1), handle_minutes=handle[chat]
            )
        elif minutes is None:
            reason = "nobody_online"
        reply_by = None
        if minutes is not None:
            reply_by = (
                add_business_minutes(hours, now, minutes)
                if hours
                else now + dt.timedelta(minutes=minutes)
            )
        result.append(
            ChannelWait(
                channel,
                open_now,
                opens_at,
                waiting,
                agents,
                minutes,
                reply_by,
                reason,
                hours.time_zone if hours else settings.TIME_ZONE,
            )
        )
    return result
