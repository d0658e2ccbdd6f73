"""The ticket filters as SQL, shared by the database backends."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.utils import timezone

from sangdam.connectors.models import Channel
from sangdam.search.backends.base import SearchFilters
from sangdam.tickets.models import Ticket, Topic

TICKETS = Ticket._meta.db_table
TOPICS = Topic._meta.db_table
CHANNELS = Channel._meta.db_table


def filter_sql(filters: SearchFilters, alias: str = "t") -> tuple[list[str], list[Any]]:
    """WHERE clauses on the tickets table (``alias``) and their parameters."""
    where: list[str] = []
    params: list[Any] = []
    if filters.statuses:
        where.append(f"{alias}.status IN ({', '.join(['%s'] * len(filters.statuses))})")
        params.extend(filters.statuses)
    if filters.channel:
        where.append(f"{alias}.channel_id IN (SELECT id FROM {CHANNELS} WHERE kind = %s)")  # noqa: S608 (table names; values are parameters)
        params.append(filters.channel)
    if filters.assignee == 0:
        where.append(f"{alias}.assignee_id IS NULL")
    elif filters.assignee is not None:
        where.append(f"{alias}.assignee_id = %s")
        params.append(filters.assignee)
    if filters.topic:
        where.append(f"{alias}.topic_id IN (SELECT id FROM {TOPICS} WHERE slug = %s)")  # noqa: S608 (table names; values are parameters)
        params.append(filters.topic)
    for column, value in (
        ("priority", filters.priority),
        ("team_id", filters.team),
        ("language", filters.language),
        ("customer_id", filters.customer),
    ):
        if value not in ("", None):
            where.append(f"{alias}.{column} = %s")
            params.append(value)
    if filters.created_from is not None:
        where.append(f"{alias}.created_at >= %s")
        params.append(_start_of(filters.created_from))
    if filters.created_to is not None:
        where.append(f"{alias}.created_at < %s")
        params.append(_start_of(filters.created_to + dt.timedelta(days=1)))
    return where, params


def _start_of(day: dt.date) -> dt.datetime:
    """Midnight of ``day`` where the agents are (the project's time zone)."""
    return timezone.make_aware(dt.datetime.combine(day, dt.time()))
