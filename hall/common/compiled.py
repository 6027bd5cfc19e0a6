"""A hot read by primary key, compiled to SQL once per process instead of once per call.

Building and compiling a queryset with several `select_related` joins costs the hall's busiest
actions more CPU than PostgreSQL spends running it (issue 27: the step lock's eight-table read,
~2 ms of Python a call). The SQL of such a read differs between calls only in the primary key,
so `CompiledRead` compiles it the first time, with a marker value in the key's place, and then
runs that SQL with the key given, turning the rows into model instances with the compiler's own
converters and related-object populators: the instances Django's iterator would have made.
A query whose parameters do not contain the marker exactly once is simply run as a queryset.

With ``constants_inline=True`` every parameter that is not a key is written into the SQL as a
literal. PostgreSQL can then settle on a generic plan for the prepared statement: a read served
by a partial index (say ``WHERE status = 'deemed'``) must name the index's constants in its text,
or every run is planned anew (issue 27: a millisecond or two for each of the desk's reads).
"""

from __future__ import annotations

import datetime
import enum
import re
from collections.abc import Callable
from typing import Generic, TypeVar

from django.db import connections
from django.db.models import Model, QuerySet
from django.db.models.query import get_related_populators

M = TypeVar("M", bound=Model)

# Values no row has, to find each key's place among the compiled parameters.
KEY_MARKER = -7_310_000_000_001
DATE_MARKER = datetime.date(1901, 2, 3)


def _converted(row, converters, connection) -> list:
    """What `SQLCompiler.apply_converters` does to a row, with the reading thread's connection
    (the compiler that found the converters ran on whichever thread compiled first)."""
    row = list(row)
    for position, (functions, expression) in converters:
        value = row[position]
        for function in functions:
            value = function(value, expression, connection)
        row[position] = value
    return row


_PLACEHOLDER = re.compile(r"(%%|%s)")


def _constants_inlined(sql: str, params: list, places: list[list[int]], connection):
    """`sql` with every parameter outside `places` written in as a literal (quoted by psycopg),
    the parameters left, and the keys' places among them."""
    from psycopg import sql as psycopg_sql

    connection.ensure_connection()
    raw = connection.connection
    keys = {n for key_places in places for n in key_places}
    renumbered: dict[int, int] = {}
    kept, pieces, n = [], [], 0
    for piece in _PLACEHOLDER.split(sql):
        if piece != "%s":
            pieces.append(piece)
            continue
        if n in keys:
            renumbered[n] = len(kept)
            kept.append(params[n])
            pieces.append("%s")
        else:
            value = params[n].value if isinstance(params[n], enum.Enum) else params[n]
            pieces.append(psycopg_sql.Literal(value).as_string(raw).replace("%", "%%"))
        n += 1
    return "".join(pieces), kept, [[renumbered[n] for n in key_places] for key_places in places]


class CompiledRead(Generic[M]):
    """``read(*keys)``: the one row ``build(*keys)`` selects, as a model instance, or
    DoesNotExist; ``read_all(*keys)``: every row it selects. ``markers`` stand in for the keys
    while compiling (by default one primary or foreign key); each must appear among the query's
    parameters (it is replaced wherever it does), or the query is run as a queryset every
    time."""

    def __init__(
        self,
        build: Callable[..., QuerySet[M]],
        *,
        markers: tuple = (KEY_MARKER,),
        using: str = "default",
        constants_inline: bool = False,
    ):
        self._build = build
        self._markers = markers
        self._constants_inline = constants_inline
        self._using = using
        self._compiled: dict[str, tuple | None] = {}  # per database vendor (the SQL differs)

    def _compile(self):
        queryset = self._build(*self._markers)
        compiler = queryset.query.get_compiler(using=self._using)
        sql, params = compiler.as_sql()  # fills compiler.select and klass_info as it runs
        params = list(params)
        places = [
            [n for n, value in enumerate(params) if value == marker] for marker in self._markers
        ]
        if not all(places):
            return None
        connection = connections[self._using]
        if self._constants_inline and connection.vendor == "postgresql":
            sql, params, places = _constants_inlined(sql, params, places, connection)
        klass_info, select = compiler.klass_info, compiler.select
        start, end = klass_info["select_fields"][0], klass_info["select_fields"][-1] + 1
        fields = [column[0] for column in select[0 : compiler.col_count]]
        return (
            queryset.model,
            sql,
            params,
            places,
            list(compiler.get_converters(fields).items()),
            [f[0].target.attname for f in select[start:end]],
            (start, end),
            get_related_populators(klass_info, select, self._using),
            dict(compiler.annotation_col_map or {}),
        )

    def compiled(self, vendor: str = "postgresql") -> bool:
        """Whether the query runs from its compiled SQL on that database (after a first read)."""
        return self._compiled.get(vendor) is not None

    def read(self, *keys) -> M:
        """The one row for `keys`, or the model's DoesNotExist."""
        found = self.read_all(*keys)
        if not found:
            model = self._build(*self._markers).model
            raise model.DoesNotExist(f"{model._meta.object_name} {keys} does not exist")
        (obj,) = found
        return obj

    def read_all(self, *keys) -> list[M]:
        """Every row the query selects with `keys` in the markers' places."""
        connection = connections[self._using]
        vendor = connection.vendor
        if vendor not in self._compiled:
            self._compiled[vendor] = self._compile()
        compiled = self._compiled[vendor]
        if compiled is None:
            return list(self._build(*keys))
        (
            model,
            sql,
            params,
            places,
            converters,
            init_list,
            (start, end),
            populators,
            annotations,
        ) = compiled
        params = params.copy()
        for key_places, key in zip(places, keys, strict=True):
            for place in key_places:
                params[place] = key
        with connection.cursor() as cursor:
            cursor.execute(sql, params)
            rows = cursor.fetchall()
        found = []
        for row in rows:
            if converters:
                row = _converted(row, converters, connection)
            obj = model.from_db(self._using, init_list, row[start:end])
            for populator in populators:
                populator.populate(row, obj)
            for name, position in annotations.items():
                setattr(obj, name, row[position])
            found.append(obj)
        return found
