"""SQLite FTS5 over the analysed terms (embedded mode).

``search_fts`` is an external-content FTS5 table over ``search_searchdocument`` (rowid =
ticket id), kept in step by triggers (migrations/0001_initial.py). Ranking is FTS5's
bm25 with the head (reference, subject, customer) weighted above the messages.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db import connection

from sangdam.search.backends.base import RANK_WINDOW, Hits, SearchBackend, SearchFilters
from sangdam.search.backends.sql import TICKETS, filter_sql

if TYPE_CHECKING:
    from sangdam.search.analyzer import Query

HEAD_WEIGHT = 4.0


def match_expression(query: Query) -> str:
    """FTS5 syntax: phrases quoted, alternatives ORed, groups ANDed (terms hold no quotes)."""
    parts = []
    for group in query.groups:
        phrases = ['"' + " ".join(phrase) + '"' for phrase in group]
        parts.append(phrases[0] if len(phrases) == 1 else "(" + " OR ".join(phrases) + ")")
    return " AND ".join(parts)


class SqliteBackend(SearchBackend):
    name = "sqlite-fts5"

    def search(
        self, query: Query, *, filters: SearchFilters, limit: int, offset: int, count_limit: int
    ) -> Hits:
        where, params = filter_sql(filters)
        join = f" JOIN {TICKETS} t ON t.id = f.rowid" if where else ""
        cond = "".join(f" AND {w}" for w in where)
        match = match_expression(query)
        base = f"FROM search_fts f{join} WHERE search_fts MATCH %s{cond}"
        with connection.cursor() as cursor:
            # The newest RANK_WINDOW matches are found in rowid (= ticket id) order, which
            # FTS5 walks without ranking; only they are ranked.
            cursor.execute(
                f"SELECT f.rowid {base} ORDER BY f.rowid DESC LIMIT 1 OFFSET %s",
                [match, *params, RANK_WINDOW - 1],
            )
            oldest = cursor.fetchone()
            window = " AND f.rowid >= %s" if oldest else ""
            window_params = [oldest[0]] if oldest else []
            cursor.execute(
                f"SELECT f.rowid {base}{window}"
                f" ORDER BY bm25(search_fts, {HEAD_WEIGHT}, 1.0), f.rowid DESC LIMIT %s OFFSET %s",
                [match, *params, *window_params, limit, offset],
            )
            ids = [row[0] for row in cursor.fetchall()]
            if offset == 0 and len(ids) < limit and oldest is None:
                return Hits(ids=ids, total=len(ids))
            cursor.execute(
                f"SELECT count(*) FROM (SELECT 1 {base} LIMIT %s)",  # noqa: S608 (table names; values are parameters)
                [match, *params, count_limit + 1],
            )
            total = cursor.fetchone()[0]
        return Hits(ids=ids, total=min(total, count_limit), more=total > count_limit)

    def size_bytes(self) -> int | None:
        with connection.cursor() as cursor:
            try:
                cursor.execute("SELECT sum(pgsize) FROM dbstat WHERE name LIKE 'search_%%'")
            except Exception:  # dbstat is a compile-time option of SQLite
                return None
            row = cursor.fetchone()
        return int(row[0]) if row and row[0] is not None else None
