"""PostgreSQL full-text search over the analysed terms (scaled mode).

``search_searchdocument.tsv`` is a stored generated column, ``to_tsvector('simple', ...)``
of head (weight A) and body (weight B), with a GIN index (migrations/0001_initial.py).
The ``simple`` configuration only lowercases: the terms were analysed already (Korean
stems by Kiwi, CJK bigrams), and no English stemmer should touch them again.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import connection

from sangdam.search.backends.base import RANK_WINDOW, Hits, SearchBackend, SearchFilters
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
            # Only the newest RANK_WINDOW matches are ranked: for a word most tickets hold,
            # PostgreSQL walks the primary key backwards testing each row, instead of
            # ranking every match; for a rare word it uses the GIN index.
            newest = f"SELECT d.ticket_id, d.tsv, q {base} ORDER BY d.ticket_id DESC LIMIT %s"
            cursor.execute(
                f"SELECT m.ticket_id, count(*) OVER () FROM ({newest}) m"  # noqa: S608 (values are parameters)
                " ORDER BY ts_rank(m.tsv, m.q) DESC, m.ticket_id DESC LIMIT %s OFFSET %s",
                [text, *params, RANK_WINDOW, limit, offset],
            )
            rows = cursor.fetchall()
        # The window holds min(matches, RANK_WINDOW) rows: the count, unless the window is
        # full and the caller counts further (RANK_WINDOW > COUNT_LIMIT: not the console).
        matched = rows[0][1] if rows else 0
        if (not rows and offset) or (matched >= RANK_WINDOW and count_limit >= RANK_WINDOW):
            matched = self._count(base, text, params, limit=count_limit + 1)
        return Hits(
            ids=[row[0] for row in rows],
            total=min(matched, count_limit),
            more=matched > count_limit,
        )

    def _count(self, base: str, text: str, params: list[Any], *, limit: int) -> int:
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT count(*) FROM (SELECT 1 {base} LIMIT %s) c",  # noqa: S608 (values are parameters)
                [text, *params, limit],
            )
            return int(cursor.fetchone()[0])

    def size_bytes(self) -> int | None:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_total_relation_size('search_searchdocument')")
            row = cursor.fetchone()
        return int(row[0]) if row else None
