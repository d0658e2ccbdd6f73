"""The seam between Sangdam and whatever answers searches.

A backend answers a parsed query (:class:`~sangdam.search.analyzer.Query`) with ticket
ids, best first, within the agent's filters. The analysed documents are always written to
the ``SearchDocument`` table first (in the database, so a reindex never needs the outside
engine's data); ``documents_changed`` is then called so an outside engine (OpenSearch,
Elasticsearch, ...) can copy them. The database backends need no copy: the database
indexes the table itself. See docs/search.md, "Plugging in OpenSearch".
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from sangdam.search.analyzer import Query
    from sangdam.search.models import SearchDocument


@dataclass(frozen=True)
class SearchFilters:
    """What narrows a search, on the ticket's own fields (all optional)."""

    statuses: tuple[str, ...] = ()  # any of these
    channel: str = ""  # channel kind
    # An agent's id; 0 means "unassigned"; None means anyone.
    assignee: int | None = None
    created_from: dt.date | None = None
    created_to: dt.date | None = None  # inclusive
    topic: str = ""  # slug
    priority: str = ""
    team: int | None = None
    language: str = ""
    customer: int | None = None


@dataclass(frozen=True)
class Hits:
    ids: list[int]  # best first
    total: int  # how many matched, counted up to ``count_limit`` (then ``more`` is True)
    more: bool = False


# A query that matches more tickets than this ranks only the newest this many of them:
# ranking costs time for every match (bm25, ts_rank), and the words most tickets contain
# would otherwise cost seconds at a million tickets. Recency is a help desk's natural tie
# breaker; narrower queries (fewer matches) are ranked in full.
RANK_WINDOW = 2000  # more than selectors.COUNT_LIMIT: the window also counts the matches


class SearchBackend:
    """What an engine implements. Methods are called in the request or the task worker."""

    name = "base"

    def search(
        self, query: Query, *, filters: SearchFilters, limit: int, offset: int, count_limit: int
    ) -> Hits:
        raise NotImplementedError

    def documents_changed(self, docs: Sequence[SearchDocument], deleted: Sequence[int]) -> None:
        """Documents were written (or deleted) in the table; copy them if you keep a copy."""
        return None

    def size_bytes(self) -> int | None:
        """The index's size on disk, when the engine can tell."""
        return None
