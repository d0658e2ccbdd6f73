"""INSERT new rows without Django's per-call statement building.

``Model.save()`` on a new row builds its INSERT every time: an InsertQuery, a compiler,
column quoting, placeholder lists, the RETURNING clause. On the intake (customer,
identity, ticket, message, events, task: six inserts per inquiry) that was about a fifth of
the request's CPU (bench/profile_form.py under py-spy), twice what running the statements
cost. :func:`insert` and :func:`insert_all` keep the statement per model and database and
prepare each value as ``save()`` does: ``pre_save`` of every field (``auto_now_add``
dates, defaults already set by the constructor) and ``get_db_prep_save`` for any value
that is not plain text, a number or NULL in a plain text or number column.

What they do not do, they leave to ``save()``: a model with ``pre_save``/``post_save``
receivers or its own ``save()``, multi-table inheritance or a custom placeholder, and a value that is an
expression, go through the ORM unchanged. Like ``bulk_create``, nothing is validated.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, TypeVar

from django.db import connections, router, transaction
from django.db.models import (
    AutoField,
    BigAutoField,
    BigIntegerField,
    BooleanField,
    CharField,
    EmailField,
    Field,
    ForeignKey,
    IntegerField,
    Model,
    PositiveIntegerField,
    PositiveSmallIntegerField,
    SlugField,
    SmallAutoField,
    SmallIntegerField,
    TextField,
    URLField,
)
from django.db.models.signals import post_save, pre_save

M = TypeVar("M", bound=Model)

# Parameters per statement (SQLite's oldest limit is 999).
MAX_PARAMETERS = 900

_NONE = type(None)
_TEXT = (CharField, EmailField, SlugField, TextField, URLField)
_NUMBER = (
    AutoField,
    BigAutoField,
    BigIntegerField,
    IntegerField,
    PositiveIntegerField,
    PositiveSmallIntegerField,
    SmallAutoField,
    SmallIntegerField,
)


def _plain_types(field: Field[Any, Any]) -> frozenset[type]:
    """The Python types whose value this column stores as it is (no preparing needed)."""
    if isinstance(field, ForeignKey):
        return _plain_types(field.target_field)
    kind = type(field)
    if kind in _TEXT:
        return frozenset({str, _NONE})
    if kind in _NUMBER:
        return frozenset({int, _NONE})
    if kind is BooleanField:
        return frozenset({bool, _NONE})
    return frozenset()


@dataclass(frozen=True)
class _Plan:
    table: str
    columns: str
    row: str  # "(%s, %s, …)"
    returning: str  # " RETURNING id", or ""
    fields: tuple[Field[Any, Any], ...]
    plain: tuple[frozenset[type], ...]
    pk: Field[Any, Any] | None  # read back from the database


_PLANS: dict[tuple[type[Model], str, bool], _Plan | None] = {}


def _plan(model: type[Model], alias: str, pk_set: bool) -> _Plan | None:
    connection = connections[alias]
    key = (model, connection.vendor, pk_set)
    if key in _PLANS:
        return _PLANS[key]
    meta = model._meta
    fields = [
        f
        for f in meta.local_concrete_fields
        if not f.generated and (pk_set or f is not meta.auto_field)
    ]
    usable = (
        not meta.parents
        # Only the automatic id comes back from the database (no generated columns).
        and all(f is meta.auto_field for f in meta.db_returning_fields)
        and not any(hasattr(f, "get_placeholder") for f in fields)
        and connection.features.can_return_columns_from_insert
    )
    plan = None
    if usable:
        quote = connection.ops.quote_name
        pk = None if pk_set else meta.auto_field
        plan = _Plan(
            table=quote(meta.db_table),
            columns=", ".join(quote(f.column) for f in fields),
            row="(" + ", ".join(["%s"] * len(fields)) + ")",
            returning=f" RETURNING {quote(pk.column)}" if pk is not None else "",
            fields=tuple(fields),
            plain=tuple(_plain_types(f) for f in fields),
            pk=pk,
        )
    _PLANS[key] = plan
    return plan


def _values(obj: Model, plan: _Plan, connection: Any) -> list[Any] | None:
    values = []
    for field, plain in zip(plan.fields, plan.plain, strict=True):
        value = field.pre_save(obj, True)
        if type(value) in plain:
            values.append(value)
            continue
        if hasattr(value, "resolve_expression"):
            return None
        values.append(field.get_db_prep_save(value, connection=connection))
    return values


def has_receivers(model: type[Model]) -> bool:
    return pre_save.has_listeners(model) or post_save.has_listeners(model)


def _on_conflict(
    model: type[Model], connection: Any, unique: Sequence[str], update: Sequence[str]
) -> str:
    quote = connection.ops.quote_name

    def column(name: str) -> str:
        field = model._meta.get_field(name)
        assert isinstance(field, Field)
        return quote(field.column)

    targets = ", ".join(column(name) for name in unique)
    sets = ", ".join(f"{column(name)} = EXCLUDED.{column(name)}" for name in update)
    return f" ON CONFLICT({targets}) DO UPDATE SET {sets}"


def insert(obj: M, *, receivers_done: bool = False) -> M:
    """Save a new instance (its own id unset, or set for a model whose id is not an
    automatic one) and return it with its id, as ``Model.objects.create`` would.

    ``receivers_done``: the caller has done what the model's ``pre_save``/``post_save``
    receivers would (they are not called).
    """
    return insert_all([obj], receivers_done=receivers_done)[0]


def insert_all(
    objs: Sequence[M],
    *,
    update_conflicts: tuple[Sequence[str], Sequence[str]] | None = None,
    receivers_done: bool = False,
) -> Sequence[M]:
    """Save new instances of one model in one statement, ids set, as ``bulk_create``.

    ``update_conflicts=(unique_fields, update_fields)``: a row whose unique fields match an
    existing one updates those fields of it instead, as ``bulk_create(update_conflicts=True,
    …)`` does (``ON CONFLICT … DO UPDATE`` on both databases).
    """
    if not objs:
        return objs
    model = type(objs[0])
    alias = router.db_for_write(model, instance=objs[0])
    pk_set = objs[0].pk is not None
    by_orm = model.save is not Model.save or (not receivers_done and has_receivers(model))
    plan = None if by_orm else _plan(model, alias, pk_set)
    connection = connections[alias]
    rows: list[list[Any]] | None = [] if plan is not None else None
    for obj in objs:
        obj._prepare_related_fields_for_save(operation_name="save")  # type: ignore[attr-defined]
        if plan is not None and rows is not None and (obj.pk is not None) == pk_set:
            values = _values(obj, plan, connection)
            if values is not None:
                rows.append(values)
                continue
        rows = None
    if plan is None or rows is None:
        manager = model._default_manager.db_manager(alias)
        if update_conflicts is not None:
            unique, update = update_conflicts
            manager.bulk_create(
                objs, update_conflicts=True, unique_fields=unique, update_fields=update
            )
        elif len(objs) == 1:
            objs[0].save(force_insert=True, using=alias)
        else:
            manager.bulk_create(objs)
        return objs
    suffix = plan.returning
    if update_conflicts is not None:
        suffix = _on_conflict(model, connection, *update_conflicts) + suffix
    returned: list[Any] = []
    step = max(1, MAX_PARAMETERS // len(plan.fields))
    with transaction.mark_for_rollback_on_error(alias), connection.cursor() as cursor:
        for start in range(0, len(rows), step):
            chunk = rows[start : start + step]
            rows_sql = ", ".join([plan.row] * len(chunk))
            sql = f"INSERT INTO {plan.table} ({plan.columns}) VALUES {rows_sql}{suffix}"  # noqa: S608 (quoted names; values are parameters)
            cursor.execute(sql, [value for row in chunk for value in row])
            if plan.pk is not None:
                returned += cursor.fetchall()
    if plan.pk is not None:
        attname = plan.pk.attname
        for obj, (pk,) in zip(objs, returned, strict=True):
            setattr(obj, attname, pk)
    for obj in objs:
        obj._state.adding = False
        obj._state.db = alias
    return objs


def known_related(instance: Model, name: str, objects: Sequence[Model]) -> None:
    """``instance.<name>.all()`` answers ``objects`` from now on, without a query, as after
    ``prefetch_related(name)``: the caller has just written ``instance`` and knows these
    are all there are (a reply made through an API endpoint that takes no files). The
    manager's ``filter()`` and the like still read the database."""
    rows = getattr(instance, name).get_queryset()
    rows._result_cache = list(objects)
    rows._prefetch_done = True
    cache = instance.__dict__.setdefault("_prefetched_objects_cache", {})
    cache[name] = rows
