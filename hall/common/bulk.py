"""Set-based writes the ORM has no one-statement form for.

`rows_insert_new` inserts many rows in one ``INSERT … ON CONFLICT DO NOTHING … RETURNING``: the
rows whose unique key already exists are skipped, and the caller learns which keys were new and
their ids. `get_or_create` needs a SELECT, a savepoint, the INSERT and a release for one row;
this needs one statement for any number of rows. `rows_insert` is the same without a key.
"""

from __future__ import annotations

from collections.abc import Sequence

from django.db import DEFAULT_DB_ALIAS, connection, connections, models


def rows_insert_new(objs: Sequence[models.Model], *, unique: str) -> dict[object, int]:
    """Insert `objs` (all of one model) unless a row with the same `unique` value exists.

    Returns {unique value: new id} for the rows inserted now; the objects inserted get their
    ``pk``. Field defaults and ``auto_now_add`` apply as for ``save()``.
    """
    if not objs:
        return {}
    unique_field = type(objs[0])._meta.get_field(unique)
    rows = _insert(objs, unique=unique_field)
    inserted = {key: pk for pk, key in rows}
    for obj in objs:
        key = getattr(obj, unique_field.attname)
        if key in inserted:
            obj.pk = inserted[key]
            obj._state.adding = False
    return inserted


def rows_insert(objs: Sequence[models.Model]) -> None:
    """Insert `objs` (all of one model, none saved) in one statement and give each its ``pk``:
    what ``bulk_create`` does, with a fraction of its Python per row (each distinct value is
    converted once; a sweep's five hundred events share their time stamp, action and actor)."""
    if not objs:
        return
    ids = [pk for (pk,) in _insert(objs, unique=None)]
    if len(ids) != len(objs):  # cannot happen without ON CONFLICT; never guess which is which
        raise RuntimeError(f"{len(objs)} rows given, {len(ids)} inserted")
    for obj, pk in zip(objs, ids, strict=True):
        obj.pk = pk
        obj._state.adding = False


def rows_insert_skipping(objs: Sequence[models.Model]) -> int:
    """Insert `objs` in one statement, skipping those that break a unique constraint (what
    ``bulk_create(ignore_conflicts=True)`` does: viewflow's task links, given twice when a
    join and a sweep both link a task). Returns how many were inserted; no object gets a pk."""
    if not objs:
        return 0
    return len(_insert(objs, unique=None, skip_conflicts=True))


def _insert(
    objs: Sequence[models.Model], *, unique: models.Field | None, skip_conflicts: bool = False
) -> list[tuple]:
    """One ``INSERT … RETURNING`` of `objs`, skipping the rows whose `unique` value exists (if
    given; any conflict with `skip_conflicts`). Returns the rows' (pk, unique value) or (pk,),
    in the order of `objs`: PostgreSQL inserts the unnested rows in their order and returns them
    so, as Django's own bulk_create relies on."""
    model = type(objs[0])
    meta = model._meta
    fields = [f for f in meta.concrete_fields if not f.primary_key]
    quote = connection.ops.quote_name
    values = [_column_values(field, objs) for field in fields]
    columns = ", ".join(quote(f.column) for f in fields)
    if connection.vendor == "postgresql":
        source, params = _unnest_source(fields, values)
    else:
        rows = list(zip(*values, strict=True))
        source = "VALUES " + ", ".join("(" + ", ".join(["%s"] * len(fields)) + ")" for _row in rows)
        params = [value for row in rows for value in row]
    returning = quote(meta.pk.column)
    conflict = ""
    if unique is not None:
        conflict = f" ON CONFLICT ({quote(unique.column)}) DO NOTHING"
        returning += f", {quote(unique.column)}"
    elif skip_conflicts:
        conflict = " ON CONFLICT DO NOTHING"
    sql = f"INSERT INTO {quote(meta.db_table)} ({columns}) {source}{conflict} RETURNING {returning}"
    with connection.cursor() as cursor:
        cursor.execute(sql, params)
        return cursor.fetchall()


# Fields whose conversion for the database gives back a value of these exact types unchanged
# (`get_db_prep_save` of a str for a CharField is that str): a column of such values skips the
# conversion, one call per row. Exact classes only: a subclass (a sealed text field) converts.
_AS_THEY_ARE = {
    models.CharField: (str,),
    models.TextField: (str,),
    models.IntegerField: (int,),
    models.BigIntegerField: (int,),
    models.PositiveSmallIntegerField: (int,),
    models.PositiveIntegerField: (int,),
    models.SmallIntegerField: (int,),
    models.BooleanField: (bool,),
    models.ForeignKey: (int,),  # the id of an integer primary key
}


def _column_values(field: models.Field, objs: Sequence[models.Model]) -> list:
    """One column of `objs` as the database takes it: ``pre_save`` (defaults, ``auto_now``)
    and ``get_db_prep_save`` as for ``save()``, each distinct value converted once (a batch
    repeats its time stamp, its kind, a few recipients)."""
    if getattr(field, "auto_now", False) or getattr(field, "auto_now_add", False):
        raw = [field.pre_save(obj, add=True) for obj in objs]
    else:  # Field.pre_save is the attribute
        attname = field.attname
        raw = [getattr(obj, attname) for obj in objs]
    plain = _AS_THEY_ARE.get(type(field))
    if (
        plain is not None
        and (type(field) is not models.ForeignKey or _integer_key(field))
        and all(value is None or type(value) in plain for value in raw)
    ):
        return raw
    # the connection itself: `django.db.connection` is a proxy that finds it on every use
    db = connections[DEFAULT_DB_ALIAS]
    prepared: dict[object, object] = {}
    converted = []
    for value in raw:
        try:
            result = prepared[value]
        except KeyError:
            result = prepared[value] = field.get_db_prep_save(value, db)
        except TypeError:  # unhashable (a JSON value)
            result = field.get_db_prep_save(value, db)
        converted.append(result)
    return converted


def _integer_key(field: models.ForeignKey) -> bool:
    return isinstance(field.target_field, models.IntegerField)


def _unnest_source(fields, columns: list[list]) -> tuple[str, list]:
    """``SELECT … FROM unnest(…)``: one array per column, unnested, so the statement's text and
    number of parameters do not depend on the number of rows (it is prepared once, and a batch
    of thousands of rows stays within the protocol's 65,535 parameters of server-side binding).

    A column whose value is the same on every row (a batch's kind, status, time stamp, empty
    fields) travels as that one value, not as an array of copies: turning arrays into text is
    most of this statement's cost on the client. The statement's text then depends on which
    columns are constant, a handful of shapes per model."""
    selected, arrays, array_params, scalar_params = [], [], [], []
    for n, (field, values) in enumerate(zip(fields, columns, strict=True)):
        db_type = field.db_type(connection)
        first = values[0]
        if len(values) > 1 and _all_same(first, values):
            selected.append(f"%s::{db_type}")
            scalar_params.append(first)
        else:
            selected.append(f"u.c{n}")
            arrays.append((n, db_type))
            array_params.append(list(values))
    if not arrays:  # every column constant: unnest the first one anyway, for the row count
        selected[0] = "u.c0"
        arrays.append((0, fields[0].db_type(connection)))
        array_params.append(list(columns[0]))
        scalar_params.pop(0)
    array = _array_placeholder()
    unnested = ", ".join(f"{array}::{db_type}[]" for _n, db_type in arrays)
    names = ", ".join(f"c{n}" for n, _db_type in arrays)
    source = f"SELECT {', '.join(selected)} FROM unnest({unnested}) AS u({names})"
    return source, [*scalar_params, *array_params]


def _array_placeholder() -> str:
    """``%b``, a parameter sent in PostgreSQL's binary format, for the arrays, where psycopg binds
    on the server: an array of a thousand strings is turned into text in ~10 ms (each element
    searched for characters to quote and escaped) and into the binary format in ~0.5 ms. With
    client-side binding (``HALL_DB_SERVER_SIDE_BINDING=0``) psycopg has no binary parameters."""
    options = connection.settings_dict.get("OPTIONS", {})
    return "%b" if options.get("server_side_binding") is True else "%s"


def _all_same(first, values) -> bool:
    kind = type(first)
    # the same type too: 0 == False, and a JSON value's adapter compares by identity
    return all(value is first or (type(value) is kind and value == first) for value in values)


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
    array = _array_placeholder()
    arrays = ", ".join(f"{array}::{field.db_type(connection)}[]" for field in columns)
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
