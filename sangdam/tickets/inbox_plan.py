"""How a filtered inbox page is read at scale: the match count picks the index.

A page filtered by channel, topic, priority or language (no index is ordered by those)
can be read two ways: walk the activity index newest first, skipping what does not
match, until a page is found; or find every match through the count's covering index
and sort them. The first costs about (page size × tickets ÷ matches) index entries, the
second about the number of matches. Which is cheaper depends on how many tickets match,
which the inbox counts anyway (capped, from the covering index) before it reads the page.

The databases' planners guess that number and guessed badly at 1M tickets on SQLite
(bench/inbox.py): "open + email + high" (7,800 matches) sorted them all, 45 ms where the
walk takes 1 ms; "open + topic" went through the topic's foreign-key index, 179 ms for
the page and 90 ms for its count (cover: 10 ms). Here the count decides, and on SQLite
the chosen index is named (``INDEXED BY``, SQLite's documented way to pin a plan).
The activity index carries the filtered columns, so the walk never reads a table row
it skips. PostgreSQL plans the same SQL without hints.
"""

from __future__ import annotations

import time

from django.core.exceptions import EmptyResultSet
from django.db import connections
from django.db.models import Max, QuerySet

from sangdam.tickets.models import Ticket

ACTIVITY_INDEX = "ticket_activity"
COVER_INDEX = "ticket_count_cover"
# Sorting one match found through the covering index costs about as much as skipping
# this many entries of the activity index (SQLite, 1M tickets: ~4.5 µs vs ~0.27 µs).
SORT_COST = 16
_estimate: dict[str, tuple[float, int]] = {}  # database alias -> (valid until, tickets)


def filtered_beyond_order(*, channel: str, topic: str, priority: str, language: str) -> bool:
    """Whether the filters include a column that no index is ordered by."""
    return bool(channel or topic or priority or language)


def walk_in_order(*, matches: int, page: int, db: str) -> bool:
    """Whether walking the activity index beats sorting ``matches`` tickets."""
    if matches <= page:
        return False
    walked = page * _tickets(db) / matches
    return walked < SORT_COST * matches


def ids_in_order(qs: QuerySet[Ticket], count: int) -> list[int]:
    """The first ``count`` ids of ``qs`` newest activity first, read along the activity index."""
    query = qs.order_by("-last_activity_at", "-id").values_list("id", flat=True)[:count].query
    try:
        sql, params = query.sql_with_params()
    except EmptyResultSet:  # e.g. a channel kind no channel has: ``channel_id IN ()``
        return []
    with connections[qs.db].cursor() as cursor:
        cursor.execute(_pinned(sql, ACTIVITY_INDEX, qs.db), params)
        return [row[0] for row in cursor.fetchall()]


def capped_count(qs: QuerySet[Ticket], cap: int) -> int:
    """``min(matches, cap + 1)``, counted from the covering index alone."""
    query = qs.order_by().values_list("id", flat=True)[: cap + 1].query
    try:
        sql, params = query.sql_with_params()
    except EmptyResultSet:
        return 0
    with connections[qs.db].cursor() as cursor:
        inner = _pinned(sql, COVER_INDEX, qs.db)  # SQL the ORM compiled, with its params
        cursor.execute(f"SELECT COUNT(*) FROM ({inner}) AS c", params)  # noqa: S608
        return int(cursor.fetchone()[0])


def _pinned(sql: str, index: str, db: str) -> str:
    if connections[db].vendor != "sqlite":
        return sql
    table = f'FROM "{Ticket._meta.db_table}"'
    assert sql.count(table) == 1, "a pinned inbox query reads the ticket table once"
    return sql.replace(table, f'{table} INDEXED BY "{index}"')


def _tickets(db: str) -> int:
    """About how many tickets there are (the highest id, read once a minute)."""
    until, tickets = _estimate.get(db, (0.0, 0))
    if time.monotonic() >= until:
        tickets = Ticket.objects.using(db).aggregate(top=Max("id"))["top"] or 0
        _estimate[db] = (time.monotonic() + 60, tickets)
    return tickets
