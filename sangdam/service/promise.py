"""What customers are told to expect: "We usually reply within 2 business hours; today we
are open until 18:00."

The promise is the first-response target of the SLA policy that applies (the one the
agents are held to), counted in the business hours of the schedule that applies, and
today's hours from the same schedule. No policy: no promise, only the hours. Called
inside the customer's language (``translation.override``).
"""

from __future__ import annotations

import datetime as dt
import re

from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from sangdam.service.clocks import Context
from sangdam.service.hours import Timeline, WeeklyHours
from sangdam.tickets.models import Ticket

_DOUBLE_PERIOD = re.compile(r"(?<=[ap]\.m\.)\.(?=\s|$)")


def expected_first_response(
    *,
    channel_id: int,
    team_id: int | None = None,
    priority: str = "normal",
    tier: str = "standard",
    topic_id: int | None = None,
    now: dt.datetime | None = None,
    context: Context | None = None,
    with_hours: bool = True,
) -> str:
    """One or two sentences for the customer; "" when there is nothing to promise.
    ``with_hours=False`` leaves out today's hours (for a text that already says them)."""
    now = now or timezone.now()
    context = context or Context()
    rule = context.rule_for(priority=priority, tier=tier, topic_id=topic_id, channel_id=channel_id)
    hours = context.hours(channel_id=channel_id, team_id=team_id)
    parts = []
    minutes = rule.targets.first_response if rule else None
    if minutes:
        duration = _duration(minutes, business=hours is not None)
        parts.append(_("We usually reply within %(duration)s.") % {"duration": duration})
    if hours is not None and with_hours:
        parts.append(_today(hours, now))
    return " ".join(p for p in parts if p)


def for_ticket(ticket: Ticket, *, now: dt.datetime | None = None, with_hours: bool = True) -> str:
    """The promise for a new ticket (its priority, topic, team, customer's tier)."""
    return expected_first_response(
        channel_id=ticket.channel_id,
        team_id=ticket.team_id,
        priority=ticket.priority,
        tier=ticket.customer.tier,
        topic_id=ticket.topic_id,
        now=now,
        with_hours=with_hours,
    )


def _duration(minutes: int, *, business: bool) -> str:
    if minutes % 60 == 0 or minutes > 180:
        n = round(minutes / 60)
        if business:
            return ngettext("%(n)d business hour", "%(n)d business hours", n) % {"n": n}
        return ngettext("%(n)d hour", "%(n)d hours", n) % {"n": n}
    if business:
        return ngettext("%(n)d business minute", "%(n)d business minutes", minutes) % {"n": minutes}
    return ngettext("%(n)d minute", "%(n)d minutes", minutes) % {"n": minutes}


def _today(hours: WeeklyHours, now: dt.datetime) -> str:
    timeline = Timeline(hours, now)
    span = timeline.span_at(now)
    if span is not None:
        closes = dt.datetime.fromtimestamp(span[1], hours.zone)
        return _("Today we are open until %(time)s.") % {"time": closes.strftime("%H:%M")}
    opening = timeline.next_start(now)
    if opening is None:
        return _("We are closed at the moment.")
    local = opening.astimezone(hours.zone)
    if local.date() == now.astimezone(hours.zone).date():
        return _("We open today at %(time)s.") % {"time": local.strftime("%H:%M")}
    when = formats.date_format(local, "DATETIME_FORMAT")
    return one_period(_("We are closed now and open again on %(when)s.") % {"when": when})


def one_period(text: str) -> str:
    """A sentence whose last word is a date in English ("… 9 a.m.") ends with that
    abbreviation's period, not with a second one."""
    return _DOUBLE_PERIOD.sub("", text)
