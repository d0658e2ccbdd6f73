"""ORM queries compiled to SQL once, then run with new values.

Django compiles a queryset to SQL each time it runs. For a small query with subqueries the
compiling is most of the cost: the session user's (console/session_user.py) took 1.1 ms to
compile and 0.4 ms to run on PostgreSQL, on every request. :class:`CompiledQuery` keeps the
SQL of a query whose shape never changes and runs it with new values: as a raw query
(:meth:`CompiledQuery.run`, :meth:`CompiledQuery.rows`), or through the kept compiler
(:meth:`CompiledQuery.objects`), which builds model instances as the queryset would, with
``select_related`` objects, deferred fields and the database converters (dates on SQLite).
"""

from __future__ import annotations

import copy
from collections.abc import Callable
from typing import Any, Generic, TypeVar, cast

from django.db import connections, router
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators  # type: ignore[attr-defined]
from django.db.models.sql.compiler import SQLCompiler
from django.db.transaction import TransactionManagementError

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
        # Per database alias: a compiler that ran ``as_sql`` once (its select list and the
        # map from columns to models are what turning rows into instances needs).
        self._compilers: dict[
            str, tuple[SQLCompiler, str, tuple[object, ...], tuple[int, ...]]
        ] = {}

    def _slots(self, params: tuple[object, ...]) -> tuple[int, ...]:
        slots = []
        for marker in self._markers:
            at = [i for i, p in enumerate(params) if p == marker]
            if len(at) != 1:
                raise ValueError(f"marker {marker!r} appears {len(at)} times in the SQL")
            slots.append(at[0])
        return tuple(slots)

    def _compile(self, vendor: str) -> tuple[str, tuple[object, ...], tuple[int, ...]]:
        found = self._compiled.get(vendor)
        if found is None:
            sql, params = self._build(*self._markers).query.sql_with_params()
            found = self._compiled[vendor] = (sql, tuple(params), self._slots(tuple(params)))
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

    def objects(self, *values: object) -> list[M]:
        """Model instances as the queryset makes them (``select_related`` objects cached,
        deferred fields, converters applied), without compiling the SQL again.

        The compiler that compiled it once is copied for each run and given this thread's
        connection and the run's values; only building the instances is left to do.
        """
        alias = router.db_for_read(self._model)
        connection = connections[alias]
        found = self._compilers.get(alias)
        if found is None:
            template = self._build(*self._markers).query.get_compiler(using=alias)
            sql, compiled_params = template.as_sql()
            params = tuple(compiled_params)
            found = self._compilers[alias] = (template, sql, params, self._slots(params))
        template, sql, params, slots = found
        if template.query.select_for_update and connection.get_autocommit():
            raise TransactionManagementError(
                "select_for_update cannot be used outside of a transaction."
            )
        filled: list[Any] = list(params)
        for slot, value in zip(slots, values, strict=True):
            filled[slot] = value
        compiler = copy.copy(template)
        compiler.connection = connection
        compiler.as_sql = lambda *args, **kwargs: (sql, filled)  # type: ignore[method-assign]
        results = compiler.execute_sql()
        klass_info = compiler.klass_info
        assert klass_info is not None
        select = compiler.select
        model_cls = klass_info["model"]
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        init_list = [column[0].target.attname for column in select[start:end]]
        populators = get_related_populators(klass_info, select, alias)
        instances: list[M] = []
        for row in compiler.results_iter(cast(Any, results)):
            instance = model_cls.from_db(alias, init_list, row[start:end])
            for populator in populators:
                populator.populate(row, instance)
            for name, position in (compiler.annotation_col_map or {}).items():
                setattr(instance, name, row[position])
            instances.append(instance)
        return instances
