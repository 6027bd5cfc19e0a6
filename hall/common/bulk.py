"""Set-based writes the ORM has no one-statement form for.

`rows_insert_new` inserts many rows in one ``INSERT … ON CONFLICT DO NOTHING … RETURNING``: the
rows whose unique key already exists are skipped, and the caller learns which keys were new and
their ids. `get_or_create` needs a SELECT, a savepoint, the INSERT and a release for one row;
this needs one statement for any number of rows.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import connection, models


def rows_insert_new(objs: Sequence[models.Model], *, unique: str) -> dict[object, int]:
    """Insert `objs` (all of one model) unless a row with the same `unique` value exists.

    Returns {unique value: new id} for the rows inserted now; the objects inserted get their
    ``pk``. Field defaults and ``auto_now_add`` apply as for ``save()``.
    """
    if not objs:
        return {}
    model = type(objs[0])
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    unique_field = meta.get_field(unique)
    quote = connection.ops.quote_name
    prepared: dict[tuple, object] = {}

    def prep(field, value):
        # A batch repeats its values (one time stamp, one kind, a few recipients): each
        # distinct one is converted once.
        try:
            return prepared[field.attname, value]
        except KeyError:
            result = prepared[field.attname, value] = field.get_db_prep_save(value, connection)
            return result
        except TypeError:  # unhashable (a JSON value)
            return field.get_db_prep_save(value, connection)

    rows = [[prep(field, field.pre_save(obj, add=True)) for field in fields] for obj in objs]
    columns = ", ".join(quote(f.column) for f in fields)
    if connection.vendor == "postgresql":
        # One array per column, unnested: the same statement text and number of parameters for
        # any number of rows, so it is prepared once, and a batch of thousands of rows stays
        # within the protocol's 65,535 parameters of server-side binding.
        source = (
            "SELECT * FROM unnest("
            + ", ".join(f"%s::{field.db_type(connection)}[]" for field in fields)
            + ")"
        )
        params = [list(column) for column in zip(*rows, strict=True)]
    else:
        source = "VALUES " + ", ".join("(" + ", ".join(["%s"] * len(fields)) + ")" for _row in rows)
        params = [value for row in rows for value in row]
    sql = (
        f"INSERT INTO {quote(meta.db_table)} ({columns}) {source} "
        f"ON CONFLICT ({quote(unique_field.column)}) DO NOTHING "
        f"RETURNING {quote(meta.pk.column)}, {quote(unique_field.column)}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        inserted = {key: pk for pk, key in cursor.fetchall()}
    for obj in objs:
        key = getattr(obj, unique_field.attname)
        if key in inserted:
            obj.pk = inserted[key]
            obj._state.adding = False
    return inserted


def fields_copy(*, target: models.Model, source: models.Model) -> models.Model:
    """Give `target` the column values of `source` (the same row, read under a lock in the
    transaction that just committed): what ``target.refresh_from_db()`` would read, without the
    read. Returns `target`."""
    for field in target._meta.concrete_fields:
        setattr(target, field.attname, getattr(source, field.attname))
    return target


def rows_update(objs: Sequence[models.Model], fields: Sequence[str]) -> int:
    """Write `fields` of `objs` (all of one model, all saved) in one ``UPDATE … FROM unnest``.

    What ``bulk_update`` writes, without its ``CASE WHEN pk = … THEN …`` per row and field,
    whose building costs more than the statement (a case's five opened steps: ~25 ms of
    Python, issue 27). Other databases than PostgreSQL use ``bulk_update``. Returns the number
    of rows updated.
    """
    if not objs:
        return 0
    model = type(objs[0])
    if connection.vendor != "postgresql":
        return model._default_manager.bulk_update(objs, fields)
    meta = model._meta
    quote = connection.ops.quote_name
    targets = [meta.get_field(name) for name in fields]
    pk = meta.pk
    columns = [pk, *targets]
    params = [
        [field.get_db_prep_save(getattr(obj, field.attname), connection) for obj in objs]
        for field in columns
    ]
    arrays = ", ".join(f"%s::{field.db_type(connection)}[]" for field in columns)
    names = ", ".join(f"c{n}" for n in range(len(columns)))
    assignments = ", ".join(
        f"{quote(field.column)} = v.c{n}" for n, field in enumerate(targets, start=1)
    )
    sql = (
        f"UPDATE {quote(meta.db_table)} AS t SET {assignments} "
        f"FROM unnest({arrays}) AS v({names}) WHERE t.{quote(pk.column)} = v.c0"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.rowcount
