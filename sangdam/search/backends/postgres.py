"""PostgreSQL full-text search over the analysed terms (scaled mode).

``search_searchdocument.tsv`` is a stored generated column, ``to_tsvector('simple', ...)``
of head (weight A) and body (weight B), with a GIN index (migrations/0001_initial.py).
The ``simple`` configuration only lowercases: the terms were analysed already (Korean
stems by Kiwi, CJK bigrams), and no English stemmer should touch them again.
"""

from __future__ import annotations

import time
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
# How many of the newest documents are tested at most before the GIN index is asked (see
# search): ~1.3 µs each at 1M tickets, so ~130 ms if the window never fills.
WALK = 100_000
# A query is walked first when every group has a term at least this common (PostgreSQL's
# own statistics of the column): then the window fills within WALK documents if the
# words come together, and if they do not, the GIN index finds few tickets quickly.
COMMON = 0.02
STATS_SECONDS = 600
_stats: tuple[float, dict[str, float]] = (0.0, {})


def term_frequencies() -> dict[str, float]:
    """Share of documents holding each of the column's most common terms, from the last
    ANALYZE (autovacuum's), read at most every STATS_SECONDS per process."""
    global _stats
    if _stats[0] > time.monotonic():
        return _stats[1]
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT most_common_elems::text::text[], most_common_elem_freqs FROM pg_stats"
            " WHERE tablename = 'search_searchdocument' AND attname = 'tsv'"
        )
        row = cursor.fetchone()
    found = dict(zip(row[0], row[1], strict=False)) if row and row[0] else {}
    _stats = (time.monotonic() + STATS_SECONDS, found)
    return found


def common_words(query: Query) -> bool:
    """Whether every group of ``query`` has a phrase whose terms are all COMMON."""
    freq = term_frequencies()
    return all(
        any(all(freq.get(term, 0.0) >= COMMON for term in phrase) for phrase in group)
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
        text = tsquery(query)
        base = f"FROM search_searchdocument d{join}, {MATCH}{cond}"
        rows: list[tuple[int, int]] = []
        matched = 0
        if not where and common_words(query):
            # Common words: the newest documents first, tested in id order, stopping when the
            # window is full. The planner, taking two common words for independent, would
            # rather fetch every ticket holding both through the GIN index and test each
            # (쿠폰 적용, "비밀번호 재설정": 400-550 ms at 1M tickets; walked: tens of ms).
            # Not with filters: they thin the matches out, and a walk that does not fill
            # the window only adds its time to the index's.
            recent = (
                "(SELECT ticket_id, tsv FROM search_searchdocument"
                " ORDER BY ticket_id DESC LIMIT %s) d"
            )
            source = f"FROM {recent}{join}, {MATCH}{cond}"
            rows = self._window(source, [WALK, text, *params], limit=limit, offset=offset)
            matched = rows[0][1] if rows else 0
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
