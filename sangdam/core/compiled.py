"""ORM queries compiled to SQL once, then run with new values.

Django compiles a queryset to SQL each time it runs. For a small query with subqueries the
compiling is most of the cost: the session user's (console/session_user.py) took 1.1 ms to
compile and 0.4 ms to run on PostgreSQL, on every request. :class:`CompiledQuery` keeps the
SQL of a query whose shape never changes and runs it as a raw query with new values.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Generic, TypeVar

from django.db import connections, router
from django.db.models import Model, QuerySet

M = TypeVar("M", bound=Model)

# Marker values for ids: no row has a negative id.
MARKER, MARKER_2 = -7_654_321, -7_654_322


class CompiledQuery(Generic[M]):
    """``build(*markers)`` makes the queryset of ``model``; each marker is a value no real
    argument has (a negative id, say), which must appear exactly once among the compiled
    SQL's parameters: each run puts the real value in its place."""

    def __init__(self, model: type[M], build: Callable[..., QuerySet[M, Any]], *markers: object):
        self._model = model
        self._build = build
        self._markers = markers
        # Per database vendor: the SQL, its parameters, where the markers sit.
        self._compiled: dict[str, tuple[str, tuple[object, ...], tuple[int, ...]]] = {}

    def _compile(self, vendor: str) -> tuple[str, tuple[object, ...], tuple[int, ...]]:
        found = self._compiled.get(vendor)
        if found is None:
            sql, params = self._build(*self._markers).query.sql_with_params()
            slots = []
            for marker in self._markers:
                at = [i for i, p in enumerate(params) if p == marker]
                if len(at) != 1:
                    raise ValueError(f"marker {marker!r} appears {len(at)} times in the SQL")
                slots.append(at[0])
            found = self._compiled[vendor] = (sql, tuple(params), tuple(slots))
        return found

    def _sql(self, values: tuple[object, ...]) -> tuple[str, str, list[Any]]:
        alias = router.db_for_read(self._model)
        sql, params, slots = self._compile(connections[alias].vendor)
        filled: list[Any] = list(params)
        for slot, value in zip(slots, values, strict=True):
            filled[slot] = value
        return alias, sql, filled

    def run(self, *values: object) -> list[M]:
        """Model instances (annotations become attributes)."""
        alias, sql, params = self._sql(values)
        return list(self._model._default_manager.db_manager(alias).raw(sql, params))

    def rows(self, *values: object) -> list[tuple[Any, ...]]:
        """The rows as the database driver gives them: for a ``values_list`` of plain
        columns (numbers, text); Django's converters (dates on SQLite, JSON) are not applied."""
        alias, sql, params = self._sql(values)
        with connections[alias].cursor() as cursor:
            cursor.execute(sql, params)
            return cursor.fetchall()
