"""UPDATE some fields of a row without Django's per-call statement building.

``Model.save(update_fields=…)`` builds its UPDATE every time (an UpdateQuery, a compiler,
a WHERE clause): under py-spy, a tenth of a chat answer's API request; a delivery, a
webhook event's end and a follow-up message paid it too. :func:`update` keeps the
statement per model, fields and database vendor and prepares each value as ``save()``
does (``pre_save`` of each named field, so ``auto_now`` dates move, then
``get_db_prep_save``).

A model with ``pre_save``/``post_save`` receivers or its own ``save()``, and a value that
is an expression, go through ``save()`` unchanged (see :mod:`sangdam.core.inserts`).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.db import DatabaseError, connections, router, transaction
from django.db.models import Field, Model

from sangdam.core.inserts import has_receivers

_STATEMENTS: dict[tuple[type[Model], tuple[str, ...], str], tuple[str, list[Field[Any, Any]]]] = {}


def _statement(
    model: type[Model], names: tuple[str, ...], connection: Any
) -> tuple[str, list[Field[Any, Any]]]:
    key = (model, names, connection.vendor)
    found = _STATEMENTS.get(key)
    if found is None:
        meta = model._meta
        fields = []
        for name in names:
            field = meta.get_field(name)
            assert isinstance(field, Field) and field.concrete and not field.primary_key
            fields.append(field)
        quote = connection.ops.quote_name
        sets = ", ".join(f"{quote(f.column)} = %s" for f in fields)
        pk = meta.pk
        assert pk is not None
        sql = f"UPDATE {quote(meta.db_table)} SET {sets} WHERE {quote(pk.column)} = %s"  # noqa: S608 (quoted names; values are parameters)
        found = _STATEMENTS[key] = (sql, fields)
    return found


def update(obj: Model, fields: Sequence[str]) -> None:
    """Write ``fields`` of ``obj``'s row, as ``obj.save(update_fields=fields)`` would;
    like it, raise ``DatabaseError`` when no row has ``obj``'s id."""
    model = type(obj)
    alias = router.db_for_write(model, instance=obj)
    if model.save is not Model.save or has_receivers(model):
        obj.save(update_fields=fields, using=alias)
        return
    connection = connections[alias]
    # Named twice is written once, as save() does.
    sql, prepared = _statement(model, tuple(dict.fromkeys(fields)), connection)
    values = []
    for field in prepared:
        value = field.pre_save(obj, False)
        if hasattr(value, "resolve_expression"):
            obj.save(update_fields=fields, using=alias)
            return
        values.append(field.get_db_prep_save(value, connection=connection))
    pk = model._meta.pk
    assert pk is not None
    values.append(pk.get_db_prep_value(obj.pk, connection))
    with transaction.mark_for_rollback_on_error(alias), connection.cursor() as cursor:
        cursor.execute(sql, values)
        changed = cursor.rowcount
    if changed == 0:
        raise DatabaseError("Save with update_fields did not affect any rows.")
