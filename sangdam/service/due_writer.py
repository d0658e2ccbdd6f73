"""Writing many tickets' due times at once: the set-wise half of a recompute.

The due times live on the tickets' clock rows (:class:`SlaClock`), whose writes touch
two indexes, not the ticket row's dozen. The writes were once put on a thread of their
own to overlap the recompute's Python work; at this cost they no longer need to: done in
turn, the recompute takes a little longer and keeps one core, not two, away from the
agents' pages (bench/sla.py, PostgreSQL, 100,000 open tickets: 3.9 s and inbox p95 80 ms
during it with the thread; 4.6 s and 48 ms without).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.db import connection, transaction

from sangdam.service.models import SlaClock

DUE_COLUMNS = ("first_response_due_at", "next_response_due_at", "resolution_due_at", "sla_due_at")


def write_due(rows: list[tuple[Any, ...]]) -> None:
    """Write many tickets' policies and due times in one short transaction.

    Rows are (ticket id, policy id, the clock's ``last_event_id`` as read, *due times):
    an upsert of the tickets' clock rows (a ticket newly under a policy has none yet).
    A clock whose ``last_event_id`` moved since it was read is left alone: the SLA
    listener wrote it meanwhile, from the ticket's newer state and the same rules. (A
    listener that finds the row inserted here under its feet fails on the unique key and
    is retried; its retry reads the row.)
    """
    table = SlaClock._meta.db_table
    columns = ", ".join(("ticket_id", "policy_id", "last_event_id", *DUE_COLUMNS))
    upsert = (
        " ON CONFLICT (ticket_id) DO UPDATE SET policy_id = excluded.policy_id, "
        + ", ".join(f"{col} = excluded.{col}" for col in DUE_COLUMNS)
        + f" WHERE {table}.last_event_id = excluded.last_event_id"
    )
    with transaction.atomic(), connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            # COPY into a temporary table, then one INSERT ... SELECT from it: a VALUES
            # list of thousands of parameters spent more time in the driver's query
            # parsing than the database spent writing.
            dues = ", ".join(f"{col} timestamptz" for col in DUE_COLUMNS)
            # (Dropped by hand too: inside an outer transaction, as in tests, there is no
            # commit to drop it.)
            cursor.execute("DROP TABLE IF EXISTS sla_due_new")
            cursor.execute(
                "CREATE TEMPORARY TABLE sla_due_new (ticket_id bigint, policy_id bigint,"
                f" last_event_id bigint, {dues}) ON COMMIT DROP"
            )
            with cursor.cursor.copy(f"COPY sla_due_new ({columns}) FROM STDIN") as copy:
                for row in rows:
                    copy.write_row(row)
            cursor.execute(
                f"INSERT INTO {table} (paused_seconds, {columns})"  # noqa: S608
                f" SELECT 0, {columns} FROM sla_due_new{upsert}"
            )
            cursor.execute("DROP TABLE sla_due_new")
            return
        # SQLite allows 32766 parameters; 1000 rows of seven stay far below.
        for start in range(0, len(rows), 1000):
            chunk = rows[start : start + 1000]
            values = ", ".join(["(0, %s, %s, %s, %s, %s, %s, %s)"] * len(chunk))
            params: list[Any] = []
            for row in chunk:
                params.extend(row[:3])  # ticket id, policy id, last event id
                params.extend(sqlite_datetime(d) for d in row[3:])
            cursor.execute(
                f"INSERT INTO {table} (paused_seconds, {columns}) VALUES {values}{upsert}",  # noqa: S608
                params,
            )


def sqlite_datetime(value: dt.datetime | None) -> str | None:
    # What Django's adapt_datetimefield_value writes (naive UTC text), at a third of the
    # cost: it ran once per due time, 400,000 times for 100,000 tickets.
    if value is None:
        return None
    return value.astimezone(dt.UTC).replace(tzinfo=None).isoformat(" ")
