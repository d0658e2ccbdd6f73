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


MATCH = "to_tsquery('simple', %s) q WHERE d.tsv @@ q"
# How many of the newest documents are tested before the GIN index is asked (see search).
WALK = 20_000


class PostgresBackend(SearchBackend):
    name = "postgresql-tsvector"

    def search(
        self, query: Query, *, filters: SearchFilters, limit: int, offset: int, count_limit: int
    ) -> Hits:
        where, params = filter_sql(filters)
        join = f" JOIN {TICKETS} t ON t.id = d.ticket_id" if where else ""
        cond = "".join(f" AND {w}" for w in where)
        text = tsquery(query)
        # First the newest WALK documents, tested in id order: for words many tickets hold,
        # the newest RANK_WINDOW matches are among them. The planner, taking two common words
        # for independent, would rather fetch every ticket holding both through the GIN
        # index and test each (쿠폰 적용, "비밀번호 재설정": 400-450 ms at 1M tickets).
        recent = (
            "(SELECT ticket_id, tsv FROM search_searchdocument ORDER BY ticket_id DESC LIMIT %s) d"
        )
        rows = self._window(
            f"FROM {recent}{join}, {MATCH}{cond}", [WALK, text, *params], limit=limit, offset=offset
        )
        matched = rows[0][1] if rows else 0
        base = f"FROM search_searchdocument d{join}, {MATCH}{cond}"
        if matched < RANK_WINDOW:
            # Fewer matches than a window among the newest: the whole index answers (for a
            # rare word, through the GIN index).
            rows = self._window(base, [text, *params], limit=limit, offset=offset)
            matched = rows[0][1] if rows else 0
        # The window holds min(matches, RANK_WINDOW) rows: the count, unless the window is
        # full and the caller counts further (RANK_WINDOW > COUNT_LIMIT: not the console).
        if (not rows and offset) or (matched >= RANK_WINDOW and count_limit >= RANK_WINDOW):
            matched = self._count(base, text, params, limit=count_limit + 1)
        return Hits(
            ids=[row[0] for row in rows],
            total=min(matched, count_limit),
            more=matched > count_limit,
        )

    def _window(
        self, source: str, params: list[Any], *, limit: int, offset: int
    ) -> list[tuple[int, int]]:
        """The page of the newest RANK_WINDOW matches in ``source``, ranked, each row with
        the window's size."""
        # Only the newest RANK_WINDOW matches are ranked: for a word most tickets hold,
        # PostgreSQL walks the primary key backwards testing each row, instead of ranking
        # every match; for a rare word it uses the GIN index.
        newest = f"SELECT d.ticket_id, d.tsv, q {source} ORDER BY d.ticket_id DESC LIMIT %s"
        with connection.cursor() as cursor:
            cursor.execute(
                f"SELECT m.ticket_id, count(*) OVER () FROM ({newest}) m"  # noqa: S608 (values are parameters)
                " ORDER BY ts_rank(m.tsv, m.q) DESC, m.ticket_id DESC LIMIT %s OFFSET %s",
                [*params, RANK_WINDOW, limit, offset],
            )
            return cursor.fetchall()

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
