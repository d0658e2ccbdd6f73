"""PostgreSQL full-text search over the analysed terms (scaled mode).

``search_searchdocument.tsv`` is a stored generated column, ``to_tsvector('simple', ...)``
of head (weight A) and body (weight B), with a GIN index (migrations/0001_initial.py).
The ``simple`` configuration only lowercases: the terms were analysed already (Korean
stems by Kiwi, CJK bigrams), and no English stemmer should touch them again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import connection

from sangdam.search.backends.base import Hits, SearchBackend, SearchFilters
from sangdam.search.backends.sql import TICKETS, filter_sql

if TYPE_CHECKING:
    from sangdam.search.analyzer import Query


def tsquery(query: Query) -> str:
    """to_tsquery syntax: phrases with ``<->``, alternatives ``|``, groups ``&``; terms quoted."""
    return " & ".join(
        "("
        + " | ".join("(" + " <-> ".join(f"'{term}'" for term in phrase) + ")" for phrase in group)
        + ")"
        for group in query.groups
    )


class PostgresBackend(SearchBackend):
    name = "postgresql-tsvector"

    def search(
        self, query: Query, *, filters: SearchFilters, limit: int, offset: int, count_limit: int
    ) -> Hits:
        where, params = filter_sql(filters)
        join = f" JOIN {TICKETS} t ON t.id = d.ticket_id" if where else ""
        cond = "".join(f" AND {w}" for w in where)
        base = (
            f"FROM search_searchdocument d{join}, to_tsquery('simple', %s) q WHERE d.tsv @@ q{cond}"
        )
        text = tsquery(query)
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT d.ticket_id {base} ORDER BY ts_rank(d.tsv, q) DESC, d.ticket_id DESC"
                " LIMIT %s OFFSET %s",
                [text, *params, limit, offset],
            )
            ids = [row[0] for row in cursor.fetchall()]
            if offset == 0 and len(ids) < limit:
                return Hits(ids=ids, total=len(ids))
            cursor.execute(
                f"SELECT count(*) FROM (SELECT 1 {base} LIMIT %s) c",  # noqa: S608 (table names; values are parameters)
                [text, *params, count_limit + 1],
            )
            total = cursor.fetchone()[0]
        return Hits(ids=ids, total=min(total, count_limit), more=total > count_limit)

    def size_bytes(self) -> int | None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_total_relation_size('search_searchdocument')")
            row = cursor.fetchone()
        return int(row[0]) if row else None
