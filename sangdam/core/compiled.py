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

from collections.abc import Callable
from typing import Any, Generic, TypeVar

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
        # Per database alias: how its rows become instances (see ``objects``).
        self._plans: dict[str, _RowPlan] = {}

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

        What turning rows into instances needs is worked out once per database alias from
        the compiler that compiled the query: the columns' converters (working them out
        was a tenth of the task worker's CPU), the instances' fields and the populators of
        the ``select_related`` objects. Each run only executes and builds.
        """
        alias = router.db_for_read(self._model)
        connection = connections[alias]
        plan = self._plans.get(alias)
        if plan is None:
            plan = self._plans[alias] = _RowPlan(self._build(*self._markers), alias, self._slots)
        if plan.for_update and connection.get_autocommit():
            raise TransactionManagementError(
                "select_for_update cannot be used outside of a transaction."
            )
        filled: list[Any] = list(plan.params)
        for slot, value in zip(plan.slots, values, strict=True):
            filled[slot] = value
        with connection.cursor() as cursor:
            cursor.execute(plan.sql, filled)
            rows: list[Any] = cursor.fetchall()
        if plan.converters:
            rows = [plan.convert(list(row), connection) for row in rows]
        start, end, init_list = plan.start, plan.end, plan.init_list
        instances: list[M] = []
        for row in rows:
            instance = plan.model.from_db(alias, init_list, row[start:end])
            for populator in plan.populators:
                populator.populate(row, instance)
            for name, position in plan.annotations:
                setattr(instance, name, row[position])
            instances.append(instance)
        return instances


class _RowPlan:
    """How the rows of one compiled query become instances on one database alias.

    The converters are the connection's operations' functions; they read only the
    alias's settings (time zone), the same for every thread's connection, and are called
    with the running thread's connection as Django's compiler calls them.
    """

    def __init__(
        self,
        queryset: QuerySet[Any, Any],
        alias: str,
        slots: Callable[[tuple[object, ...]], tuple[int, ...]],
    ) -> None:
        compiler: SQLCompiler = queryset.query.get_compiler(using=alias)
        sql, params = compiler.as_sql()
        self.sql = sql
        self.params = tuple(params)
        self.slots = slots(self.params)
        self.for_update = bool(compiler.query.select_for_update)
        klass_info = compiler.klass_info
        assert klass_info is not None
        select = compiler.select
        self.model = klass_info["model"]
        self.start, self.end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        self.init_list = [column[0].target.attname for column in select[self.start : self.end]]
        self.populators = get_related_populators(klass_info, select, alias)
        self.annotations = list((compiler.annotation_col_map or {}).items())
        fields = [s[0] for s in select[0 : compiler.col_count]]
        if compiler.has_composite_fields(fields):
            raise ValueError("composite fields are not supported by CompiledQuery.objects")
        self.converters = list(compiler.get_converters(fields).items())

    def convert(self, row: list[Any], connection: Any) -> list[Any]:
        for position, (functions, expression) in self.converters:
            value = row[position]
            for function in functions:
                value = function(value, expression, connection)
            row[position] = value
        return row
